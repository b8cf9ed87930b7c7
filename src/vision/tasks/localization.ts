// image-localization: one object per image → its class and its box. A CNN with C class
// scores plus 4 box outputs (BoxRegressor), trained with cross-entropy + L1 + GIoU on
// generated scenes (real cut-out objects on real photos) or a COCO folder; metrics
// accuracy and mean IoU on held-out scenes; predict prints the label and box.
import { mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy, l1Loss } from "../../core/ops/loss.js";
import { type InferenceModel, optimizeForInference } from "../../nn/utils/inference.js";
import { opt } from "../../tasks/options.js";
import { type DemoOptions, type DemoSection, defineTask, type EvalArgs, type Predictor, type TaskTrainResult } from "../../tasks/task.js";
import { evaluator } from "../../train/trainer.js";
import { SCENE_FORMATS_TEXT } from "../formats/open.js";
import { readImage, writeImage } from "../image-io.js";
import { BoxRegressor } from "../models/localizer.js";
import { pngDataUri } from "../scenes/demo-html.js";
import { classColor, drawBoxes } from "../scenes/draw.js";
import { fitOnScenes, loadSceneModel, type SceneTrainInput, sceneInit } from "../scenes/fit.js";
import { type ImagePreprocessing, normalise, sceneLoader } from "../scenes/loader.js";
import { boxIou, cxcywhIou, LocalizationMeter } from "../scenes/metrics.js";
import { untrainedScenes } from "../scenes/scene-split.js";
import { localizationTargets, type SceneSplit, sceneImages, testScenes, trainScenes } from "../scenes/task-data.js";
import { fixedDataRecipe, SCENE_DATA_OPTIONS } from "./scene-data-options.js";

const TASK = "image-localization";
const ARCHS = ["box-cnn"] as const;

const OPTIONS = {
  init: opt.path("continue or fine-tune from a saved model directory", { phases: ["train"] }),
  ...SCENE_DATA_OPTIONS,
};

/** Cross-entropy on the class, plus L1 and GIoU on the box (GIoU keeps a gradient when boxes do not overlap). */
function localizationLoss(numClasses: number) {
  return (out: Tensor, y: Tensor): Tensor => {
    const ce = crossEntropy(out.narrow(1, 0, numClasses), y.select(1, 0).long());
    const box = out.narrow(1, numClasses, 4).sigmoid();
    const t = y.narrow(1, 1, 4);
    const { giou } = cxcywhIou(box, t);
    return ce.add(l1Loss(box, t).mul(5)).add(giou.neg().add(1).mean().mul(2));
  };
}

interface Hyper {
  numClasses: number;
  width: number;
  /** Absent in models saved before they were options: 4 stages of one conv, stride-1 stem. */
  stages?: number;
  convsPerStage?: number;
  stemStride?: number;
}

function buildModel(arch: string, h: Hyper): BoxRegressor {
  if (!(ARCHS as readonly string[]).includes(arch))
    throw new FlambeauError("E_ARG", `${TASK}: unknown model "${arch}"; models: ${ARCHS.join(", ")}`);
  return new BoxRegressor({
    numClasses: h.numClasses,
    width: h.width,
    stages: h.stages,
    convsPerStage: h.convsPerStage,
    stemStride: h.stemStride,
  });
}

