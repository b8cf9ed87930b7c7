// graph-generation: molecules with a property in a target range. A SMILES language model
// (LSTM) conditioned on the property value learns the training molecules' Kekulé SMILES;
// sampling is masked by the SMILES grammar and every atom's valence, and openchemlib judges
// each sample. Evaluation: validity, uniqueness, novelty, the target's hit rate and the
// property distribution (Wasserstein-1) beside random draws from the training set.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed } from "../../core/index.js";
import { mulberry32 } from "../../data/random.js";
import { writeTextAtomic } from "../../io/atomic.js";
import { plural } from "../../tasks/format.js";
import { type OptionValues, opt } from "../../tasks/options.js";
import { defineTask, type EvalArgs, type Predictor, type TaskTrainResult, type TrainInput } from "../../tasks/task.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { askFor, type Calibration, calibrateCondition } from "../generation/calibrate.js";
import { prepareCorpus } from "../generation/corpus.js";
import { generationDemo } from "../generation/demo.js";
import { fitSmilesLm, type Standardizer, standardizer } from "../generation/fit.js";
import { type GenerationMetrics, generationMetrics, type ScoredSample } from "../generation/metrics.js";
import { SmilesLM, type SmilesLmHyper } from "../generation/model.js";
import { MOLECULE_PROPERTIES } from "../generation/properties.js";
import { sampleSmiles, targetValues } from "../generation/sample.js";
import { scoreAll, scoreSmiles } from "../generation/score.js";
import { formatTarget, inRange, parseTarget, type TargetRange } from "../generation/target.js";
import { SmilesVocabulary } from "../generation/tokens.js";
import { BUILTIN_MOLECULE_SETS } from "../molecules/datasets.js";

const NAME = "graph-generation";
const TRAINING_SET_FILE = "training-set.json";
const DEFAULT_GUIDANCE = 1;

const OPTIONS = {
  property: opt.choice(Object.keys(MOLECULE_PROPERTIES), "property the generator is conditioned on (openchemlib computes it)", {
    phases: ["train"],
    default: "logp",
  }),
  target: opt.string("property range LO:HI to generate in (default at train: the training set's upper quartile)", {
    phases: ["train", "eval", "predict"],
  }),
  n: opt.int("molecules to generate (train's report 500, eval 1000, predict 10 by default)", { phases: ["train", "eval", "predict"] }),
  temperature: opt.number("sampling temperature (default 1)", { phases: ["eval", "predict"], positive: true }),
  uncalibrated: opt.flag("ask the model for the wanted values as they are, without the condition's calibration", {
    phases: ["eval", "predict"],
  }),
  guidance: opt.number(
    `classifier-free guidance weight: 0 samples the plain conditional model, more pushes harder towards the target (default ${DEFAULT_GUIDANCE})`,
    {
      phases: ["train", "eval", "predict"],
    },
  ),
};
type Options = OptionValues<typeof OPTIONS>;

interface Preprocessing {
  data: string;
  property: string;
  limit: number | null;
  seed: number;
  tokens: string[];
  standardizer: Standardizer;
  target: TargetRange;
  maxTokens: number;
  /** Wanted value → asked value (calibrate.ts); absent in models saved before it. */
  calibration?: Calibration;
}

interface TrainingSet {
  keys: string[];
  values: number[];
}

export interface GeneratedMolecule {
  smiles: string;
  property: string;
  value: number;
  inTarget: boolean;
  /** Not in the training set. */
  novel: boolean;
}

export interface GenerationTrainResult extends TaskTrainResult {
  model: SmilesLM;
  evaluation: GenerationReport;
  samples: GeneratedMolecule[];
}

export interface GenerationReport extends GenerationMetrics {
  target: string;
  property: string;
  /** Training molecules inside the target range: the hit rate of random draws from the training set. */
  baseRate: number;
  /** The same metrics for n random draws from the training set. */
  baseline: GenerationMetrics;
}

