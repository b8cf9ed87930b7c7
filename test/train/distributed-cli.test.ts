// `flambeau train … --nproc N`: the launcher's environment and errors, and one real run.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { launch, parseMaster, workerEnv } from "../../src/cli/launch.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const BIN = join(ROOT, "bin", "flambeau.js");

describe("flambeau train --nproc (launcher)", () => {
  it("gives each worker torchrun's variables and cores / nproc threads", () => {
    const o = { nproc: 2, nnodes: 3, nodeRank: 1, argv: [] };
    assert.deepEqual(workerEnv(o, 1, "10.0.0.1", 29500, 16), {
      RANK: "3",
      LOCAL_RANK: "1",
      WORLD_SIZE: "6",
      LOCAL_WORLD_SIZE: "2",
      GROUP_RANK: "1",
      MASTER_ADDR: "10.0.0.1",
      MASTER_PORT: "29500",
      FLAMBEAU_NUM_THREADS: "8",
      OMP_NUM_THREADS: "8",
      FLAMBEAU_LAUNCHED: "1",
    });
    assert.equal(workerEnv({ ...o, nproc: 4 }, 0, "h", 1, 2).FLAMBEAU_NUM_THREADS, "1");
    assert.deepEqual(parseMaster("node0.lan:29500"), { host: "node0.lan", port: 29500 });
    assert.deepEqual(parseMaster("[::1]:29500"), { host: "::1", port: 29500 });
    assert.throws(() => parseMaster("node0"), /--master must be host:port/);
    assert.throws(() => parseMaster("node0:70000"), /--master must be host:port with a port in \[1, 65535\], got "node0:70000"/);
  });

  it("rejects inconsistent launch options before starting anything", async () => {
    await assert.rejects(launch({ nproc: 2, nnodes: 2, nodeRank: 0, argv: [] }), /--nnodes > 1 needs --master host:port/);
    await assert.rejects(
      launch({ nproc: 2, nnodes: 2, nodeRank: 2, master: "h:1", argv: [] }),
      /--node-rank must be an integer in \[0, 1\], got 2/,
    );
    const r = spawnSync(process.execPath, [BIN, "train", "image-classification", "--data", "x", "--nnodes", "2", "--nproc", "1"], {
      encoding: "utf8",
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /flambeau: --nnodes > 1 needs --master host:port/);
  });

  it("trains a task with 2 worker processes; only rank 0 prints and writes", () => {
    const out = mkdtempSync(join(tmpdir(), "flambeau-nproc-"));
    try {
      const dir = join(out, "model");
      const r = spawnSync(
        process.execPath,
        [
          BIN,
          "train",
          "image-classification",
          "--data",
          "fashion-mnist",
          "--model",
          "mlp",
          "--epochs",
          "1",
          "--limit",
          "600",
          "--nproc",
          "2",
          "--out",
          dir,
          "--json",
        ],
        { encoding: "utf8", env: { ...process.env, FLAMBEAU_NUM_THREADS: "1" }, timeout: 60_000 },
      );
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split("\n");
      assert.equal(lines.length, 1, `expected one JSON line from rank 0, got: ${r.stdout}`);
      const j = JSON.parse(lines[0]!) as { worldSize: number; accuracy: number; dir: string };
      assert.equal(j.worldSize, 2);
      assert.equal(j.dir, dir);
      assert.ok(j.accuracy > 0.3, `accuracy ${j.accuracy}`);
      assert.ok(existsSync(join(dir, "model.safetensors")));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
