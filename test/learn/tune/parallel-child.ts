// A parallel study as its own process (./parallel.test.ts): P worker processes run the
// synthetic objective; argv: study folder, P, milliseconds per epoch, sampler (random | tpe).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";

const { tune } = fl.learn;
const [dir, P, ms, samplerName] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4] ?? 0), process.argv[5] ?? "random"];
const here = dirname(fileURLToPath(import.meta.url));

const study = new tune.Study({
  file: join(dir, "study.jsonl"),
  space: { x: { type: "float", low: 1e-4, high: 1, log: true }, k: { type: "int", low: 1, high: 4 } },
  sampler: samplerName === "tpe" ? new tune.TpeSampler(5, { startupTrials: 3 }) : new tune.RandomSampler(5),
  pruner: new tune.AshaPruner({ reductionFactor: 2 }),
  defaultTrial: true,
  settings: { objective: "parallel-child" },
});
const pool = new tune.TrialPool({ module: join(here, "synthetic-objective.js"), export: "syntheticObjective", args: { dir, ms } }, P);
try {
  await study.optimize(pool.objective, { trials: 9, concurrency: P });
} finally {
  pool.close();
}
