// A task's search space. The runtime's own train options every task reads (lr, batch size,
// model) plus the task's declared train options (src/tasks/options.ts): those that declare
// a `search` hint are searched by default, the others only when a study names them.
// Each named parameter is checked against what the option accepts.

import { FlambeauError } from "../../core/errors.js";
import type { OptionSpec } from "../../tasks/options.js";
import type { Task } from "../../tasks/task.js";
import { checkParam, type Param, type SearchSpace } from "./space.js";

/** The learning-rate range every task's default space searches (log-uniform around the tasks' peaks of 1e-3 to 2e-2). */
export const DEFAULT_LR: Param = { type: "float", low: 3e-4, high: 3e-2, log: true };

type Kind = "float" | "int" | "categorical";

/** What a parameter of this name may be in this task: its kind and allowed bounds or choices. */
function accepts(task: Task, name: string): { kind: Kind; min?: number; max?: number; choices?: readonly unknown[] } | undefined {
  if (name === "lr") return { kind: "float", min: Number.MIN_VALUE };
  if (name === "batchSize") return { kind: "int", min: 1 };
  if (name === "model") return { kind: "categorical", choices: task.models };
  const s: OptionSpec<unknown> | undefined = Object.hasOwn(task.options, name) ? task.options[name] : undefined;
  if (!s?.phases.includes("train")) return undefined;
  switch (s.type) {
    case "int":
      return { kind: "int", min: 1 };
    case "count":
      return { kind: "int", min: 0 };
    case "number":
      return { kind: "float", min: 0 };
    case "fraction":
      return { kind: "float", min: Number.MIN_VALUE, max: 1 };
    case "choice":
      return { kind: "categorical", choices: s.choices ?? [] };
    case "flag":
      return { kind: "categorical", choices: [false, true] };
    default:
      return undefined; // strings and paths are not searched
  }
}

/** The names a study of this task may search. */
export function tunableNames(task: Task): string[] {
  return ["lr", "batchSize", "model", ...Object.keys(task.options)].filter((n) => accepts(task, n) !== undefined);
}

/** The task's default space: the learning rate, the task's searchModels and every declared option with a search hint, less `fixed` ones. */
export function defaultSpace(task: Task, fixed: readonly string[] = []): Record<string, Param> {
  const out: Record<string, Param> = {};
  if (!fixed.includes("lr")) out.lr = DEFAULT_LR;
  if (task.searchModels?.length && !fixed.includes("model")) out.model = { type: "categorical", choices: [...task.searchModels] };
  for (const [name, s] of Object.entries(task.options)) {
    if (!s.search || fixed.includes(name) || !s.phases.includes("train")) continue;
    if (s.search === true) out[name] = { type: "categorical", choices: s.type === "flag" ? [false, true] : [...(s.choices ?? [])] };
    else out[name] = { type: s.type === "int" || s.type === "count" ? "int" : "float", ...s.search };
  }
  return out;
}

/** Checks a space against the task: known names, and ranges or choices the option accepts. */
export function checkTaskSpace(task: Task, space: SearchSpace, fixed: readonly string[] = []): SearchSpace {
  for (const [name, p] of Object.entries(space)) {
    checkParam(name, p);
    const a = accepts(task, name);
    const fail = (what: string): never => {
      throw new FlambeauError("E_ARG", `search space: parameter "${name}" ${what}`);
    };
    if (!a) fail(`is not an option of ${task.name}; searchable: ${tunableNames(task).join(", ")}`);
    if (fixed.includes(name)) fail("is both given as a fixed option and searched");
    if (a!.kind === "categorical") {
      if (p.type !== "categorical") fail(`takes one of ${a!.choices!.map(String).join(", ")}: give a choice list`);
      else
        for (const c of p.choices)
          if (!a!.choices!.includes(c)) fail(`has choice ${JSON.stringify(c)}; ${task.name} accepts ${a!.choices!.map(String).join(", ")}`);
      continue;
    }
    if (p.type === "categorical") {
      for (const c of p.choices)
        if (
          typeof c !== "number" ||
          (a!.kind === "int" && !Number.isSafeInteger(c)) ||
          c < (a!.min ?? -Infinity) ||
          c > (a!.max ?? Infinity)
        )
          fail(`has choice ${JSON.stringify(c)}, not ${a!.kind === "int" ? "an integer" : "a number"} in the option's range`);
      continue;
    }
    if (a!.kind === "int" && p.type !== "int") fail("is an integer option: give an int range");
    if (p.low < (a!.min ?? -Infinity) || p.high > (a!.max ?? Infinity))
      fail(`range [${p.low}, ${p.high}] leaves the option's range [${a!.min ?? "-∞"}, ${a!.max ?? "∞"}]`);
  }
  return space;
}
