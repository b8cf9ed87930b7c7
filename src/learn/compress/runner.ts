// `flambeau compress`: from one saved classification model, writes pruned, quantized and
// distilled variants as model directories and re-evaluates each with the task's own evaluate:
// weights size (stored and gzipped), parameters (non-zero of total), the metric, and evaluation
// time per example. Fine-tuning and distillation train through the task's own train (its data,
// preprocessing and schedule), with the run settings carrying the pruning masks and the
// teacher's loss into its Trainer.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tidy } from "../../core/index.js";
import { load, save } from "../../io/index.js";
import type { Module } from "../../nn/index.js";
import { supportedQuantizedEngines } from "../../quant/engine.js";
import type { QuantizationPlan } from "../../quant/quantize.js";
import type { Task } from "../../tasks/task.js";
import { readModelConfig } from "../../train/model-dir.js";
import { setRunSettings } from "../../train/run-settings.js";
import { checkDistillation, distillationLoss, parseStudent } from "./distill.js";
import { FeatureDistiller, featurePair } from "./feature-distill.js";
import { int8KernelPlan } from "./int8-kernels.js";
import { type Latency, measureLatency } from "./latency.js";
import { layersByName, prunableWeights } from "./layers.js";
import { applyMasks, foldMasks, pruningMasks, removePruning } from "./masks.js";
import { annotate, weightsSize, writeVariant } from "./model-dir.js";
import { checkAmount, iterativePrune } from "./pruning.js";
import { quantizationAwareTrain } from "./qat.js";
import { quantizedStateDict, WEIGHT_STORAGES, type WeightStorage } from "./quantize.js";
import { loadRewindPoint, rewound } from "./rewind.js";
import { canShrink, maskFollowers, shrinkStateDict, writeShrunkConfig } from "./shrink.js";
import { formatSparsity, sparsity } from "./sparsity.js";

