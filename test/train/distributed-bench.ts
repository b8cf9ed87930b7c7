// The scaling figure: training steps per second of a small CNN with 1 and 2 data-parallel
// processes at the same per-process batch (so 2 processes train on twice the samples per
// step). Not a test. Run: node dist/test/train/distributed-bench.js [steps] [batch]
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import * as fl from "flambeau";

const dist = fl.train.distributed;

async function rank(steps: number, batch: number): Promise<void> {
  await dist.initProcessGroup({ timeout: 60_000 });
  fl.manualSeed(0);
  const model = new fl.nn.Sequential(
    new fl.nn.Conv2d(1, 16, 3, { padding: 1 }),
    new fl.nn.ReLU(),
    new fl.nn.MaxPool2d(2),
    new fl.nn.Conv2d(16, 32, 3, { padding: 1 }),
    new fl.nn.ReLU(),
    new fl.nn.MaxPool2d(2),
    new fl.nn.Flatten(),
    new fl.nn.Linear(32 * 7 * 7, 10),
  );
  const ddp = await dist.DistributedDataParallel.create(model);
  const opt = new fl.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = fl.randn([batch, 1, 28, 28]);
  const y = fl.randint(0, 10, [batch]);
  const step = async () => {
    fl.tidy(() => {
      opt.zeroGrad(true);
      fl.nn.functional.crossEntropy(ddp.forward(x), y).backward();
    });
    const ts = performance.now();
    await ddp.syncGradients();
    syncMs += performance.now() - ts;
    opt.step();
  };
  let syncMs = 0;
  for (let i = 0; i < 5; i++) await step();
  await dist.barrier();
  syncMs = 0;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  await dist.barrier();
  const s = (performance.now() - t0) / 1000;
  if (dist.getRank() === 0)
    process.stdout.write(
      `${JSON.stringify({ world: dist.getWorldSize(), threads: fl.getNumThreads(), stepsPerSecond: steps / s, samplesPerSecond: (steps * batch * dist.getWorldSize()) / s, allReduceMsPerStep: syncMs / steps })}\n`,
    );
  dist.destroyProcessGroup();
}

function run(world: number, steps: number, batch: number, port: number): Promise<string> {
  // cores / world, as the launcher gives; FLAMBEAU_NUM_THREADS overrides it (a shared, busy machine).
  const threads = process.env.FLAMBEAU_NUM_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / world)));
  const outs = Array.from({ length: world }, (_, r) => {
    const p = spawn(process.execPath, [process.argv[1]!, "rank", String(steps), String(batch)], {
      env: {
        ...process.env,
        RANK: String(r),
        WORLD_SIZE: String(world),
        MASTER_ADDR: "127.0.0.1",
        MASTER_PORT: String(port),
        FLAMBEAU_NUM_THREADS: threads,
        OMP_NUM_THREADS: threads,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d;
    });
    return new Promise<string>((res) => p.on("close", () => res(out.trim())));
  });
  return Promise.all(outs).then((o) => o.join(""));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === "rank") await rank(Number(process.argv[3]), Number(process.argv[4]));
  else {
    const steps = Number(process.argv[2] ?? 40);
    const batch = Number(process.argv[3] ?? 64);
    for (const world of [1, 2]) process.stdout.write(`${await run(world, steps, batch, 29700 + world)}\n`);
  }
}
