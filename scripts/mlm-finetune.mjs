// Fine-tune on a labelled fraction: pre-trained encoder vs the same model from scratch.
// usage (after the build): node scripts/mlm-finetune.mjs <mlmDir> <data> <fraction> <seeds,comma> [epochs] [arms]
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as fl from "../dist/src/index.js";
const [mlm, data, frac, seedList, epochsArg, armsArg] = process.argv.slice(2);
const seeds = seedList.split(",").map(Number);
const epochs = epochsArg ? Number(epochsArg) : undefined;
const arms = (armsArg ?? "scratch,scratch-vocab,pretrained").split(",");
const { trainTextClassifier, textClassification } = fl.text;
const res = {};
for (const seed of seeds) {
  for (const arm of arms) {
    const t0 = Date.now();
    const out = join(tmpdir(), `flambeau-ft-${arm}-${seed}`);
    const o = { data, out, seed, model: "bert", labelFraction: Number(frac), epochs };
    if (arm !== "scratch") o.init = mlm;
    if (arm === "scratch-vocab") o.initWeights = false;
    const r = await trainTextClassifier(o);
    const m = await textClassification.evaluate(out, data);
    const line = { arm, seed, acc: m.accuracy, macroF1: m.macroF1, f1: m.f1PerClass, trainExamples: m.examples, bestEpoch: r.history.epochs.length, s: (Date.now() - t0) / 1000, load: (await import("node:os")).loadavg()[0] };
    console.log(JSON.stringify(line));
    (res[arm] ??= []).push(m.accuracy);
  }
}
for (const [arm, a] of Object.entries(res)) {
  const mean = a.reduce((x, y) => x + y, 0) / a.length;
  const sd = Math.sqrt(a.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, a.length - 1));
  console.log(`${arm}: mean ${(100 * mean).toFixed(2)}% ± ${(100 * sd).toFixed(2)} (sd over ${a.length} seeds; min ${(100 * Math.min(...a)).toFixed(2)}, max ${(100 * Math.max(...a)).toFixed(2)})`);
}
