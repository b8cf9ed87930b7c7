// One rank of the distributed tests: `node distributed-worker.js <scenario>` with RANK,
// WORLD_SIZE, MASTER_ADDR, MASTER_PORT set. Prints one JSON line of results on stdout.
import { pathToFileURL } from "node:url";
import * as fl from "flambeau";

const dist = fl.train.distributed;
const scenario = process.argv[2] ?? "";
const out = (v: unknown): void => {
  process.stdout.write(`${JSON.stringify(v)}\n`);
};

/** The toy problem shared by the DDP test and its single-process reference. */
export function makeProblem(): { x: fl.Tensor; y: fl.Tensor } {
  fl.manualSeed(1234);
  const x = fl.randn([8, 5]);
  const y = fl.randn([8, 2]);
  return { x, y };
}

export function makeModel(seed: number): fl.nn.Sequential {
  fl.manualSeed(seed);
  return new fl.nn.Sequential(new fl.nn.Linear(5, 16), new fl.nn.Tanh(), new fl.nn.Linear(16, 2));
}

export const STEPS = 5;
export const LR = 0.1;
const params = (m: fl.nn.Module): number[][] => m.parameters().map((p) => Array.from(p.data() as Float32Array));

async function collectives(): Promise<void> {
  await dist.initProcessGroup({ timeout: 10_000, rendezvousTimeout: 30_000 });
  const rank = dist.getRank();
  const world = dist.getWorldSize();
  const r: Record<string, unknown> = { rank, world };
  const a = fl.tensor([rank + 1, 10 * (rank + 1)]);
  await dist.allReduce(a);
  r.sum = Array.from(a.data() as Float32Array);
  const m = fl.tensor([rank + 1, -(rank + 1)]);
  await dist.allReduce(m, "max");
  r.max = Array.from(m.data() as Float32Array);
  const v = fl.tensor([rank * 2.0]);
  await dist.allReduce(v, "avg");
  r.avg = Array.from(v.data() as Float32Array);
  const b = fl.tensor([rank, rank, rank], { dtype: "float64" });
  await dist.broadcast(b, world - 1);
  r.broadcast = Array.from(b.data() as Float64Array);
  const outs = Array.from({ length: world }, () => fl.zeros([2], { dtype: "int64" }));
  await dist.allGather(outs, fl.tensor(BigInt64Array.from([BigInt(rank), BigInt(100 + rank)])));
  r.allGather = outs.map((o) => Array.from(o.data() as BigInt64Array, Number));
  const rs = fl.zeros([2]);
  await dist.reduceScatter(
    rs,
    Array.from({ length: world }, (_, k) => fl.tensor([rank + k, 1])),
  );
  r.reduceScatter = Array.from(rs.data() as Float32Array);
  // The event loop keeps running while a collective waits: rank 0 waits ~500 ms in a barrier.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  if (rank !== 0) await new Promise((res) => setTimeout(res, 500));
  await dist.barrier();
  clearInterval(timer);
  r.ticksDuringBarrier = ticks;
  try {
    await dist.allReduce(
      fl
        .tensor([
          [1, 2],
          [3, 4],
        ])
        .t(),
    );
  } catch (e) {
    r.nonContiguous = (e as Error).message;
  }
  dist.destroyProcessGroup();
  out(r);
}

async function ddp(): Promise<void> {
  await dist.initProcessGroup({ timeout: 10_000, rendezvousTimeout: 30_000 });
  const rank = dist.getRank();
  const world = dist.getWorldSize();
  const { x, y } = makeProblem();
  // Different seeds per rank: DDP must overwrite them with rank 0's parameters.
  const model = makeModel(rank === 0 ? 7 : 100 + rank);
  const wrapped = await dist.DistributedDataParallel.create(model, { bucketCapMb: 0.0002 });
  const sampler = new dist.DistributedSampler(x.shape[0]!, { numReplicas: world, rank, shuffle: false });
  const mine = fl.tensor(Array.from(sampler.indices())).to("int64");
  const xs = x.indexSelect(0, mine);
  const ys = y.indexSelect(0, mine);
  const opt = new fl.optim.SGD(model.parameters(), { lr: LR });
  const trainer = new fl.train.Trainer({ model: wrapped, optimizer: opt, loss: fl.nn.functional.mseLoss, distributed: wrapped });
  const batches = Array.from({ length: STEPS }, () => [xs.clone(), ys.clone()] as const);
  const h = await trainer.fit(batches, { epochs: 1 });
  // Gradient accumulation: two half-steps under noSync do not communicate.
  const before = params(model);
  await wrapped.noSync(async () => {
    opt.zeroGrad(true);
    fl.nn.functional.mseLoss(model.forward(xs), ys).backward();
    await wrapped.syncGradients();
  });
  const gradLocal = Array.from(model.parameters()[0]!.grad!.data() as Float32Array);
  dist.destroyProcessGroup();
  out({ rank, params: before, loss: h.epochs[0]!.loss, buckets: wrapped.buckets.length, gradLocal });
}

