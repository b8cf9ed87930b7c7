import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";

const dir = mkdtempSync(join(tmpdir(), "fl-checkpoint-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (t: fl.Tensor): Uint8Array => {
  const d = t.data();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};
function assertSameTensor(a: fl.Tensor | number | undefined, b: fl.Tensor | number, name: string): void {
  if (typeof b === "number") {
    assert.equal(a, b, name);
    return;
  }
  assert.ok(a instanceof fl.Tensor, name);
  assert.equal(a.dtype, b.dtype, `${name} dtype`);
  assert.deepEqual([...a.shape], [...b.shape], `${name} shape`);
  assert.deepEqual(bytesOf(a), bytesOf(b), `${name} bytes`);
}

function sample(): fl.io.Checkpoint {
  return {
    model: new Map([
      ["0.weight", fl.randn([4, 3])],
      ["0.bias", fl.randn([4])],
      ["bn.num_batches_tracked", fl.tensor(BigInt64Array.from([7n]), { shape: [] })],
    ]),
    optimizer: {
      state: new Map([
        [
          0,
          new Map<string, fl.Tensor | number>([
            ["step", 3],
            ["exp_avg", fl.randn([4, 3])],
            ["exp_avg_sq", fl.rand([4, 3])],
          ]),
        ],
        [
          1,
          new Map<string, fl.Tensor | number>([
            ["step", 3],
            ["exp_avg", fl.randn([4])],
            ["exp_avg_sq", fl.rand([4])],
          ]),
        ],
      ]),
      paramGroups: [{ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, foreach: null, params: [0, 1] }],
    },
    scheduler: { lastEpoch: 3, best: Infinity, worst: -Infinity, undefinedMetric: Number.NaN, history: [1, 0.5] },
    epoch: 3,
    step: 120,
    rng: fl.getRngState(),
    extra: { config: { hidden: 32, name: "mlp" }, metrics: [0.91, 0.93] },
  };
}

describe("checkpoints", () => {
  test("round trip: tensors bit-equal, JSON parts equal, RNG state restores the stream", async () => {
    const path = join(dir, "ckpt.safetensors");
    const src = sample();
    await fl.io.saveCheckpoint(path, src);
    const got = await fl.io.loadCheckpoint(path);
    assert.equal(got.epoch, 3);
    assert.equal(got.step, 120);
    assert.deepEqual([...got.model.keys()].sort(), [...src.model.keys()].sort());
    for (const [k, t] of src.model) assertSameTensor(got.model.get(k), t, `model.${k}`);
    assert.deepEqual(got.optimizer!.paramGroups, src.optimizer!.paramGroups);
    assert.deepEqual([...got.optimizer!.state.keys()], [0, 1]);
    for (const [i, entries] of src.optimizer!.state) {
      assert.deepEqual([...got.optimizer!.state.get(i)!.keys()], [...entries.keys()]);
      for (const [name, v] of entries) assertSameTensor(got.optimizer!.state.get(i)!.get(name), v, `optimizer.${i}.${name}`);
    }
    assert.deepEqual(got.scheduler, src.scheduler);
    assert.deepEqual(got.extra, src.extra);
    assertSameTensor(got.rng, src.rng!, "rng");
    const a = fl.randn([5]).toArray();
    fl.setRngState(got.rng!);
    assert.deepEqual(fl.randn([5]).toArray(), a);
    // it is an ordinary safetensors file
    const plain = await fl.io.loadWithMetadata(path);
    assert.ok(plain.tensors.has("model.0.weight") && plain.tensors.has("optimizer.state.1.exp_avg") && plain.tensors.has("rng"));
    assert.equal(plain.metadata.format, fl.io.CHECKPOINT_FORMAT);
  });

  test("minimal checkpoint; plain weights and bad input are rejected clearly", async () => {
    const path = join(dir, "min.safetensors");
    await fl.io.saveCheckpoint(path, { model: new Map([["w", fl.ones([2])]]), epoch: 0 });
    const got = await fl.io.loadCheckpoint(path);
    assert.deepEqual(Object.keys(got).sort(), ["epoch", "model"]);
    const weights = join(dir, "weights.safetensors");
    await fl.io.save({ w: fl.ones([2]) }, weights);
    await assert.rejects(
      fl.io.loadCheckpoint(weights),
      (e: fl.FlambeauError) => e.code === "E_FORMAT" && /not a Flambeau checkpoint/.test(e.message),
    );
    await assert.rejects(fl.io.saveCheckpoint(path, { model: new Map(), epoch: 1, extra: { m: new Map() } }), /extra\.m is Map/);
    await assert.rejects(fl.io.saveCheckpoint(path, { model: new Map(), epoch: 1, extra: { t: fl.ones([1]) } }), /extra\.t is a Tensor/);
    await assert.rejects(fl.io.saveCheckpoint(path, { model: new Map(), epoch: -1 }), /epoch must be a non-negative integer/);
  });

  test("a writer killed mid-write leaves the previous checkpoint readable", async (t) => {
    const path = join(dir, "killed.safetensors");
    const old = { model: new Map([["w", fl.arange(0, 10).float()]]), epoch: 1 };
    await fl.io.saveCheckpoint(path, old);
    const child = fileURLToPath(new URL("./helpers/write-checkpoint.js", import.meta.url));
    let killedMidWrite = false;
    for (let mb = 64; mb <= 256 && !killedMidWrite; mb *= 2) {
      const proc = spawn(process.execPath, [child, path, String(mb)], { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      proc.stderr.on("data", (d: Buffer) => {
        stderr += d;
      });
      let tmpSize = -1;
      const watcher = watch(dir, () => {
        const tmp = readdirSync(dir).find((f) => f.startsWith("killed.safetensors.tmp-"));
        if (tmp === undefined || proc.exitCode !== null) return;
        const size = statSync(join(dir, tmp), { throwIfNoEntry: false })?.size ?? 0;
        if (size > 0) {
          tmpSize = size;
          proc.kill("SIGKILL");
        }
      });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        proc.on("exit", (c, s) => resolve([c, s])),
      );
      watcher.close();
      if (signal === "SIGKILL") {
        killedMidWrite = true;
        t.diagnostic(`writer of a ${mb} MB checkpoint killed after ${tmpSize} bytes`);
        assert.ok(tmpSize > 0 && tmpSize < mb * 2 ** 20, `killed with ${tmpSize} bytes of ${mb} MB written`);
      } else assert.equal(code, 0, stderr);
      const got = await fl.io.loadCheckpoint(path);
      if (killedMidWrite) {
        assert.equal(got.epoch, 1);
        assertSameTensor(got.model.get("w"), old.model.get("w")!, "w");
      } else {
        // the writer won the race: it finished; put the old checkpoint back and try a bigger one
        assert.equal(got.epoch, 99);
        for (const t of got.model.values()) t.dispose();
        await fl.io.saveCheckpoint(path, old);
      }
      for (const f of readdirSync(dir)) if (f.startsWith("killed.safetensors.tmp-")) rmSync(join(dir, f));
    }
    assert.ok(killedMidWrite, "the writer was never caught mid-write");
    assert.ok(existsSync(path));
  });
});
