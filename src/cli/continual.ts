// `flambeau continual`: one scenario, several strategies, one report (results.json and
// report.html with each strategy's accuracy matrix). The model is van de Ven & Tolias's
// split-MNIST network, a 2 × 400 ReLU MLP.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { writeTextAtomic } from "../io/atomic.js";
import {
  accuracyHeatmapSvg,
  type ContinualMode,
  type ContinualResult,
  continualReportHtml,
  loadContinualData,
  permutedScenario,
  runContinual,
  STRATEGIES,
  type StrategyName,
  splitScenario,
} from "../learn/continual/index.js";
import { ReLU } from "../nn/activation.js";
import { Sequential } from "../nn/container.js";
import { Linear } from "../nn/linear.js";
import { deterministically } from "../tasks/deterministic.js";
import { escapeHtml } from "../tasks/html.js";
import type { DemoOptions, DemoSection } from "../tasks/task.js";

export interface ContinualCliOptions {
  data: string;
  scenario: string;
  mode: string;
  strategies: string[];
  experiences: number;
  epochs: number;
  batchSize: number;
  lr: number;
  hidden: number;
  seed: number;
  /** One deterministic run (src/tasks/deterministic.ts): bit-identical results on this machine and thread count. */
  deterministic?: boolean;
  out: string;
  log: (line: string) => void;
}

export async function runContinualCli(o: ContinualCliOptions): Promise<ContinualResult[]> {
  return deterministically(o.deterministic, "continual", o.seed, o.log, () => continualRuns(o));
}

async function continualRuns(o: ContinualCliOptions): Promise<ContinualResult[]> {
  if (o.scenario !== "split" && o.scenario !== "permuted")
    throw new FlambeauError("E_ARG", `continual: --scenario must be split or permuted, got "${o.scenario}"`);
  if (!["task", "domain", "class"].includes(o.mode))
    throw new FlambeauError("E_ARG", `continual: --mode must be task, domain or class, got "${o.mode}"`);
  for (const s of o.strategies)
    if (!(s in STRATEGIES))
      throw new FlambeauError("E_ARG", `continual: unknown strategy "${s}"; strategies: ${Object.keys(STRATEGIES).join(", ")}`);
  const data = await loadContinualData(o.data);
  const scenario =
    o.scenario === "permuted"
      ? permutedScenario(data, { experiences: o.experiences, seed: o.seed, name: `permuted ${o.data} (${o.experiences} experiences)` })
      : splitScenario(data, {
          mode: o.mode as ContinualMode,
          classesPerTask: Math.floor(data.classes / o.experiences),
          name: `split ${o.data} (${o.experiences} experiences, ${o.mode}-incremental)`,
        });
  const features = data.train.x.shape[1]!;
  const makeModel = () =>
    new Sequential(
      new Linear(features, o.hidden),
      new ReLU(),
      new Linear(o.hidden, o.hidden),
      new ReLU(),
      new Linear(o.hidden, scenario.outputs),
    );
  const results: ContinualResult[] = [];
  for (const name of o.strategies) {
    const r = await runContinual({
      scenario,
      makeModel,
      strategy: STRATEGIES[name as StrategyName](),
      epochs: o.epochs,
      batchSize: o.batchSize,
      lr: o.lr,
      seed: o.seed,
      log: o.log,
    });
    o.log(`${name}: average accuracy ${(r.average * 100).toFixed(1)} %, backward transfer ${(r.backwardTransfer * 100).toFixed(1)} points`);
    results.push(r);
  }
  mkdirSync(o.out, { recursive: true });
  await writeTextAtomic("continual", join(o.out, "results.json"), `${JSON.stringify({ scenario: scenario.name, results }, null, 2)}\n`);
  await writeTextAtomic("continual", join(o.out, "report.html"), continualReportHtml(scenario.name, results));
  return results;
}

/**
 * The demo's continual-learning section: split digits, class-incremental, naive fine-tuning
 * against replay and joint training, one epoch per experience, each accuracy matrix drawn.
 */
export async function continualDemo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const epochs = o.full ? 4 : 1;
  const strategies = o.full ? ["naive", "ewc", "mas", "lwf", "replay", "joint"] : ["naive", "replay", "joint"];
  const results = await runContinualCli({
    data: "digits",
    scenario: "split",
    mode: "class",
    strategies,
    experiences: 5,
    epochs,
    batchSize: 128,
    lr: 1e-3,
    hidden: 400,
    seed: 0,
    out: o.out,
    log: o.log ?? (() => {}),
  });
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  return {
    task: "continual",
    dataset: "opencv-doc's handwritten digits, 5 experiences of 2 digits, class-incremental (one head over every digit seen)",
    commands: [`flambeau continual --data digits --mode class --strategies ${strategies.join(",")} --epochs ${epochs} --out ${o.out}`],
    metrics: Object.fromEntries(results.map((r) => [`${r.strategy}Average`, r.average])),
    history: [],
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `<p>Accuracy on each experience's digits (columns) after learning each experience in turn (rows). Without replay the network forgets every earlier pair; replaying 1,000 stored digits keeps them. ${results
      .map((r) => `${escapeHtml(r.strategy)}: average ${pct(r.average)}, backward transfer ${(100 * r.backwardTransfer).toFixed(1)} points`)
      .join("; ")}.</p><div>${results.map((r) => accuracyHeatmapSvg(r)).join("")}</div>`,
  };
}
