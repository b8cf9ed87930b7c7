// Distributed data-parallel training over c10d/Gloo: several real processes on loopback.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fl from "flambeau";
import { freePort, node, ranks } from "./distributed-helpers.js";
import { LR, makeModel, makeProblem, STEPS } from "./distributed-worker.js";

const dist = fl.train.distributed;

describe("distributed (c10d Gloo, 2 processes on loopback)", () => {
  it("collectives give PyTorch's results and do not block the event loop", async () => {
    const rs = await ranks([node("collectives"), node("collectives")]);
    for (const [rank, r] of rs.entries()) {
      assert.equal(r.fatal, undefined, String(r.fatal));
      assert.equal(r.rank, rank);
      assert.deepEqual(r.sum, [3, 30]);
      assert.deepEqual(r.max, [2, -1]);
      assert.deepEqual(r.avg, [1]);
      assert.deepEqual(r.broadcast, [1, 1, 1]);
      assert.deepEqual(r.allGather, [
        [0, 100],
        [1, 101],
      ]);
      // inputs[k] = [rank + k, 1]: output on rank k is the sum over ranks.
      assert.deepEqual(r.reduceScatter, rank === 0 ? [1, 2] : [3, 2]);
      assert.match(String(r.nonContiguous), /allReduce: tensor 0 \(shape \[2, 2\]\) must be contiguous/);
    }
    // Rank 0 waited ~500 ms in the barrier with its 20 ms timer still firing (a blocked
    // loop gives 0; a loaded machine fewer than 25).
    assert.ok((rs[0]!.ticksDuringBarrier as number) >= 2, `ticks ${rs[0]!.ticksDuringBarrier}: ${JSON.stringify(rs)}`);
  });

  it("DistributedDataParallel: identical parameters on both ranks, equal to one process on the global batch", async () => {
    const rs = await ranks([node("ddp"), node("ddp")]);
    for (const r of rs) assert.equal(r.fatal, undefined, String(r.fatal));
    const [p0, p1] = rs.map((r) => r.params as number[][]);
    assert.deepEqual(p0, p1, "the ranks' parameters differ");
    assert.ok((rs[0]!.buckets as number) > 1, "the tiny bucket cap should give several buckets");
    // The reference: one process, rank 0's initial parameters, the whole batch each step.
    const { x, y } = makeProblem();
    const model = makeModel(7);
    const opt = new fl.optim.SGD(model.parameters(), { lr: LR });
    let lossSum = 0;
    for (let s = 0; s < STEPS; s++) {
      opt.zeroGrad(true);
      const loss = fl.nn.functional.mseLoss(model.forward(x), y);
      lossSum += loss.item();
      loss.backward();
      opt.step();
    }
    model.parameters().forEach((p, i) => {
      const want = Array.from(p.data() as Float32Array);
      want.forEach((w, k) => assert.ok(Math.abs(w - p0![i]![k]!) < 1e-5, `param ${i}[${k}]: ${p0![i]![k]} vs ${w}`));
    });
    // The logged loss is the global mean over both ranks' samples.
    assert.ok(Math.abs((rs[0]!.loss as number) - lossSum / STEPS) < 1e-5, `loss ${rs[0]!.loss} vs ${lossSum / STEPS}`);
    assert.equal(rs[0]!.loss, rs[1]!.loss);
    // noSync(): each rank keeps the gradient of its own shard (rows rank, rank + 2, …).
    for (const [rank, r] of rs.entries()) {
      const rows = fl.tensor([rank, rank + 2, rank + 4, rank + 6]).to("int64");
      opt.zeroGrad(true);
      fl.nn.functional.mseLoss(model.forward(x.indexSelect(0, rows)), y.indexSelect(0, rows)).backward();
      const g = Array.from(model.parameters()[0]!.grad!.data() as Float32Array);
      g.forEach((w, k) => assert.ok(Math.abs(w - (r.gradLocal as number[])[k]!) < 1e-5, `rank ${rank} local grad[${k}]`));
    }
  });
});

