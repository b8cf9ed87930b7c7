// A hand-made objective a parallel study's worker processes build (./parallel.test.ts): the
// value after epoch e is quality(params) − 0.5 / e, each epoch sleeping `ms`; a trial with
// no params (the default trial) has quality −1. Each call is appended to <dir>/calls.txt.
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as fl from "flambeau";

export const EPOCHS = 4;

export const quality = (p: fl.learn.tune.Params): number =>
  p.x === undefined ? -1 : -((Math.log10(p.x as number) + 2) ** 2) - 0.1 * ((p.k as number) - 2) ** 2;

export function syntheticObjective(a: { dir: string; ms: number }): fl.learn.tune.Objective {
  return async (trial) => {
    appendFileSync(join(a.dir, "calls.txt"), `${trial.number}\n`);
    for (let e = 1; e <= EPOCHS; e++) {
      await sleep(a.ms);
      trial.report(e, quality(trial.params) - 0.5 / e);
      if (e < EPOCHS && (await trial.shouldPrune())) throw new fl.learn.tune.TrialPruned(e);
    }
    return quality(trial.params) - 0.5 / EPOCHS;
  };
}
