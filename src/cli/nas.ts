// `flambeau nas`: a search of a conv cell (regularized evolution or DARTS) on a slice of an
// image set, the found cell retrained beside small-cnn at the same parameter count
// (src/learn/nas); writes <out>/nas.json and <out>/genotype.json.

import { type Command, InvalidArgumentError, Option } from "commander";

const int =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got "${v}"`);
    return n;
  };
const positive =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got "${v}"`);
    return n;
  };

const count =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${v}"`);
    return n;
  };

const seedArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`seed must be a non-negative integer, got "${v}"`);
  return n;
};

interface NasCliOptions {
  method: "evolution" | "darts";
  population: number;
  sample: number;
  cycles: number;
  steps: number;
  searchVal?: number;
  warmupEpochs?: number;
  maxSkip: number;
  retrain: boolean;
  data: string;
  val?: string;
  out: string;
  searchLimit: number;
  searchEpochs: number;
  trainLimit?: number;
  testLimit: number;
  epochs: number;
  channels: number;
  nodes: number;
  cells: number;
  width: number;
  batchSize: number;
  lr: number;
  alphaLr: number;
  retrainLr: number;
  seed: number;
  json?: boolean;
}

export function addNasCommand(program: Command): void {
  program
    .command("nas")
    .description(
      "architecture search (regularized evolution or DARTS, first order): a conv cell searched on a slice of an image set, then retrained beside small-cnn at the same parameter count; <out>/nas.json, <out>/genotype.json (train it with `train image-classification --model nas-cell --genotype <out>`)",
    )
    .addOption(new Option("--method <m>", "search method").choices(["evolution", "darts"]).default("evolution"))
    .option("--population <n>", "evolution: population size P", int("population"), 8)
    .option("--sample <n>", "evolution: the parent is the best of this many members drawn at random", int("sample"), 3)
    .option("--cycles <n>", "evolution: cells scored in all, the random population included", int("cycles"), 24)
    .option("--steps <n>", "evolution: proxy training steps per cell", int("steps"), 200)
    .option("--search-val <n>", "evolution: search images held out to score each cell (default a fifth)", int("search-val"))
    .option(
      "--warmup-epochs <n>",
      "DARTS: first epochs that train the weights only, α frozen (default 1 when --search-epochs ≥ 2)",
      count("warmup-epochs"),
    )
    .option("--max-skip <n>", "DARTS: most skip-connections in the derived cell", count("max-skip"), 2)
    .option("--no-retrain", "search only: skip retraining the cell and small-cnn here")
    .option("--data <path>", "training images: an IDX folder, an ImageFolder or fashion-mnist", "fashion-mnist")
    .option("--val <path>", "test images (default: the test split of --data)")
    .requiredOption("--out <dir>", "folder for nas.json (the cell, α, both networks' sizes and accuracies)")
    .option("--search-limit <n>", "images the search sees (DARTS halves them between the weights and α)", int("search-limit"), 3000)
    .option("--search-epochs <n>", "DARTS: epochs of the search", int("search-epochs"), 3)
    .option("--train-limit <n>", "images both networks are retrained on (default: --search-limit)", int("train-limit"))
    .option("--test-limit <n>", "test images scored", int("test-limit"), 2000)
    .option("--epochs <n>", "retraining epochs of both networks", int("epochs"), 3)
    .option("--channels <n>", "channels per node during the search (DARTS's network, evolution's proxy)", int("channels"), 8)
    .option("--nodes <n>", "intermediate nodes per cell", int("nodes"), 3)
    .option("--cells <n>", "cells (a 2×2 max-pool before each after the first)", int("cells"), 2)
    .option("--width <n>", "small-cnn's width; the cell network is sized to its parameter count", int("width"), 8)
    .option("--batch-size <n>", "batch size of the search and the retraining", int("batch-size"), 64)
    .option("--lr <x>", "DARTS: peak learning rate of the weights (SGD)", positive("lr"), 0.05)
    .option("--alpha-lr <x>", "search: learning rate of α (Adam)", positive("alpha-lr"), 3e-3)
    .option("--retrain-lr <x>", "retraining: peak learning rate of both networks (Adam)", positive("retrain-lr"), 2e-3)
    .option("--seed <n>", "seed of the split, the initialisations and the batches", seedArg, 0)
    .option("--json", "print nas.json's figures as one JSON object")
    .action(async (o: NasCliOptions) => {
      const { runNas } = await import("../learn/nas/compare.js");
      const quiet = Boolean(o.json);
      const r = await runNas({ ...o, log: quiet ? () => {} : (s) => process.stderr.write(`${s}\n`) });
      const summary = {
        out: o.out,
        method: r.method,
        genotype: r.genotype,
        match: r.match,
        cell: r.cell,
        smallCnn: r.smallCnn,
        search: { seconds: r.search.seconds },
      };
      const lines = [
        `cell: ${JSON.stringify(r.genotype.nodes)}`,
        `equal size: --width ${r.match.channels} (${r.match.parameters} parameters; small-cnn width ${r.match.width}: ${r.match.smallCnnParameters})`,
        ...(r.cell && r.smallCnn
          ? [
              `cell network: ${r.cell.parameters} parameters, test accuracy ${r.cell.accuracy.toFixed(4)}`,
              `small-cnn: ${r.smallCnn.parameters} parameters, test accuracy ${r.smallCnn.accuracy.toFixed(4)}`,
            ]
          : []),
      ];
      process.stdout.write(quiet ? `${JSON.stringify(summary)}\n` : `${lines.join("\n")}\n`);
    });
}