describe("distributed options and sampler (no processes)", () => {
  it("initProcessGroup rejects missing and bad options with FlambeauErrors", async () => {
    const saved = { ...process.env };
    for (const k of ["RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"]) delete process.env[k];
    try {
      await assert.rejects(dist.initProcessGroup({ rank: 0 }), {
        name: "FlambeauError",
        message: /worldSize is not set \(pass options.worldSize or set WORLD_SIZE\)/,
      });
      await assert.rejects(
        dist.initProcessGroup({ rank: 2, worldSize: 2, masterAddr: "127.0.0.1", masterPort: 1234 }),
        /rank must be an integer in \[0, 1\], got 2/,
      );
      await assert.rejects(dist.initProcessGroup({ rank: 0, worldSize: 1, masterPort: 1234 }), /masterAddr is not set/);
      await assert.rejects(dist.initProcessGroup({ backend: "nccl" as "gloo", rank: 0, worldSize: 1 }), /backend must be "gloo"/);
      process.env.WORLD_SIZE = "3";
      process.env.RANK = "1";
      process.env.MASTER_ADDR = "10.0.0.1";
      process.env.MASTER_PORT = "29500";
      const o = dist.resolveInitOptions({ timeout: 5000 });
      assert.deepEqual([o.rank, o.worldSize, o.masterAddr, o.masterPort, o.timeout], [1, 3, "10.0.0.1", 29500, 5000]);
    } finally {
      process.env = saved;
    }
    assert.throws(() => dist.getDefaultGroup(), /call initProcessGroup\(\) first/);
  });

  it("a group of one works without peers, and a lone rank of two times out naming the rendezvous", async () => {
    const port = await freePort();
    const g = await dist.initProcessGroup({ rank: 0, worldSize: 1, masterAddr: "127.0.0.1", masterPort: port, timeout: 5000 });
    const t = fl.tensor([2, 3]);
    await dist.allReduce(t, "sum", { group: g });
    assert.deepEqual(Array.from(t.data() as Float32Array), [2, 3]);
    dist.destroyProcessGroup(g);
    await assert.rejects(dist.allReduce(t, "sum", { group: g }), /process group was destroyed/);
    const port2 = await freePort();
    const t0 = Date.now();
    await assert.rejects(
      dist.initProcessGroup({ rank: 0, worldSize: 2, masterAddr: "127.0.0.1", masterPort: port2, timeout: 1500 }),
      (e: Error) => e.name === "FlambeauError" && /rank 0 of 2 could not join the group at 127.0.0.1:\d+ within 1500 ms/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 10_000);
  });

  it("DistributedSampler shards like PyTorch's: padded, disjoint, reshuffled per epoch", () => {
    const mk = (rank: number, o: { shuffle?: boolean; dropLast?: boolean } = {}) =>
      new dist.DistributedSampler(10, { numReplicas: 3, rank, seed: 5, ...o });
    // PyTorch (shuffle=False): indices [0..9] padded to 12 with [0, 1], rank r takes r::3.
    assert.deepEqual(Array.from(mk(0, { shuffle: false })), [0, 3, 6, 9]);
    assert.deepEqual(Array.from(mk(1, { shuffle: false })), [1, 4, 7, 0]);
    assert.deepEqual(Array.from(mk(2, { shuffle: false })), [2, 5, 8, 1]);
    assert.deepEqual(Array.from(mk(2, { shuffle: false, dropLast: true })), [2, 5, 8]);
    const all = [0, 1, 2].flatMap((r) => Array.from(mk(r)));
    assert.equal(all.length, 12);
    assert.deepEqual(
      [...new Set(all)].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    const s = mk(0);
    const e0 = Array.from(s);
    s.setEpoch(1);
    assert.notDeepEqual(Array.from(s), e0);
    s.setEpoch(0);
    assert.deepEqual(Array.from(s), e0);
    const ds = new fl.data.TensorDataset(fl.arange(10));
    const shard = mk(1, { shuffle: false }).shard(ds);
    assert.equal(shard.length, 4);
    assert.equal((shard.get(3) as fl.Tensor[])[0]!.item(), 0);
    assert.throws(() => new dist.DistributedSampler(10, { numReplicas: 2, rank: 2 }), /rank must be in \[0, 1\], got 2/);
    assert.throws(() => mk(0).shard(new fl.data.TensorDataset(fl.arange(4))), /made for 10 samples, the dataset has 4/);
  });

  it("assignBuckets fills buckets in reverse parameter order up to the cap", () => {
    const ps = [fl.zeros([10]), fl.zeros([10]), fl.zeros([30]), fl.zeros([5], { dtype: "float64" })];
    const b = dist.assignBuckets(ps, 80);
    assert.deepEqual(
      b.map((k) => k.numels),
      [[5], [30], [10, 10]],
    );
  });
});
