// The training run shared by the scene tasks (localization, segmentation, detection): fresh generated
// scenes every epoch, AdamW with warm-up + cosine, the best validation epoch kept (by mean
// IoU), and the model directory written with its preprocessing and generator settings.
// With `--init DIR` the run fine-tunes a saved model of the same task and classes.
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { saveSplitRecord } from "../../data/split-record.js";
import type { Module } from "../../nn/index.js";
import { AdamW } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import type { TaskTrainResult, TrainInput } from "../../tasks/task.js";
import { EarlyStopping, WarmupCosineLR } from "../../train/callbacks.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { type Meter, type TrainableModel, Trainer } from "../../train/trainer.js";
import { augmentScenes, type SceneAugmentOptions } from "../transforms/scene-augment.js";
import { generateScenes } from "./generate.js";
import { epochLoader, type ImagePreprocessing, imageStats, sceneLoader } from "./loader.js";
import { sceneSplitRecord } from "./scene-split.js";
import { type GeneratorSettings, type SceneSplit, sceneImages } from "./task-data.js";

/** What a scene task's train reads: the runtime's arguments, `--init`, and for a user's data `--images` and `--augment`. */
export type SceneTrainInput = TrainInput & { init?: string; images?: string; augment?: string };

/** A saved model to fine-tune: its architecture, hyper-parameters, weights and preprocessing. */
export interface SceneInit<H> {
  architecture: string;
  hyper: H;
  weights: Map<string, Tensor>;
  preprocessing: ImagePreprocessing;
}

/**
 * Reads `--init DIR` for a scene task: the model must be of `task`, have the data's `labels`
 * and, when `--model` is also given, be of that architecture (the saved one is what continues).
 */
export async function sceneInit<H>(
  task: string,
  dir: string | undefined,
  labels: readonly string[],
  model?: string,
): Promise<SceneInit<H> | null> {
  if (dir === undefined) return null;
  const { config, weights } = await loadModelDir<H, ImagePreprocessing>(dir, task);
  const refuse = (why: string): FlambeauError => {
    for (const t of weights.values()) t.dispose();
    return new FlambeauError("E_ARG", `${task}: --init ${dir} ${why}`);
  };
  if (model !== undefined && model !== config.architecture) throw refuse(`is a ${config.architecture} model, --model asks for ${model}`);
  const have = config.labels ?? [];
  if (have.length !== labels.length || have.some((l, i) => l !== labels[i]))
    throw refuse(`was trained on classes [${have.join(", ")}], the data has [${labels.join(", ")}]`);
  if (!config.preprocessing) throw refuse("has no preprocessing in its config.json; retrain it");
  return { architecture: config.architecture, hyper: config.hyper, weights, preprocessing: config.preprocessing };
}

/** A saved scene model: built by `build` from its config, its weights loaded, in eval mode. */
export async function loadSceneModel<H, M extends Pick<Module, "loadStateDict" | "eval">>(
  dir: string,
  task: string | undefined,
  build: (architecture: string, hyper: H, task: string) => M,
): Promise<{ model: M; pre: ImagePreprocessing; labels: string[]; task: string }> {
  const { config, weights } = await loadModelDir<H, ImagePreprocessing>(dir, task);
  try {
    if (!config.preprocessing) throw new FlambeauError("E_FORMAT", `${dir}/config.json has no preprocessing; retrain the model`);
    const model = build(config.architecture, config.hyper, config.task);
    model.loadStateDict(weights);
    model.eval();
    return { model, pre: config.preprocessing, labels: config.labels ?? [], task: config.task };
  } finally {
    for (const t of weights.values()) t.dispose();
  }
}

export interface SceneFit<H> {
  task: string;
  /** The model to train; fitOnScenes frees it once the directory is written. */
  model: TrainableModel & Pick<Module, "loadStateDict" | "dispose">;
  architecture: string;
  hyper: H;
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
  init?: SceneInit<H> | null;
  /** Fixed (read, not generated) data: a fresh random transform of every training scene each epoch. */
  augment?: SceneAugmentOptions | null;
  /** Stop once the monitored validation value has not improved for this many epochs (the best epoch is kept either way). */
  patience?: number;
  /** false: the scenes come from no file (e.g. frames of generated clips), so no split record is written. */
  splitRecord?: false;
}

export async function fitOnScenes<H>(f: SceneFit<H>, o: SceneTrainInput): Promise<TaskTrainResult> {
  const { seed } = o;
  const side = f.train.size;
  const fixedAugment = !f.generator && f.augment ? f.augment : null;
  o.log(
    `${f.task}: ${f.train.scenes.length} training / ${f.val.scenes.length} validation scenes ${side}×${side}, ${f.labels.length} classes; ${f.architecture}${o.init ? ` from ${o.init}` : ""}, ${plural(f.epochs, "epoch")}, batch ${f.batchSize}, lr ${f.peakLr}${fixedAugment ? `; augmentation ${JSON.stringify(fixedAugment)}` : ""}${f.patience !== undefined ? `; stops after ${f.patience} epochs without a better validation value` : ""}`,
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
  const trainer = new Trainer({
    name: f.task,
    model: f.model,
    optimizer: opt,
    loss: f.loss,
    meter: f.meter,
    progress: o.progress,
    callbacks: [
      new WarmupCosineLR(opt, f.peakLr, total, Math.min(Math.ceil(n / f.batchSize), Math.ceil(total * 0.05))),
      ...(f.patience !== undefined ? [new EarlyStopping({ monitor: f.monitor ?? "valMeanIou", patience: f.patience })] : []),
    ],
    keepBest: { monitor: f.monitor ?? "valMeanIou" },
  });
  // The first epoch uses the set read above.
  const generator = f.generator;
  const fresh = async (e: number): Promise<[Tensor, Tensor]> => {
    if (fixedAugment) {
      const set = { ...f.train, scenes: augmentScenes(f.train.scenes, side, new Random(seed, 7919, e), fixedAugment) };
      return [sceneImages(set), f.targets(set)];
    }
    if (e === 0 || !generator) return [images.clone(), targets.clone()];
    const set = await generateScenes({ ...generator, count: n, split: "train", seed: seed + 7919 * e });
    return [sceneImages(set), f.targets(set)];
  };
  const valLoader = () => sceneLoader(vImages, vTargets, pre, { batchSize: f.valBatchSize, shuffle: false, seed });
  const history = await trainer.fit(epochLoader(fresh, n, pre, { batchSize: f.batchSize, shuffle: true, seed }), {
    epochs: f.epochs,
    val: valLoader(),
  });
  const metrics = await trainer.evaluate(valLoader());
  await saveModelDir<H, ImagePreprocessing>(
    o.out,
    {
      task: f.task,
      architecture: f.architecture,
      hyper: f.hyper,
      labels: f.labels,
      preprocessing: pre,
      metrics: {
        validation: metrics,
        epochs: f.epochs,
        batchSize: f.batchSize,
        lr: f.peakLr,
        seed,
        trainExamples: n,
        bestEpoch: history.bestEpoch,
        ...(fixedAugment ? { augment: fixedAugment } : {}),
        ...(o.init ? { init: o.init } : {}),
      },
    },
    f.model.stateDict(),
  );
  // A user's COCO folder: eval on it then leaves out the training images.
  await saveSplitRecord(o.out, f.splitRecord === false ? undefined : sceneSplitRecord(f, { data: o.data, seed }));
  for (const t of [images, targets, vImages, vTargets]) t.dispose();
  f.model.dispose();
  return { dir: o.out, metrics, history };
}
