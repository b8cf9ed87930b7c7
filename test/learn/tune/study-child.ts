// A study run as its own process, for the resume test (study-resume.test.ts): a TPE sampler
// and ASHA over a hand-made objective whose epochs sleep `ms` each, so the parent can kill it
// mid-trial. argv: study folder, milliseconds per epoch. Each objective call is logged to calls.txt.
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as fl from "flambeau";

const { tune } = fl.learn;
const [dir, ms] = [process.argv[2]!, Number(process.argv[3] ?? 0)];
export const EPOCHS = 4;

const value = (p: fl.learn.tune.Params, epoch: number): number =>
  -((Math.log10(p.x as number) + 2) ** 2) - 0.1 * ((p.k as number) - 2) ** 2 + (p.c === "b" ? 0.1 : 0) - 0.5 / epoch;

const study = new tune.Study({
  file: join(dir, "study.jsonl"),
  space: {
    x: { type: "float", low: 1e-4, high: 1, log: true },
    k: { type: "int", low: 1, high: 4 },
    c: { type: "categorical", choices: ["a", "b"] },
  },
  sampler: new tune.TpeSampler(11, { startupTrials: 3 }),
  pruner: new tune.AshaPruner({ reductionFactor: 2 }),
  settings: { objective: "study-child" },
});
await study.optimize(
  async (trial) => {
    appendFileSync(join(dir, "calls.txt"), `${trial.number}\n`);
    for (let e = 1; e <= EPOCHS; e++) {
      await sleep(ms);
      trial.report(e, value(trial.params, e));
      if (e < EPOCHS && trial.shouldPrune()) throw new tune.TrialPruned(e);
    }
    return value(trial.params, EPOCHS);
  },
  { trials: 8 },
);
