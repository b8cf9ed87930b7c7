// The training run shared by the scene tasks (localization, segmentation, detection): fresh generated
// scenes every epoch, AdamW with warm-up + cosine, the best validation epoch kept (by mean
// IoU), and the model directory written with its preprocessing and generator settings.
// With `--init DIR` the run fine-tunes a saved model of the same task and classes.
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import type { Module } from "../../nn/index.js";
import { AdamW } from "../../optim/index.js";
import type { TaskTrainOptions, TaskTrainResult } from "../../tasks/legacy.js";
import { KeepBestModel, WarmupCosineLR } from "../../train/callbacks.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { type Meter, type TrainableModel, Trainer } from "../../train/trainer.js";
import { generateScenes } from "./generate.js";
import { epochLoader, type ImagePreprocessing, imageStats, sceneLoader } from "./loader.js";
import { type GeneratorSettings, type SceneSplit, sceneImages } from "./task-data.js";

/** A saved model to fine-tune: its architecture, hyper-parameters, weights and preprocessing. */
export interface SceneInit {
  architecture: string;
  hyper: Record<string, unknown>;
  weights: Map<string, Tensor>;
  preprocessing: ImagePreprocessing;
}

/**
 * Reads `--init DIR` for a scene task: the model must be of `task`, have the data's `labels`
 * and, when `--model` is also given, be of that architecture (the saved one is what continues).
 */
export async function sceneInit(
  task: string,
  dir: string | undefined,
  labels: readonly string[],
  model?: string,
): Promise<SceneInit | null> {
  if (dir === undefined) return null;
  const { config, weights } = await loadModelDir(dir, task);
  const refuse = (why: string): FlambeauError => {
    for (const t of weights.values()) t.dispose();
    return new FlambeauError("E_ARG", `${task}: --init ${dir} ${why}`);
  };
  if (model !== undefined && model !== config.architecture) throw refuse(`is a ${config.architecture} model, --model asks for ${model}`);
  const have = config.labels ?? [];
  if (have.length !== labels.length || have.some((l, i) => l !== labels[i]))
    throw refuse(`was trained on classes [${have.join(", ")}], the data has [${labels.join(", ")}]`);
  return {
    architecture: config.architecture,
    hyper: config.hyper,
    weights,
    preprocessing: config.preprocessing as unknown as ImagePreprocessing,
  };
}

export interface SceneFit {
  task: string;
  model: TrainableModel & Pick<Module, "loadStateDict">;
  architecture: string;
  hyper: object;
  labels: string[];
  train: SceneSplit;
  val: SceneSplit;
  /** Set when the scenes were generated: each epoch after the first draws new ones. */
  generator: GeneratorSettings | null;
  targets: (set: SceneSplit) => Tensor;
  loss: (output: Tensor, target: Tensor) => Tensor;
  meter: () => Meter;
  batchSize: number;
  valBatchSize: number;
  epochs: number;
  peakLr: number;
  /** The validation log that picks the kept epoch (default "valMeanIou"; higher is better unless it names a loss). */
  monitor?: string;
  /** Fine-tune: start from these weights and keep their normalisation. */
  init?: SceneInit | null;
}

export async function fitOnScenes(f: SceneFit, o: TaskTrainOptions): Promise<TaskTrainResult> {
  const seed = o.seed ?? 0;
  const side = f.train.size;
  o.log?.(
    `${f.task}: ${f.train.scenes.length} training / ${f.val.scenes.length} validation scenes ${side}×${side}, ${f.labels.length} classes; ${f.architecture}${o.init ? ` from ${o.init}` : ""}, ${f.epochs} epochs, batch ${f.batchSize}, lr ${f.peakLr}`,
  );
  const images = sceneImages(f.train);
  const targets = f.targets(f.train);
  const vImages = sceneImages(f.val);
  const vTargets = f.targets(f.val);
  if (f.init) {
    f.model.loadStateDict(f.init.weights);
    for (const t of f.init.weights.values()) t.dispose();
  }
  const stats = f.init ? { mean: f.init.preprocessing.mean, std: f.init.preprocessing.std } : imageStats(images);
  const pre: ImagePreprocessing = { size: f.train.size, ...stats, generator: f.generator };
  const n = f.train.scenes.length;
  const opt = new AdamW(f.model.parameters(), { lr: f.peakLr, weightDecay: 1e-4 });
  const total = f.epochs * Math.ceil(n / f.batchSize);
  const best = new KeepBestModel({ monitor: f.monitor ?? "valMeanIou" });
  const trainer = new Trainer({
    model: f.model,
    optimizer: opt,
    loss: f.loss,
    meter: f.meter,
    progress: o.progress,
    callbacks: [new WarmupCosineLR(opt, f.peakLr, total, Math.min(Math.ceil(n / f.batchSize), Math.ceil(total * 0.05))), best],
  });
  // The first epoch uses the set read above.
  const generator = f.generator;
  const fresh = async (e: number): Promise<[Tensor, Tensor]> => {
    if (e === 0 || !generator) return [images.clone(), targets.clone()];
    const set = await generateScenes({ ...generator, count: n, split: "train", seed: seed + 7919 * e });
    return [sceneImages(set), f.targets(set)];
  };
  const valLoader = () => sceneLoader(vImages, vTargets, pre, { batchSize: f.valBatchSize, shuffle: false, seed });
  const history = await trainer.fit(epochLoader(fresh, n, pre, { batchSize: f.batchSize, shuffle: true, seed }), {
    epochs: f.epochs,
    val: valLoader(),
  });
  best.restore(f.model);
  const metrics = await trainer.evaluate(valLoader());
  await saveModelDir(
    o.out,
    {
      task: f.task,
      architecture: f.architecture,
      hyper: f.hyper as Record<string, unknown>,
      labels: f.labels,
      preprocessing: pre as unknown as Record<string, unknown>,
      metrics: {
        validation: metrics,
        epochs: f.epochs,
        batchSize: f.batchSize,
        lr: f.peakLr,
        seed,
        trainExamples: n,
        bestEpoch: best.bestEpoch,
        ...(o.init ? { init: o.init } : {}),
      },
    },
    f.model.stateDict(),
  );
  for (const t of [images, targets, vImages, vTargets]) t.dispose();
  return { dir: o.out, metrics, history };
}