/** The training set's upper quartile: a target that asks for a shift from its typical molecule. */
function defaultTarget(values: readonly number[]): TargetRange {
  const s = [...values].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.floor(f * s.length))]!;
  return { lo: Number(q(0.75).toFixed(2)), hi: Number(q(1).toFixed(2)) };
}

/** Generates and scores n samples against the training set, beside n random training molecules. */
function evaluateGenerator(
  model: SmilesLM,
  pre: Preprocessing,
  vocab: SmilesVocabulary,
  training: TrainingSet,
  target: TargetRange,
  o: { n: number; temperature: number; guidance: number; seed: number; uncalibrated?: boolean },
): { report: GenerationReport; smiles: (string | null)[]; scored: ScoredSample[] } {
  const conds = askedValues(pre, training.values, target, o.n, o.seed, o.uncalibrated);
  const smiles = sampleSmiles(model, vocab, pre.standardizer, conds, {
    temperature: o.temperature,
    guidance: o.guidance,
    seed: o.seed,
    maxTokens: pre.maxTokens,
  });
  const scored = scoreAll(smiles, pre.property);
  const ref = { keys: new Set(training.keys), values: training.values };
  const rand = mulberry32(o.seed + 31);
  const draws: ScoredSample[] = Array.from({ length: o.n }, () => {
    const i = Math.floor(rand() * training.keys.length);
    return { key: training.keys[i]!, value: training.values[i]! };
  });
  return {
    report: {
      ...generationMetrics(scored, ref, target),
      target: formatTarget(target),
      property: pre.property,
      baseRate: training.values.filter((v) => inRange(v, target)).length / training.values.length,
      baseline: generationMetrics(draws, ref, target),
    },
    smiles,
    scored,
  };
}

/** Condition values for n samples in the target range, through the calibration unless told not to. */
function askedValues(pre: Preprocessing, training: readonly number[], target: TargetRange, n: number, seed: number, raw = false): number[] {
  const wanted = targetValues(training, target.lo, target.hi, n, seed);
  return raw || !pre.calibration ? wanted : wanted.map((v) => askFor(pre.calibration!, v));
}

const summary = (r: GenerationReport) =>
  `validity ${(100 * r.validity).toFixed(1)} %, uniqueness ${(100 * r.uniqueness).toFixed(1)} %, novelty ${(100 * r.novelty).toFixed(1)} %, ` +
  `hit rate ${(100 * r.hitRate).toFixed(1)} % in ${r.property} ${r.target} (training base rate ${(100 * r.baseRate).toFixed(1)} %), ` +
  `W1 to training ${r.w1ToTraining.toFixed(3)} (random training draws ${r.baseline.w1ToTraining.toFixed(3)})`;