async function train(o: SceneTrainInput): Promise<TaskTrainResult> {
  const { seed } = o;
  manualSeed(seed);
  const {
    train: tr,
    val,
    generator,
  } = await trainScenes(o.data, { count: 16000, valCount: 500 }, { limit: o.limit, seed, images: o.images, log: o.log });
  const batchSize = o.batchSize ?? 64;
  const recipe = fixedDataRecipe(TASK, {
    generated: generator !== null,
    preset: o.augment,
    epochs: o.epochs,
    defaultEpochs: 24,
    n: tr.scenes.length,
    batchSize,
    minSteps: 2000,
    maxEpochs: 120,
  });
  const init = await sceneInit<Hyper>(TASK, o.init, tr.classes, o.model);
  const arch = init?.architecture ?? o.model ?? "box-cnn";
  const hyper: Hyper = init?.hyper ?? {
    numClasses: tr.classes.length,
    width: 32,
    stages: 3,
    convsPerStage: 2,
    stemStride: 2,
  };
  const fit = {
    task: TASK,
    model: buildModel(arch, hyper),
    architecture: arch,
    hyper,
    labels: tr.classes,
    init,
    train: tr,
    val,
    generator,
    targets: localizationTargets,
    loss: localizationLoss(hyper.numClasses),
    meter: () => new LocalizationMeter(hyper.numClasses),
    batchSize,
    augment: recipe.augment,
    patience: recipe.patience,
    valBatchSize: 256,
    epochs: recipe.epochs,
    peakLr: o.lr ?? 2e-3,
  };
  return fitOnScenes(fit, o);
}

export const loadLocalizer = (dir: string) => loadSceneModel<Hyper, BoxRegressor>(dir, TASK, buildModel);

/** Scores a model on scenes (accuracy, mean IoU). */
export async function scoreLocalizer(
  model: BoxRegressor,
  pre: ImagePreprocessing,
  set: SceneSplit,
  batchSize = 256,
): Promise<Record<string, unknown>> {
  const images = sceneImages(set);
  const targets = localizationTargets(set);
  const trainer = evaluator({
    model,
    loss: localizationLoss(model.numClasses),
    meter: () => new LocalizationMeter(model.numClasses),
  });
  const m = await trainer.evaluate(sceneLoader(images, targets, pre, { batchSize, shuffle: false, seed: 0 }));
  images.dispose();
  targets.dispose();
  return m;
}

async function evaluate(dir: string, data: string, o: EvalArgs & { images?: string } = {}): Promise<Record<string, unknown>> {
  const { model, pre, labels } = await loadLocalizer(dir);
  try {
    const read = await testScenes(data, pre.generator, { limit: o.limit, size: pre.size, count: 1000, images: o.images });
    if (read.classes.length !== labels.length)
      throw new FlambeauError("E_ARG", `${TASK}: ${data} has ${read.classes.length} categories, the model ${labels.length}`);
    const { set, overlap } = untrainedScenes(dir, data, read, o);
    return { ...(await scoreLocalizer(model, pre, set, o.batchSize)), labels, ...overlap };
  } finally {
    model.dispose();
  }
}

export interface LocalizedObject {
  input: string;
  label: string;
  probability: number;
  /** [x, y, width, height] in the input image's pixels. */
  box: [number, number, number, number];
  output: string;
}

/** Class, probability and box (in `size` px) for normalised inputs [B, 3, S, S]. */
export function localize(
  model: BoxRegressor,
  x: Tensor,
  size: number,
  infer?: InferenceModel,
): { cls: number; probability: number; box: [number, number, number, number] }[] {
  const [p, b] = noGrad(() =>
    tidy(() => {
      const out = infer ? infer.forward(x) : model.forward(x);
      return [
        out.narrow(1, 0, model.numClasses).softmax(1).data() as Float32Array,
        out.narrow(1, model.numClasses, 4).sigmoid().data() as Float32Array,
      ];
    }),
  );
  const k = model.numClasses;
  return Array.from({ length: x.shape[0]! }, (_, i) => {
    let cls = 0;
    for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + cls]!) cls = c;
    const [cx, cy, w, h] = [b[i * 4]!, b[i * 4 + 1]!, b[i * 4 + 2]!, b[i * 4 + 3]!];
    return { cls, probability: p[i * k + cls]!, box: [(cx - w / 2) * size, (cy - h / 2) * size, w * size, h * size] };
  });
}