async function dieAfterOne(): Promise<void> {
  await dist.initProcessGroup({ timeout: 5_000, rendezvousTimeout: 30_000 });
  const rank = dist.getRank();
  const t = fl.ones([4]);
  await dist.allReduce(t);
  const victim = Number(process.env.DIE_RANK ?? 1);
  if (rank === victim) process.exit(3);
  await new Promise((res) => setTimeout(res, 200));
  const t0 = Date.now();
  try {
    for (let i = 0; i < 3; i++) await dist.allReduce(t);
    out({ rank, error: null });
  } catch (e) {
    out({ rank, error: (e as Error).message, name: (e as Error).name, ms: Date.now() - t0 });
  }
  process.exit(0);
}

async function interop(): Promise<void> {
  await dist.initProcessGroup({ timeout: 40_000 });
  const rank = dist.getRank();
  const t = fl.tensor([1, 2, 3]).mul(rank + 1);
  await dist.allReduce(t);
  const b = fl.zeros([2], { dtype: "float64" });
  if (rank === 0) b.copy_(fl.tensor([3.5, -1], { dtype: "float64" }));
  await dist.broadcast(b, 0);
  dist.destroyProcessGroup();
  out({ rank, sum: Array.from(t.data() as Float32Array), broadcast: Array.from(b.data() as Float64Array) });
}

/**
 * Trains EPOCHS one-step epochs on the shared problem, rank 0 checkpointing to CKPT after
 * each; prints "epoch N" lines, then the final parameters or the error. With CKPT present
 * it resumes after the checkpoint's epoch.
 */
async function resumable(): Promise<void> {
  const epochs = Number(process.env.EPOCHS ?? 6);
  const ckpt = process.env.CKPT ?? "";
  try {
    await dist.initProcessGroup({ timeout: 4_000, rendezvousTimeout: 30_000 });
    const rank = dist.getRank();
    const world = dist.getWorldSize();
    const { x, y } = makeProblem();
    const model = makeModel(rank === 0 ? 7 : 100 + rank);
    const opt = new fl.optim.SGD(model.parameters(), { lr: LR });
    const startEpoch = await dist.resumeFromCheckpoint(ckpt, model, opt);
    const wrapped = await dist.DistributedDataParallel.create(model);
    const rows = fl.tensor(Array.from(new dist.DistributedSampler(8, { numReplicas: world, rank, shuffle: false }).indices())).to("int64");
    const xs = x.indexSelect(0, rows);
    const ys = y.indexSelect(0, rows);
    const announce: fl.train.Callback = {
      onEpochEnd: async (s) => {
        out({ epoch: s.epoch });
        await new Promise((res) => setTimeout(res, 400));
      },
    };
    const trainer = new fl.train.Trainer({
      model: wrapped,
      optimizer: opt,
      loss: fl.nn.functional.mseLoss,
      distributed: wrapped,
      callbacks: [new dist.DistributedCheckpoint(ckpt, model, opt), announce],
    });
    // A fresh batch each epoch: the Trainer disposes the batches it has used.
    const data = {
      length: 1,
      *[Symbol.iterator]() {
        yield [xs.clone(), ys.clone()] as const;
      },
    };
    await trainer.fit(data, { epochs, startEpoch });
    dist.destroyProcessGroup();
    out({ rank, startEpoch, params: params(model) });
  } catch (e) {
    out({ error: (e as Error).message, name: (e as Error).name, ...(process.env.FLAMBEAU_DEBUG ? { stack: (e as Error).stack } : {}) });
  }
  process.exit(0);
}

const scenarios: Record<string, () => Promise<void>> = { collectives, ddp, die: dieAfterOne, interop, resumable };
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && scenarios[scenario]) {
  fl.setNumThreads(1);
  scenarios[scenario]!().catch((e: unknown) => {
    out({ fatal: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    process.exit(1);
  });
}