export interface CompressOptions {
  /** The saved model directory. */
  dir: string;
  out: string;
  /** Evaluation data (the task's --data for eval: a built-in name or a path). */
  data: string;
  /** Training data for fine-tuning and distillation (default: `data`). */
  trainData?: string;
  /** Pruning amounts; each gives one variant. */
  prune?: readonly number[];
  structured?: boolean;
  /** Unstructured pruning of the same fraction in every layer, instead of one global threshold. */
  perLayer?: boolean;
  /** Structured pruning that rebuilds the net with the pruned channels removed (implies `structured`). */
  shrink?: boolean;
  /** Layers to prune (default: every Linear / convolution). */
  layers?: readonly string[];
  /** Pruning steps, each followed by `fineTuneEpochs` of training when that is > 0. */
  pruneSteps?: number;
  fineTuneEpochs?: number;
  fineTuneLr?: number;
  /**
   * Lottery-ticket rewinding: before each fine-tuning round the unpruned weights are reset to
   * this model directory's (or .safetensors file's) — the same architecture at initialization or
   * early in training — instead of kept at their trained values. Needs `fineTuneEpochs` > 0.
   */
  rewind?: string;
  quantize?: WeightStorage;
  keepFloat?: readonly string[];
  /** int8: the quantized engine the variant is packed for (onednn, qnnpack; default libtorch's). */
  qengine?: string;
  /** int8 static quantization: calibration examples (default 256) read from the training data. */
  calibrationLimit?: number;
  /** int8: also write an `int8-qat` variant, fine-tuned quantization-aware for this many epochs. */
  qatEpochs?: number;
  /** A model of the task's zoo to train as the student, with train options: `small-cnn:width=15`. */
  distillTo?: string;
  /** Feature distillation (FitNets): "teacherLayer:studentLayer" or "auto" (the last convolutions). */
  featureDistill?: string | boolean;
  /** Weight of the feature (hint) loss (default 1). */
  hintWeight?: number;
  distillEpochs?: number;
  temperature?: number;
  alpha?: number;
  /** Also time each variant's forward: one example and a batch of 256 of the evaluation data. */
  latency?: boolean;
  /** Evaluate on at most this many examples. */
  limit?: number;
  /** Train (fine-tune, distil) on at most this many examples. */
  trainLimit?: number;
  batchSize?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface VariantResult {
  variant: string;
  dir: string;
  bytes: number;
  gzipBytes: number;
  parameters: number;
  nonzero: number;
  metric: string;
  value: number;
  msPerExample: number;
  /** With `latency`: median forward ms of one example and of a batch (`batch` examples). */
  latency?: Latency;
  /** Per-layer sparsity of pruned variants. */
  layers?: { name: string; sparsity: number }[];
}

/**
 * The metric a classification task's evaluate reports first, as a fraction. A task that reports
 * its model beside baselines nests the model's scores under `model`, in % (relation extraction's
 * macro-F1): those are read there and divided by 100.
 */
function headline(m: Record<string, unknown>): [string, number] {
  const nested = m.model;
  if (nested !== null && typeof nested === "object" && !Array.isArray(nested)) {
    const [k, v] = headline(nested as Record<string, unknown>);
    return [k, v / 100];
  }
  for (const k of ["accuracy", "macroF1", "f1"]) if (typeof m[k] === "number") return [k, m[k] as number];
  const first = Object.entries(m).find(([k, v]) => typeof v === "number" && k !== "examples" && k !== "loss");
  if (!first) throw new FlambeauError("E_STATE", "compress: the task's evaluate reports no metric");
  return [first[0], first[1] as number];
}

/** How many examples an evaluation scored, under the name its task reports them by (1 when it names none). */
function evaluatedCount(m: Record<string, unknown>): number {
  for (const k of ["examples", "images", "clips", "sentences", "molecules", "nodes", "tokens"])
    if (typeof m[k] === "number" && (m[k] as number) > 0) return m[k] as number;
  return 1;
}

function validate(o: CompressOptions, task: Task): void {
  const op = "compress";
  for (const a of o.prune ?? []) checkAmount(op, a, "--prune");
  if (o.quantize !== undefined && !WEIGHT_STORAGES.includes(o.quantize))
    throw new FlambeauError("E_ARG", `${op}: --quantize must be one of ${WEIGHT_STORAGES.join(", ")}, got "${o.quantize}"`, op);
  const student = o.distillTo === undefined ? undefined : parseStudent(op, o.distillTo).model;
  if (student !== undefined && !task.models.includes(student))
    throw new FlambeauError("E_ARG", `${op}: --distill-to "${student}" is not a ${task.name} model; models: ${task.models.join(", ")}`, op);
  if (o.featureDistill !== undefined && o.distillTo === undefined)
    throw new FlambeauError("E_ARG", `${op}: --feature-distill needs a student (--distill-to)`, op);
  if (o.hintWeight !== undefined && !(Number.isFinite(o.hintWeight) && o.hintWeight >= 0))
    throw new FlambeauError("E_ARG", `${op}: --hint-weight must be a number ≥ 0, got ${o.hintWeight}`, op);
  if (o.qengine !== undefined && !supportedQuantizedEngines().includes(o.qengine))
    throw new FlambeauError("E_ARG", `${op}: --qengine must be one of ${supportedQuantizedEngines().join(", ")}, got "${o.qengine}"`, op);
  checkDistillation(op, o);
  if (o.qatEpochs && o.quantize !== "int8") throw new FlambeauError("E_ARG", `${op}: --qat-epochs needs --quantize int8`, op);
  if (o.perLayer && (o.structured || o.shrink))
    throw new FlambeauError("E_ARG", `${op}: --per-layer is for unstructured pruning; structured pruning is per layer already`, op);
  if (o.rewind !== undefined && !(o.prune?.length && (o.fineTuneEpochs ?? 0) > 0))
    throw new FlambeauError("E_ARG", `${op}: --rewind needs --prune and --fine-tune-epochs > 0 (the rewound weights are retrained)`, op);
  for (const [k, v] of [
    ["pruneSteps", o.pruneSteps],
    ["fineTuneEpochs", o.fineTuneEpochs],
    ["distillEpochs", o.distillEpochs],
    ["qatEpochs", o.qatEpochs],
  ] as const)
    if (v !== undefined && !(Number.isInteger(v) && v >= (k === "pruneSteps" ? 1 : 0)))
      throw new FlambeauError("E_ARG", `${op}: ${k} must be an integer ≥ ${k === "pruneSteps" ? 1 : 0}, got ${v}`, op);
  if (!task.loadModule)
    throw new FlambeauError(
      "E_ARG",
      `${op}: the ${task.name} task does not expose its model (loadModule); compress works on classification tasks`,
      op,
    );
}

/** Trains through the task with the run's settings, then clears them. */
async function trainThrough(task: Task, o: CompressOptions, args: Record<string, unknown>, settings: Parameters<typeof setRunSettings>[0]) {
  setRunSettings(settings);
  try {
    return await task.train({
      data: o.trainData ?? o.data,
      seed: o.seed ?? 0,
      ...(o.trainLimit !== undefined ? { limit: o.trainLimit } : {}),
      ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
      ...args,
    } as Parameters<Task["train"]>[0]);
  } finally {
    setRunSettings({});
  }
}

/**
 * The saved net's own hyper-parameters that are train options of its task (small-cnn's width and
 * depth, a text model's embedding size…), so that fine-tuning and quantization-aware training
 * rebuild the same net the weights came from rather than the task's default one.
 */
function sameNetOptions(task: Task, config: { architecture: string; hyper?: unknown }): Record<string, unknown> {
  const out: Record<string, unknown> = { model: config.architecture };
  for (const [k, v] of Object.entries((config.hyper ?? {}) as Record<string, unknown>))
    if (k !== "model" && task.options[k]?.phases.includes("train") && ["number", "string", "boolean"].includes(typeof v)) out[k] = v;
  return out;
}

export async function compressModelDir(task: Task, o: CompressOptions): Promise<VariantResult[]> {
  validate(o, task);
  const log = o.log ?? (() => {});
  const loadModule = task.loadModule!;
  const config = readModelConfig(o.dir, task.name);
  mkdirSync(o.out, { recursive: true });
  const work = join(o.out, ".work");
  const results: VariantResult[] = [];

  const measure = async (variant: string, dir: string, extra: Partial<VariantResult> = {}) => {
    const t0 = performance.now();
    const m = await task.evaluate(dir, o.data, {
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      ...(o.batchSize ? { batchSize: o.batchSize } : {}),
    });
    const ms = performance.now() - t0;
    const model = await loadModule(dir);
    const s = sparsity(model);
    model.dispose();
    const [metric, value] = headline(m);
    const examples = evaluatedCount(m);
    const r: VariantResult = {
      variant,
      dir,
      ...weightsSize(dir),
      parameters: s.parameters,
      nonzero: s.nonzero,
      metric,
      value,
      msPerExample: ms / examples,
      ...(o.latency ? { latency: await measureLatency(task, dir, o.data, { runs: 10, singleRuns: 50 }) } : {}),
      ...extra,
    };
    const l = r.latency;
    const timing = l
      ? `${l.singleMs === null ? "" : `, ${l.singleMs.toFixed(2)} ms / example`}, ${l.batchMs.toFixed(1)} ms / ${l.batch ?? "whole input"}`
      : "";
    log(
      `${variant}: ${metric} ${value.toFixed(4)}, ${(r.bytes / 1e6).toFixed(3)} MB, ${r.nonzero} of ${r.parameters} parameters non-zero${timing}`,
    );
    results.push(r);
    return r;
  };

  const quantizeDir = async (from: string, variant: string, given?: QuantizationPlan) => {
    const model = await loadModule(from);
    const q = quantizedStateDict(model, { dtype: o.quantize!, ...(o.keepFloat ? { keepFloat: o.keepFloat } : {}) });
    // int8 variants also run libtorch's quantized kernels: the plan rebuilds them at load.
    const plan =
      given ??
      (o.quantize === "int8"
        ? await int8KernelPlan(task, from, model, {
            data: o.trainData ?? o.data,
            log,
            ...(o.calibrationLimit !== undefined ? { calibrationLimit: o.calibrationLimit } : {}),
            ...(o.batchSize ? { batchSize: o.batchSize } : {}),
            ...(o.keepFloat ? { keepFloat: o.keepFloat } : {}),
            ...(o.qengine !== undefined ? { engine: o.qengine } : {}),
          })
        : undefined);
    const dir = join(o.out, variant);
    await writeVariant(from, dir, q.weights, {
      quantization: o.quantize,
      quantizedLayers: q.layers.map((l) => l.layer),
      ...(plan ? { int8Kernels: plan } : {}),
    });
    for (const t of q.weights.values()) t.dispose();
    model.dispose();
    return measure(variant, dir);
  };

  // Layer names are checked before the slow part (evaluations, training).
  if (o.layers !== undefined || o.keepFloat !== undefined) {
    const model = await loadModule(o.dir);
    try {
      if (o.layers !== undefined) prunableWeights("compress", model, { layers: o.layers });
      if (o.keepFloat !== undefined) layersByName("compress", model, o.keepFloat);
    } finally {
      model.dispose();
    }
  }
  // A first pass warms the data files' cache and the JIT, so the baseline's time is not the slowest by accident.
  await task.evaluate(o.dir, o.data, { limit: 1 });
  if (o.shrink && !canShrink(config.architecture))
    throw new FlambeauError(
      "E_ARG",
      `compress: --shrink rebuilds small-cnn only, not "${config.architecture}"; use --structured (masks)`,
      "compress",
    );
  await measure("baseline", o.dir);

  let lastPruned: string | undefined;
  const rewindPoint = o.rewind !== undefined ? await loadRewindPoint(o.rewind) : undefined;
  const net = sameNetOptions(task, config);
  for (const amount of o.prune ?? []) {
    const structured = o.structured || o.shrink;
    const kind = o.shrink ? "-shrunk" : structured ? "-structured" : o.perLayer ? "-per-layer" : "";
    const variant = `pruned-${Math.round(amount * 100)}${kind}${rewindPoint ? "-rewound" : ""}`;
    const model = await loadModule(o.dir);
    manualSeed(o.seed ?? 0);
    const epochs = o.fineTuneEpochs ?? 0;
    await iterativePrune(model, {
      amount,
      steps: o.pruneSteps ?? 1,
      ...(structured ? { structured: true } : {}),
      ...(o.perLayer ? { perLayer: true } : {}),
      ...(o.layers ? { layers: o.layers } : {}),
      // --shrink masks the pruned channels' biases and BatchNorms too, so removing them changes nothing.
      ...(epochs > 0 || o.shrink
        ? {
            fineTune: async (m, step) => {
              if (o.shrink) maskFollowers(m);
              if (epochs > 0) await fineTune(task, o, net, m, step, work, log, rewindPoint);
            },
          }
        : {}),
    });
    const report = sparsity(model);
    log(`${variant}: sparsity per layer\n${formatSparsity(report)}`);
    const layers = report.layers.map((l) => ({ name: l.name, sparsity: l.sparsity }));
    removePruning(model);
    const dir = join(o.out, variant);
    const shrunk = o.shrink ? shrinkStateDict(model) : undefined;
    await writeVariant(o.dir, dir, shrunk?.weights ?? model.stateDict(), {
      pruned: {
        amount,
        structured: Boolean(structured),
        ...(o.perLayer ? { perLayer: true } : {}),
        steps: o.pruneSteps ?? 1,
        fineTuneEpochs: epochs,
        shrunk: Boolean(shrunk),
        ...(o.rewind !== undefined ? { rewoundTo: o.rewind } : {}),
      },
    });
    if (shrunk) await writeShrunkConfig(dir, shrunk.layers);
    model.dispose();
    await measure(variant, dir, { layers });
    lastPruned = dir;
  }
  for (const t of rewindPoint?.values() ?? []) t.dispose();

  if (o.quantize !== undefined) {
    await quantizeDir(o.dir, o.quantize);
    if (o.qatEpochs) {
      const out = join(work, "qat");
      const model = await loadModule(o.dir);
      const plan = await quantizationAwareTrain(model, {
        from: o.dir,
        out,
        architecture: config.architecture,
        epochs: o.qatEpochs,
        lr: o.fineTuneLr ?? 5e-4,
        log,
        ...(o.qengine !== undefined ? { engine: o.qengine } : {}),
        train: (a, s) => trainThrough(task, o, { ...net, ...a }, s),
      });
      model.dispose();
      await quantizeDir(out, `${o.quantize}-qat`, plan);
    }
    if (lastPruned !== undefined) await quantizeDir(lastPruned, `${lastPruned.split(/[/\\]/).pop()}+${o.quantize}`);
  }

  if (o.distillTo !== undefined) {
    const student = parseStudent("compress", o.distillTo);
    const variant = `student-${o.distillTo.replace(/[^A-Za-z0-9.-]+/g, "-")}${o.featureDistill ? "-fitnet" : ""}`;
    const dir = join(o.out, variant);
    const teacher = await loadModule(o.dir);
    const { temperature, alpha } = checkDistillation("compress", o);
    const features =
      o.featureDistill === undefined || o.featureDistill === false
        ? undefined
        : new FeatureDistiller(teacher, featurePair("compress", o.featureDistill === true ? "auto" : o.featureDistill, teacher));
    const hintWeight = o.hintWeight ?? 1;
    let used = false;
    const distill = (forwardOn: (m: Module) => Tensor, out: Tensor, y: Tensor): Tensor => {
      used = true;
      const t = noGrad(() => forwardOn(teacher));
      const kd = distillationLoss(out, t, y, { temperature, alpha });
      return features ? kd.add(features.loss().mul(hintWeight)) : kd;
    };
    log(
      `distilling ${config.architecture} into ${o.distillTo} (T ${temperature}, alpha ${alpha}${features ? `, hint ${features.teacherLayer} → ${features.studentLayer} × ${hintWeight}` : ""})`,
    );
    try {
      await trainThrough(
        task,
        o,
        { out: dir, model: student.model, ...student.options, ...(o.distillEpochs !== undefined ? { epochs: o.distillEpochs } : {}) },
        { distill, ...(features ? { prepare: (m: Module) => features.attach(m), callbacks: [features.callback()] } : {}) },
      );
    } finally {
      features?.dispose();
      teacher.dispose();
    }
    if (!used)
      throw new FlambeauError(
        "E_ARG",
        `compress: ${task.name}'s training does not use supervised [x, y] batches, so --distill-to cannot reach it`,
      );
    const hint = features ? { featureDistill: { teacher: features.teacherLayer, student: features.studentLayer, weight: hintWeight } } : {};
    await annotate(dir, { distilledFrom: { dir: o.dir, architecture: config.architecture, temperature, alpha, ...hint } });
    await measure(variant, dir);
    if (o.quantize !== undefined) await quantizeDir(dir, `${variant}+${o.quantize}`);
  }
  rmSync(work, { recursive: true, force: true });
  return results;
}

/** One fine-tuning round of a masked model through the task's training, the masks kept. */
async function fineTune(
  task: Task,
  o: CompressOptions,
  net: Record<string, unknown>,
  model: Module,
  step: number,
  work: string,
  log: (s: string) => void,
  rewindPoint?: ReadonlyMap<string, Tensor>,
) {
  mkdirSync(work, { recursive: true });
  const init = join(work, `step-${step}.safetensors`);
  const masks = pruningMasks(model);
  const trainedValues = foldMasks(model.stateDict());
  const folded = rewindPoint ? rewound(trainedValues, rewindPoint, masks) : trainedValues;
  await save(folded, init);
  log(
    `${rewindPoint ? `rewinding the unpruned weights to ${o.rewind}, then training` : "fine-tuning"} after pruning step ${step} (${o.fineTuneEpochs} epochs)`,
  );
  const out = join(work, `step-${step}`);
  await trainThrough(
    task,
    o,
    { ...net, out, epochs: o.fineTuneEpochs, lr: o.fineTuneLr ?? 5e-4 },
    { init, prepare: (m) => applyMasks(m, masks) },
  );
  // The task saved the masked model: `<k>_orig` and `<k>_mask`, the keys of `model` now.
  const trained = await load(join(out, "model.safetensors"));
  tidy(() => model.loadStateDict(trained));
  for (const t of new Set([...trained.values(), ...masks.values(), ...folded.values(), ...trainedValues.values()])) t.dispose();
}