/** Loads the localizer once; each call prints each image's object and box and writes the image with its box drawn to <dir>/predictions/. */
async function load(dir: string): Promise<Predictor<LocalizedObject>> {
  const { model, pre, labels } = await loadLocalizer(dir);
  // The inference path: oneDNN's layout where it measures faster, on one image and on a batch (issue 24).
  const infer = optimizeForInference(model, [1, 3, pre.size, pre.size]);
  const outDir = join(dir, "predictions");
  return {
    task: TASK,
    async predict(inputs) {
      mkdirSync(outDir, { recursive: true });
      const out: LocalizedObject[] = [];
      for (const file of inputs) {
        const orig = await readImage(file, { channels: 3 });
        const img = await readImage(file, { channels: 3, size: pre.size });
        const r = tidy(() => localize(model, normalise(tensor(img.data, { shape: [1, 3, pre.size, pre.size] }), pre), pre.size, infer))[0]!;
        const kx = orig.width / pre.size;
        const ky = orig.height / pre.size;
        const box: [number, number, number, number] = [r.box[0] * kx, r.box[1] * ky, r.box[2] * kx, r.box[3] * ky].map(
          (v) => Math.round(v * 10) / 10,
        ) as [number, number, number, number];
        drawBoxes(orig.data, orig.height, orig.width, [{ box, color: classColor(r.cls + 1) }]);
        const path = join(outDir, `${basename(file, extname(file))}-box.png`);
        const drawn = tensor(orig.data, { shape: [3, orig.height, orig.width] });
        await writeImage(path, drawn);
        drawn.dispose();
        out.push({ input: file, label: labels[r.cls] ?? String(r.cls), probability: r.probability, box, output: path });
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}

const formatPrediction = (r: LocalizedObject): string =>
  `${r.label} ${(100 * r.probability).toFixed(1)}% box [x ${r.box[0]}, y ${r.box[1]}, w ${r.box[2]}, h ${r.box[3]}] (drawn in ${r.output})`;

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const data = "scenes:digits";
  const budget = o.full ? { limit: 16000, epochs: 24 } : { limit: 600, epochs: 3 };
  const r = await train({ data, out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const m = await evaluate(o.out, data);
  const { model, pre, labels } = await loadLocalizer(o.out);
  const set = await testScenes(data, pre.generator, { size: pre.size, count: 12 });
  const s = pre.size;
  const found = tidy(() => localize(model, normalise(sceneImages(set), pre), s));
  const samples: NonNullable<DemoSection["samples"]> = [];
  for (let i = 0; i < set.scenes.length; i++) {
    const sc = set.scenes[i]!;
    const truth = sc.objects[0]!;
    const img = sc.image.slice();
    // Truth in white, the prediction in its class colour.
    drawBoxes(img, s, s, [
      { box: truth.box, color: [255, 255, 255] },
      { box: found[i]!.box, color: classColor(found[i]!.cls + 1) },
    ]);
    samples.push({
      image: await pngDataUri(img, s),
      truth: labels[truth.category]!,
      predicted: `${labels[found[i]!.cls]} (IoU ${boxIou(found[i]!.box, truth.box).toFixed(2)})`,
      probability: found[i]!.probability,
    });
  }
  model.dispose();
  return {
    task: TASK,
    dataset:
      "generated scenes: opencv-doc's handwritten digits, rotated and tinted, on crops of Debian's photos (held-out digits and photos for test)",
    commands: [
      `flambeau train ${TASK} --data ${data} --limit ${budget.limit} --epochs ${budget.epochs} --out ${o.out}`,
      `flambeau eval ${o.out} --data ${data} --json`,
    ],
    metrics: { accuracy: m.accuracy as number, meanIou: m.meanIou as number },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss, valAccuracy: e.valAccuracy })),
    seconds: (performance.now() - t0) / 1000,
    samples,
  };
}

export const imageLocalization = defineTask({
  name: TASK,
  description: "classify and localize the one object in an image (C class scores + a box; accuracy and mean IoU)",
  dataFormat: `\`scenes\` (generated: Fashion-MNIST items on real photos; \`scenes:digits\` for opencv-doc's digits; test scenes use held-out objects and photos) or a data set of yours: ${SCENE_FORMATS_TEXT}; the largest object of each image is its target; fixed sets train with augmentation (--augment), more epochs when small, and early stopping`,
  models: [...ARCHS],
  defaultModel: "box-cnn",
  options: OPTIONS,
  train,
  evaluate,
  load,
  formatPrediction,
  demo,
});
