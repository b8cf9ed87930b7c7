// `flambeau demo`: trains and evaluates every demo-capable task on bundled data, prints a
// metrics table and writes an HTML report.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { missingOptionalPackages } from "../core/optional.js";
import { writeTextAtomic } from "../io/index.js";
import { formatMetric } from "../tasks/format.js";
import { TASKS } from "../tasks/registry.js";
import type { DemoSection, DemoTask, Task } from "../tasks/task.js";
import { ProgressBar } from "../train/progress.js";
import { continualDemo } from "./continual.js";
import { multitaskDemo } from "./multitask-demo.js";
import { renderReport } from "./report.js";
import { transferDemo } from "./transfer-demo.js";

const isDemoTask = (t: Task): t is DemoTask => typeof (t as Partial<DemoTask>).demo === "function";

/** A demo section: a task's, or a learning setting's that has its own command instead of a task. */
export type Demo = Pick<DemoTask, "name" | "demo">;

/** Learning settings shown after the tasks (they are commands, not tasks). */
const SETTING_DEMOS: readonly Demo[] = [
  { name: "transfer", demo: transferDemo },
  { name: "multi-task", demo: multitaskDemo },
  { name: "continual", demo: continualDemo },
];

/** The demo-capable tasks in registry order, then the settings' sections; or just those named in `only` (in its order, each once). */
export function demoTasks(tasks: readonly Task[], only?: readonly string[], settings: readonly Demo[] = SETTING_DEMOS): Demo[] {
  const all: Demo[] = [...tasks.filter(isDemoTask), ...settings];
  if (only === undefined) return all;
  const names = all.map((t) => t.name);
  const wanted = [...new Set(only)];
  const unknown = wanted.filter((n) => !names.includes(n));
  if (wanted.length === 0 || unknown.length > 0)
    throw new FlambeauError(
      "E_ARG",
      `demo --only: ${wanted.length === 0 ? "names no task" : `${unknown.map((n) => `"${n}"`).join(", ")} ${unknown.length === 1 ? "is not a demo task" : "are not demo tasks"}`}; demo tasks: ${names.join(", ")}`,
      "demo",
    );
  return wanted.map((n) => all.find((t) => t.name === n)!);
}

/** "a, b,,c" → ["a", "b", "c"]: the names `--only` lists. */
export const parseOnly = (s: string): string[] =>
  s
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);

export async function runDemo(o: { full: boolean; out: string; only?: readonly string[] }): Promise<DemoSection[]> {
  // Names first: a typo fails at once, before the package check and any training.
  const tasks = demoTasks(Object.values(TASKS) as Task[], o.only);
  // The built-in data sets are optional packages: name every missing one at once, before any training.
  const missing = missingOptionalPackages();
  if (missing.length > 0)
    throw new FlambeauError(
      "E_STATE",
      `demo: the demo trains on the built-in data sets; install them first: npm install ${missing.join(" ")}`,
      "demo",
    );
  const t0 = performance.now();
  mkdirSync(o.out, { recursive: true });
  const sections: DemoSection[] = [];
  for (const task of tasks) {
    process.stderr.write(`\n== ${task.name} ==\n`);
    sections.push(
      await task.demo({
        full: o.full,
        out: join(o.out, task.name),
        progress: new ProgressBar(),
        log: (s) => process.stderr.write(`${s}\n`),
      }),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  // One row per task with its own metrics: tasks share few metric names, so one column per name would be mostly blank.
  const rows = sections.map(
    (s) =>
      `| ${s.task} | ${s.dataset} | ${Object.entries(s.metrics)
        .map(([k, v]) => `${k} ${formatMetric(v)}`)
        .join(", ")} | ${s.seconds.toFixed(0)} s |`,
  );
  process.stdout.write(`\n| task | data | metrics | time |\n|---|---|---|---|\n${rows.join("\n")}\n`);
  const file = join(o.out, "report.html");
  await writeTextAtomic("demo", file, renderReport(sections, { full: o.full, seconds }));
  await writeTextAtomic(
    "demo",
    join(o.out, "results.json"),
    `${JSON.stringify({ full: o.full, ...(o.only ? { only: tasks.map((t) => t.name) } : {}), seconds, sections: sections.map(({ samples: _s, ...rest }) => rest) }, null, 2)}\n`,
  );
  process.stdout.write(`\nreport: ${resolve(file)} (open it in a browser)\n`);
  return sections;
}