async function train(o: TrainInput & Options): Promise<GenerationTrainResult> {
  const { seed, log } = o;
  if (o.val) throw new FlambeauError("E_ARG", `${NAME}: --val is not used; 10 % of --data is held out for the validation loss`, NAME);
  const property = o.property ?? "logp";
  // A bad range fails before the (slow) parse of the data.
  const given = o.target !== undefined ? parseTarget(o.target, NAME) : undefined;
  const corpus = prepareCorpus(o.data, property, { limit: o.limit, log });
  const target = given ?? defaultTarget(corpus.values);
  const n = corpus.smiles.length;
  const rand = mulberry32(seed + 17);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nVal = Math.max(1, Math.round(n * 0.1));
  const split = { train: order.slice(nVal), val: order.slice(0, nVal) };
  const norm = standardizer(split.train.map((i) => corpus.values[i]!));
  const seqs = corpus.smiles.map((s) => corpus.vocab.encode(s)!);
  const epochs = o.epochs ?? 14;
  const lr = o.lr ?? 3e-3;
  const batchSize = o.batchSize ?? 64;
  const hyper: SmilesLmHyper = { vocabSize: corpus.vocab.size, embedDim: 64, hidden: 256, layers: 1, dropout: 0.1, conditionBins: 16 };
  const dropped = Object.entries(corpus.dropped)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");
  log(
    `${NAME}: ${o.data}: ${n} molecules (${dropped || "none"} left out), ${corpus.vocab.size} tokens; ${property} ` +
      `mean ${norm.mean.toFixed(2)} ± ${norm.std.toFixed(2)}; target ${formatTarget(target)}; split ${split.train.length}/${split.val.length}; ` +
      `LSTM ${hyper.layers}×${hyper.hidden}, ${plural(epochs, "epoch")}, lr ${lr}, batch ${batchSize}, seed ${seed}`,
  );
  manualSeed(seed);
  const model = new SmilesLM(hyper);
  const fit = await fitSmilesLm(model, { seqs, conds: corpus.values.map((v) => (v - norm.mean) / norm.std) }, split, {
    epochs,
    lr,
    batchSize,
    seed,
    progress: o.progress,
  });
  const pre: Preprocessing = {
    data: o.data,
    property,
    limit: o.limit ?? null,
    seed,
    tokens: [...corpus.vocab.tokens],
    standardizer: norm,
    target,
    maxTokens: Math.min(250, Math.max(...seqs.map((s) => s.length)) + 10),
  };
  const training: TrainingSet = { keys: split.train.map((i) => corpus.keys[i]!), values: split.train.map((i) => corpus.values[i]!) };
  const guidance = o.guidance ?? DEFAULT_GUIDANCE;
  pre.calibration = calibrateCondition(model, corpus.vocab, norm, property, training.values, {
    guidance,
    seed: seed + 5,
    maxTokens: pre.maxTokens,
    // Small reports (tests) calibrate on fewer samples.
    perPoint: Math.max(8, Math.min(40, Math.round((o.n ?? 500) / 10))),
  });
  const c = pre.calibration;
  log(`${NAME}: calibration: achieved ${property} ≈ ${c.slope.toFixed(3)} × asked + ${c.intercept.toFixed(3)}`);
  const nSamples = o.n ?? 500;
  const ev = evaluateGenerator(model, pre, corpus.vocab, training, target, {
    n: nSamples,
    temperature: 1,
    guidance,
    seed,
  });
  log(`${NAME}: best epoch ${fit.bestEpoch} (${fit.seconds.toFixed(1)} s); ${nSamples} samples: ${summary(ev.report)}`);
  await saveModelDir<SmilesLmHyper, Preprocessing>(
    o.out,
    {
      task: NAME,
      architecture: "smiles-lstm",
      hyper: { ...hyper },
      preprocessing: pre,
      metrics: { ...ev.report, epochs, lr, batchSize, seed, bestEpoch: fit.bestEpoch, seconds: fit.seconds },
    },
    model.stateDict(),
  );
  await writeTextAtomic(NAME, join(o.out, TRAINING_SET_FILE), `${JSON.stringify(training)}\n`);
  const trainingKeys = new Set(training.keys);
  const samples = ev.smiles.flatMap((s) => {
    const r = scoreSmiles(s, property);
    return r ? [{ smiles: r.smiles, property, value: r.value, inTarget: inRange(r.value, target), novel: !trainingKeys.has(r.key) }] : [];
  });
  return {
    dir: o.out,
    metrics: { ...ev.report, valLoss: fit.epochs[fit.bestEpoch - 1]?.valLoss },
    history: { epochs: fit.epochs, seconds: fit.seconds, samplesPerSecond: (split.train.length * epochs) / fit.seconds },
    model,
    evaluation: ev.report,
    samples,
  };
}

async function loadGenerator(dir: string) {
  const { config, weights } = await loadModelDir<SmilesLmHyper, Preprocessing>(dir, NAME);
  const pre = config.preprocessing!;
  const path = join(dir, TRAINING_SET_FILE);
  let training: TrainingSet;
  try {
    training = JSON.parse(readFileSync(path, "utf8")) as TrainingSet;
  } catch (e) {
    throw new FlambeauError("E_IO", `${NAME}: cannot read ${path} (written by train): ${(e as Error).message}`, NAME);
  }
  const model = new SmilesLM(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, pre, vocab: new SmilesVocabulary(pre.tokens), training };
}

