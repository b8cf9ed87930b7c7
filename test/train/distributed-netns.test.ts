// Two hosts made of network namespaces joined by a veth pair: training across them, one
// host cut off and killed mid-run (the survivor fails within the timeout naming the lost
// rank), then the run resumed from rank 0's checkpoint. Needs root (CAP_SYS_ADMIN + NET_ADMIN).
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";
import { LR, makeModel, makeProblem } from "./distributed-worker.js";

const WORKER = join(dirname(fileURLToPath(import.meta.url)), "distributed-worker.js");
const tag = `fl${process.pid % 100000}`;
const NS = [`${tag}a`, `${tag}b`];
const DEV = [`${tag}va`, `${tag}vb`];
const subnet = 10 + (process.pid % 200);
const ADDR = [`10.${subnet}.77.1`, `10.${subnet}.77.2`];
const EPOCHS = 6;

const ip = (...args: string[]) => spawnSync("ip", args, { encoding: "utf8" });

function setUp(): string {
  const probe = ip("netns", "add", NS[0]!);
  if (probe.status !== 0)
    return `cannot create network namespaces here (${(probe.stderr || probe.error?.message || "").trim()}); run as root`;
  const steps = [
    ["netns", "add", NS[1]!],
    ["link", "add", DEV[0]!, "type", "veth", "peer", "name", DEV[1]!],
    ...[0, 1].flatMap((i) => [
      ["link", "set", DEV[i]!, "netns", NS[i]!],
      ["-n", NS[i]!, "addr", "add", `${ADDR[i]}/24`, "dev", DEV[i]!],
      ["-n", NS[i]!, "link", "set", DEV[i]!, "up"],
      ["-n", NS[i]!, "link", "set", "lo", "up"],
    ]),
  ];
  for (const s of steps) {
    const r = ip(...s);
    if (r.status !== 0) return `ip ${s.join(" ")} failed: ${r.stderr.trim()}`;
  }
  return "";
}

function tearDown(): void {
  for (const ns of NS) ip("netns", "del", ns);
}

type Json = Record<string, unknown>;
interface Host {
  p: ChildProcess;
  lines: Json[];
  done: Promise<void>;
}

function host(i: number, ckpt: string, port: number): Host {
  const p = spawn("ip", ["netns", "exec", NS[i]!, process.execPath, WORKER, "resumable"], {
    env: {
      ...process.env,
      RANK: String(i),
      WORLD_SIZE: "2",
      MASTER_ADDR: ADDR[0]!,
      MASTER_PORT: String(port),
      GLOO_SOCKET_IFNAME: DEV[i]!,
      CKPT: ckpt,
      EPOCHS: String(EPOCHS),
      FLAMBEAU_NUM_THREADS: "1",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: Json[] = [];
  let buf = "";
  p.stdout!.on("data", (d: Buffer) => {
    buf += d;
    const parts = buf.split("\n");
    buf = parts.pop() ?? "";
    for (const l of parts) if (l.trim()) lines.push(JSON.parse(l) as Json);
  });
  const kill = setTimeout(() => p.kill("SIGKILL"), 50_000);
  const done = new Promise<void>((res) =>
    p.on("close", () => {
      clearTimeout(kill);
      res();
    }),
  );
  return { p, lines, done };
}

const reason = process.getuid?.() === 0 ? "" : "needs root to create network namespaces";
describe("distributed across two network-namespace hosts", { skip: reason || false }, () => {
  let skip = "";
  let dir = "";
  before(() => {
    skip = setUp();
    dir = mkdtempSync(join(tmpdir(), "flambeau-netns-"));
  });
  after(() => {
    tearDown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a host cut off mid-run gives an error naming its rank; --resume finishes the run", async (t) => {
    if (skip) {
      t.skip(skip);
      return;
    }
    const ckpt = join(dir, "ckpt.safetensors");
    const a = host(0, ckpt, 29531);
    const b = host(1, ckpt, 29531);
    // Wait for rank 0 to finish epoch 2, then cut host B's link and kill its process.
    const t0 = Date.now();
    while (!a.lines.some((l) => (l.epoch as number) >= 2) && Date.now() - t0 < 40_000) await new Promise((r) => setTimeout(r, 50));
    assert.ok(
      a.lines.some((l) => l.epoch === 2),
      `rank 0 did not reach epoch 2: ${JSON.stringify(a.lines)}`,
    );
    ip("-n", NS[1]!, "link", "set", DEV[1]!, "down");
    const cut = Date.now();
    b.p.kill("SIGKILL");
    await a.done;
    const failedAfter = Date.now() - cut;
    const err = a.lines.find((l) => l.error !== undefined);
    assert.ok(err, `rank 0 did not fail: ${JSON.stringify(a.lines)}`);
    assert.equal(err.name, "FlambeauError");
    assert.match(String(err.error), /failed on rank 0 of 2: rank 1 stopped responding/);
    assert.ok(failedAfter < 4_000 + 8_000, `rank 0 took ${failedAfter} ms to fail`);
    t.diagnostic(`rank 0 failed ${failedAfter} ms after the cut: ${String(err.error)}`);
    assert.ok(existsSync(ckpt), "rank 0 wrote no checkpoint");
    const saved = await fl.io.loadCheckpoint(ckpt);
    assert.ok(saved.epoch >= 2 && saved.epoch < EPOCHS, `checkpoint epoch ${saved.epoch}`);

    // Host B comes back; both ranks restart and resume after the checkpoint's epoch.
    ip("-n", NS[1]!, "link", "set", DEV[1]!, "up");
    const a2 = host(0, ckpt, 29532);
    const b2 = host(1, ckpt, 29532);
    await Promise.all([a2.done, b2.done]);
    const [r0, r1] = [a2, b2].map((h) => h.lines.find((l) => l.params !== undefined));
    assert.ok(r0 && r1, `resumed run did not finish: ${JSON.stringify([a2.lines, b2.lines])}`);
    assert.equal(r0.startEpoch, saved.epoch);
    assert.deepEqual(r0.params, r1.params);
    // The interrupted-and-resumed run equals one uninterrupted process on the global batch.
    const { x, y } = makeProblem();
    const model = makeModel(7);
    const opt = new fl.optim.SGD(model.parameters(), { lr: LR });
    for (let e = 0; e < EPOCHS; e++) {
      opt.zeroGrad(true);
      fl.nn.functional.mseLoss(model.forward(x), y).backward();
      opt.step();
    }
    model.parameters().forEach((p, i) => {
      (Array.from(p.data() as Float32Array) as number[]).forEach((w, k) =>
        assert.ok(Math.abs(w - (r0.params as number[][])[i]![k]!) < 1e-5, `param ${i}[${k}]`),
      );
    });
  });
});
