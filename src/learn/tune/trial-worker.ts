// A worker process of a parallel study (./trial-pool.ts): it builds the objective named by
// the parent (a module's factory, with plain-data arguments), then runs the trials it is
// sent one at a time. Values go back as they are reported; whether to prune is asked of the
// parent, which alone sees every trial and alone writes the journal.

import { FlambeauError } from "../../core/errors.js";
import { type Objective, type Trial, TrialPruned } from "./study.js";
import type { ObjectiveSpec, ToParent, ToWorker } from "./trial-pool.js";

const send = (m: ToParent): void => {
  process.send?.(m);
};
// The parent gone (ended, or killed with -9): nothing is left to report to.
process.on("disconnect", () => process.exit(0));

let objective: Promise<Objective> | undefined;
const answers = new Map<number, (prune: boolean) => void>();

async function build(spec: ObjectiveSpec): Promise<Objective> {
  const mod = (await import(spec.module)) as Record<string, unknown>;
  const factory = mod[spec.export];
  if (typeof factory !== "function") throw new FlambeauError("E_ARG", `trial worker: ${spec.module} exports no function ${spec.export}`);
  return factory(spec.args, (line: string) => send({ type: "log", line }));
}

async function run(number: number, params: Trial["params"], isDefault: boolean): Promise<void> {
  const trial: Trial = {
    number,
    params,
    ...(isDefault ? { isDefault } : {}),
    report: (step, value) => send({ type: "report", number, step, value }),
    shouldPrune: () =>
      new Promise<boolean>((resolve) => {
        answers.set(number, resolve);
        send({ type: "ask", number });
      }),
  };
  try {
    const r = await (await objective!)(trial);
    send({ type: "result", number, result: r });
  } catch (e) {
    if (e instanceof TrialPruned) send({ type: "pruned", number, step: e.step });
    else
      send({
        type: "error",
        number,
        message: e instanceof Error ? e.message : String(e),
        ...(e instanceof FlambeauError ? { code: e.code } : {}),
      });
  }
}

process.on("message", (m: ToWorker) => {
  if (m.type === "init") objective = build(m.spec);
  else if (m.type === "run") void run(m.number, m.params, m.isDefault === true);
  else if (m.type === "prune") {
    answers.get(m.number)?.(m.prune);
    answers.delete(m.number);
  }
});