async function evaluate(dir: string, data: string, o: EvalArgs & Options): Promise<Record<string, unknown>> {
  const g = await loadGenerator(dir);
  try {
    const target = o.target !== undefined ? parseTarget(o.target, NAME) : g.pre.target;
    // Another set is the reference for novelty and the property distribution.
    const training =
      data === g.pre.data
        ? g.training
        : (() => {
            const c = prepareCorpus(data, g.pre.property, { limit: o.limit });
            return { keys: c.keys, values: c.values };
          })();
    const { report } = evaluateGenerator(g.model, g.pre, g.vocab, training, target, {
      n: o.n ?? 1000,
      temperature: o.temperature ?? 1,
      guidance: o.guidance ?? DEFAULT_GUIDANCE,
      seed: g.pre.seed,
      uncalibrated: o.uncalibrated ?? false,
    });
    return { ...report, reference: data === g.pre.data ? `training set of ${data}` : data };
  } finally {
    g.model.dispose();
  }
}

async function load(dir: string): Promise<Predictor<GeneratedMolecule, Options>> {
  const g = await loadGenerator(dir);
  const keys = new Set(g.training.keys);
  let calls = 0;
  return {
    task: NAME,
    async predict(inputs, o = {}) {
      if (inputs.length > 0)
        throw new FlambeauError(
          "E_ARG",
          `${NAME}: predict takes no inputs (got ${inputs.length}); say how many molecules with --n and the range with --target LO:HI`,
          NAME,
        );
      const target = o.target !== undefined ? parseTarget(o.target, NAME) : g.pre.target;
      const n = o.n ?? 10;
      const out: GeneratedMolecule[] = [];
      // Masked sampling is valid almost always; a few rounds top up the rare unfinished string.
      for (let round = 0; round < 5 && out.length < n; round++) {
        const seed = g.pre.seed + 1000 * ++calls;
        const conds = askedValues(g.pre, g.training.values, target, n - out.length, seed, o.uncalibrated);
        for (const s of sampleSmiles(g.model, g.vocab, g.pre.standardizer, conds, {
          temperature: o.temperature ?? 1,
          guidance: o.guidance ?? DEFAULT_GUIDANCE,
          seed,
          maxTokens: g.pre.maxTokens,
        })) {
          const r = scoreSmiles(s, g.pre.property);
          if (r)
            out.push({
              smiles: r.smiles,
              property: g.pre.property,
              value: r.value,
              inTarget: inRange(r.value, target),
              novel: !keys.has(r.key),
            });
        }
      }
      return out;
    },
    dispose: () => g.model.dispose(),
  };
}

function formatPrediction(p: GeneratedMolecule): string {
  return `${p.smiles}  ${p.property} ${p.value.toFixed(2)}${p.inTarget ? " (in target)" : ""}${p.novel ? "" : " (in training set)"}`;
}

export const graphGeneration = defineTask<typeof OPTIONS, GeneratedMolecule>({
  name: NAME,
  description:
    "generate molecules with a property (logP, TPSA, molecular weight) in a target range: a conditional SMILES LSTM sampled under grammar and valence masks; validity, uniqueness, novelty, hit rate, property W1",
  dataFormat:
    `molecules as for graph-regression: a built-in set (${Object.keys(BUILTIN_MOLECULE_SETS).join(", ")}; Debian's rdkit-data), ` +
    'a CSV with "smiles" and "label" columns, or "file.sdf:FIELD"; the labels are not used (the property is computed); largest fragment of each molecule, 90/10 random split',
  models: ["smiles-lstm"],
  defaultModel: "smiles-lstm",
  options: OPTIONS,
  baseline: "random draws from the training set (hit rate = the training set's base rate in the target range)",
  train,
  evaluate,
  load,
  formatPrediction,
  demo: (o) => generationDemo(o, train),
});
