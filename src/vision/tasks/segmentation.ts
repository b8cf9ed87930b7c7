// image-segmentation (semantic): a U-Net labels every pixel with its object's class or the
// background, trained with pixel cross-entropy on generated scenes (1–3 real cut-out objects
// with occlusion on real photos) or a COCO folder with PNG label masks; metrics pixel
// accuracy and mIoU on held-out scenes; predict writes a colour overlay PNG.
import { existsSync, mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { arange, manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { writeAll, writeAtomic } from "../../io/atomic.js";
import { functional as F } from "../../nn/index.js";
import { optimizeForInference } from "../../nn/utils/inference.js";
import { type OptionValues, opt } from "../../tasks/options.js";
import { type DemoOptions, type DemoSection, defineTask, type EvalArgs, type Predictor, type TaskTrainResult } from "../../tasks/task.js";
import { evaluator } from "../../train/trainer.js";
import { IGNORE_LABEL } from "../coco.js";
import { SCENE_FORMATS_TEXT } from "../formats/open.js";
import { encodePng, readImage } from "../image-io.js";
import { alphaFromSegmentation, composite, encodeCutout, readBackground, refineAlpha } from "../matting.js";
import { UNet } from "../models/unet.js";
import { sceneFiguresHtml } from "../scenes/demo-html.js";
import { overlayMask } from "../scenes/draw.js";
import { fitOnScenes, loadSceneModel, type SceneTrainInput, sceneInit } from "../scenes/fit.js";
import { type ImagePreprocessing, normalise, sceneLoader } from "../scenes/loader.js";
import { SegmentationMeter } from "../scenes/metrics.js";
import { untrainedScenes } from "../scenes/scene-split.js";
import { type SceneSplit, sceneImages, semanticTargets, testScenes, trainScenes } from "../scenes/task-data.js";
import { fixedDataRecipe, SCENE_DATA_OPTIONS } from "./scene-data-options.js";
import { sceneExportSpec } from "./scene-export.js";

const TASK = "image-segmentation";
const ARCHS = ["unet-lite", "unet-small", "unet"] as const;
/** Full resolution: the half-resolution unet-lite blurs thin strokes (test mIoU 0.76 against 0.84; README). */
const DEFAULT_MODEL = "unet-small";

const OPTIONS = {
  init: opt.path("continue or fine-tune from a saved model directory", { phases: ["train"] }),
  ...SCENE_DATA_OPTIONS,
  cutout: opt.path("write an RGBA cut-out of the foreground to this PNG", { phases: ["predict"] }),
  background: opt.path("composite the foreground on this image (with --out)", { phases: ["predict"] }),
  out: opt.path("where --background writes the composite", { phases: ["predict"] }),
};
/** The matting options of predict. */
type MattingOptions = OptionValues<typeof OPTIONS>;

interface Hyper {
  numClasses: number;
  depth: number;
  width: number;
  /** 2: the U-Net runs at half resolution (absent in models saved before the option: 1). */
  stemStride?: number;
}

function hyperOf(arch: string, numClasses: number): Hyper {
  if (arch === "unet-lite") return { numClasses, depth: 3, width: 32, stemStride: 2 };
  if (arch === "unet-small") return { numClasses, depth: 4, width: 16 };
  if (arch === "unet") return { numClasses, depth: 4, width: 32 };
  throw new FlambeauError("E_ARG", `${TASK}: unknown model "${arch}"; models: ${ARCHS.join(", ")}`);
}

/** Classes: the background (0) and one per category. */
const buildModel = (h: Hyper): UNet =>
  new UNet({ inChannels: 3, outChannels: h.numClasses, depth: h.depth, width: h.width, stemStride: h.stemStride });

/**
 * Soft Dice loss over classes (Milletari et al. 2016): 1 − mean over classes of
 * (2·Σ p·t + 1) / (Σ p + Σ t + 1) on the batch, ignored pixels left out. It weighs each class
 * equally whatever its pixel count, which is what mIoU does; cross-entropy alone lets the
 * background (≈ 75 % of the pixels) dominate.
 */
export function diceLoss(out: Tensor, y: Tensor): Tensor {
  const k = out.shape[1]!;
  const valid = y.ne(IGNORE_LABEL).unsqueeze(1).float();
  const onehot = y
    .unsqueeze(1)
    .eq(arange(k).view(1, k, 1, 1))
    .float();
  const p = out.softmax(1).mul(valid);
  const inter = p.mul(onehot).sum({ dim: [0, 2, 3] });
  const denom = p.sum({ dim: [0, 2, 3] }).add(onehot.sum({ dim: [0, 2, 3] }));
  return inter.mul(2).add(1).div(denom.add(1)).neg().add(1).mean();
}

/** Pixel cross-entropy (IGNORE_LABEL skipped) plus soft Dice. */
const pixelLoss = (out: Tensor, y: Tensor): Tensor => crossEntropy(out, y, { ignoreIndex: IGNORE_LABEL }).add(diceLoss(out, y));

/** Generated segmentation scenes: 1–3 objects, smaller than a localization scene's, so they overlap less. */
const SEGMENTATION_SCENES = { minObjects: 1, maxObjects: 3, minScale: 0.35, maxScale: 0.7 };

async function train(o: SceneTrainInput): Promise<TaskTrainResult> {
  const { seed } = o;
  manualSeed(seed);
  const {
    train: tr,
    val,
    generator,
  } = await trainScenes(
    o.data,
    { ...SEGMENTATION_SCENES, count: 10000, valCount: 300 },
    { limit: o.limit, seed, images: o.images, log: o.log },
  );
  const batchSize = o.batchSize ?? 16;
  const recipe = fixedDataRecipe(TASK, {
    generated: generator !== null,
    preset: o.augment,
    epochs: o.epochs,
    defaultEpochs: 30,
    n: tr.scenes.length,
    batchSize,
    minSteps: 3000,
    maxEpochs: 120,
  });
  const labels = ["background", ...tr.classes];
  const init = await sceneInit<Hyper>(TASK, o.init, labels, o.model);
  const arch = init?.architecture ?? o.model ?? DEFAULT_MODEL;
  const hyper = init?.hyper ?? hyperOf(arch, tr.classes.length + 1);
  const fit = {
    task: TASK,
    model: buildModel(hyper),
    architecture: arch,
    hyper,
    labels,
    init,
    train: tr,
    val,
    generator,
    targets: semanticTargets,
    loss: pixelLoss,
    meter: () => new SegmentationMeter(hyper.numClasses),
    batchSize,
    augment: recipe.augment,
    patience: recipe.patience,
    valBatchSize: 64,
    epochs: recipe.epochs,
    peakLr: o.lr ?? 3e-3,
  };
  return fitOnScenes(fit, o);
}

export const loadSegmenter = (dir: string) => loadSceneModel<Hyper, UNet>(dir, TASK, (_arch, h) => buildModel(h));

/** Pixel accuracy, mIoU and per-class IoU of a model on scenes. */
export async function scoreSegmenter(
  model: UNet,
  pre: ImagePreprocessing,
  labels: string[],
  set: SceneSplit,
  batchSize = 64,
): Promise<Record<string, unknown>> {
  const images = sceneImages(set);
  const targets = semanticTargets(set);
  const trainer = evaluator({
    model,
    loss: pixelLoss,
    meter: () => new SegmentationMeter(labels.length),
  });
  const m = await trainer.evaluate(sceneLoader(images, targets, pre, { batchSize, shuffle: false, seed: 0 }));
  images.dispose();
  targets.dispose();
  const iou = m.classIou as number[];
  return { ...m, classIou: Object.fromEntries(labels.map((l, i) => [l, iou[i]])) };
}

async function evaluate(dir: string, data: string, o: EvalArgs & { images?: string } = {}): Promise<Record<string, unknown>> {
  const { model, pre, labels } = await loadSegmenter(dir);
  try {
    const read = await testScenes(data, pre.generator, { limit: o.limit, size: pre.size, count: 500, images: o.images });
    if (read.classes.length + 1 !== labels.length)
      throw new FlambeauError("E_ARG", `${TASK}: ${data} has ${read.classes.length} categories, the model ${labels.length - 1}`);
    const { set, overlap } = untrainedScenes(dir, data, read, o);
    return { examples: set.scenes.length, ...(await scoreSegmenter(model, pre, labels, set, o.batchSize)), ...overlap };
  } finally {
    model.dispose();
  }
}

/** A segmenter's forward: the U-Net itself, or its inference path (nn.utils.optimizeForInference). */
export type Segmenter = { forward(x: Tensor): Tensor };

/** Per-pixel class ids (uint8 H × W) for one image's uint8 CHW pixels at the model's size, upsampled to `out` size. */
export function segment(model: Segmenter, pre: ImagePreprocessing, pixels: Uint8Array, out: { height: number; width: number }): Uint8Array {
  return noGrad(() =>
    tidy(() => {
      const x = normalise(tensor(pixels, { shape: [1, 3, pre.size, pre.size] }), pre);
      // Logits are upsampled (bilinear), not labels, so class borders stay smooth at any size.
      const logits = F.interpolate(model.forward(x), { size: [out.height, out.width], mode: "bilinear", alignCorners: false });
      return logits.argmax(1).to("uint8").data() as Uint8Array;
    }),
  );
}

/**
 * Foreground alpha [H, W] of one image for background removal: 1 − P(background), from the
 * model's logits upsampled (bilinear) to `out` size, then edge-refined on the full-size image
 * (colour samples + guided filter in a band around the contour; see matting.ts).
 */
export function foregroundAlpha(
  model: Segmenter,
  pre: ImagePreprocessing,
  small: Uint8Array,
  image: Uint8Array,
  out: { height: number; width: number },
): Float32Array {
  let k = 0;
  const probs = noGrad(() =>
    tidy(() => {
      const x = normalise(tensor(small, { shape: [1, 3, pre.size, pre.size] }), pre);
      const logits = F.interpolate(model.forward(x), { size: [out.height, out.width], mode: "bilinear", alignCorners: false });
      k = logits.shape[1]!;
      return logits.softmax(1).contiguous().data() as Float32Array;
    }),
  );
  const alpha = alphaFromSegmentation(probs, k, out.height, out.width, 0);
  return refineAlpha(alpha, image, out.height, out.width);
}

export interface SegmentedImage {
  input: string;
  output: string;
  /** Fraction of the image per predicted class (background included). */
  classes: Record<string, number>;
  /** RGBA cut-out PNG (with --cutout). */
  cutout?: string;
  /** The foreground composited on a new background (with --background and --out). */
  composite?: string;
}

function checkMattingOptions(inputs: readonly string[], o: MattingOptions): void {
  const wants = o.cutout !== undefined || o.background !== undefined || o.out !== undefined;
  if (!wants) return;
  if (inputs.length !== 1) throw new FlambeauError("E_ARG", `${TASK}: --cutout/--background take one input image, got ${inputs.length}`);
  if (o.background !== undefined && o.out === undefined)
    throw new FlambeauError("E_ARG", `${TASK}: --background needs --out <composite.png>`);
  if (o.out !== undefined && o.background === undefined)
    throw new FlambeauError("E_ARG", `${TASK}: --out needs --background <image> (the new background)`);
  if (o.background !== undefined && !existsSync(o.background))
    throw new FlambeauError("E_IO", `${TASK}: background image ${o.background} does not exist`);
}

/**
 * Loads the U-Net once; each call writes <dir>/predictions/<name>-mask.png: the image with each pixel's class colour blended
 * over it; with `cutout`, an RGBA cut-out (alpha = refined 1 − P(background)); with
 * `background` + `out`, the foreground composited on that image (resized to cover).
 */
async function load(dir: string): Promise<Predictor<SegmentedImage, MattingOptions>> {
  const { model, pre, labels } = await loadSegmenter(dir);
  // The inference path: oneDNN's layout where it measures faster and gives the same numbers (issue 24).
  const infer = optimizeForInference(model, [1, 3, pre.size, pre.size]);
  const outDir = join(dir, "predictions");
  return { task: TASK, predict: (inputs, o = {}) => predict(infer, pre, labels, outDir, inputs, o), dispose: () => model.dispose() };
}

async function predict(
  model: Segmenter,
  pre: ImagePreprocessing,
  labels: readonly string[],
  outDir: string,
  inputs: readonly string[],
  o: MattingOptions,
): Promise<SegmentedImage[]> {
  checkMattingOptions(inputs, o);
  mkdirSync(outDir, { recursive: true });
  const res: SegmentedImage[] = [];
  for (const file of inputs) {
    const orig = await readImage(file, { channels: 3 });
    if (orig.height * orig.width > 4096 * 4096)
      throw new FlambeauError("E_ARG", `${TASK}: ${file} is ${orig.width}×${orig.height}; predict takes images up to 4096×4096 px`);
    const small = await readImage(file, { channels: 3, size: pre.size });
    const lab = segment(model, pre, small.data, orig);
    const png = await encodePng(overlayMask(orig.data, lab, orig.height, orig.width), 3, orig.height, orig.width);
    const path = join(outDir, `${basename(file, extname(file))}-mask.png`);
    await writeAtomic("predict", path, (fh) => writeAll(fh, [png]));
    const counts = new Array<number>(labels.length).fill(0);
    for (const l of lab) counts[l]!++;
    const classes: Record<string, number> = {};
    counts.forEach((c, i) => {
      if (c > 0) classes[labels[i] ?? String(i)] = c / lab.length;
    });
    const r: SegmentedImage = { input: file, output: path, classes };
    if (o.cutout !== undefined || o.background !== undefined) {
      const { height: h, width: w } = orig;
      const alpha = foregroundAlpha(model, pre, small.data, orig.data, orig);
      if (o.cutout !== undefined) {
        const cut = await encodeCutout(orig.data, alpha, h, w);
        await writeAtomic("predict", o.cutout, (fh) => writeAll(fh, [cut]));
        r.cutout = o.cutout;
      }
      if (o.background !== undefined && o.out !== undefined) {
        const bg = await readBackground(o.background, h, w);
        const comp = await encodePng(composite(orig.data, alpha, bg, h, w), 3, h, w);
        await writeAtomic("predict", o.out, (fh) => writeAll(fh, [comp]));
        r.composite = o.out;
      }
    }
    res.push(r);
  }
  return res;
}

const formatPrediction = (r: SegmentedImage): string => {
  const parts = Object.entries(r.classes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${(100 * v).toFixed(1)}%`);
  const extra = [r.cutout ? `cut-out ${r.cutout}` : "", r.composite ? `composite ${r.composite}` : ""].filter(Boolean);
  return `wrote ${r.output} (${parts.join(", ")})${extra.length ? `; ${extra.join("; ")}` : ""}`;
};

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const data = "scenes:digits";
  const budget = o.full ? { limit: 10000, epochs: 30 } : { limit: 300, epochs: 2 };
  const r = await train({ data, out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const m = await evaluate(o.out, data);
  const { model, pre, labels } = await loadSegmenter(o.out);
  const set = await testScenes(data, pre.generator, { size: pre.size, count: 6 });
  const s = pre.size;
  const rows = set.scenes.map((sc) => {
    const pred = segment(model, pre, sc.image, { height: s, width: s });
    const names = [...new Set(sc.objects.map((ob) => labels[ob.category + 1]))].join(", ");
    return [
      { image: sc.image, caption: "held-out scene" },
      { image: overlayMask(sc.image, sc.semantic, s, s), caption: `truth: ${names}` },
      { image: overlayMask(sc.image, pred, s, s), caption: "U-Net" },
    ];
  });
  model.dispose();
  const extraHtml = await sceneFiguresHtml("Semantic masks on held-out scenes (class colours blended over the image)", rows, s);
  const iou = m.classIou as Record<string, number>;
  return {
    task: TASK,
    dataset:
      "generated scenes: 1–3 of opencv-doc's handwritten digits with occlusion on crops of Debian's photos (held-out digits and photos for test)",
    commands: [
      `flambeau train ${TASK} --data ${data} --limit ${budget.limit} --epochs ${budget.epochs} --out ${o.out}`,
      `flambeau eval ${o.out} --data ${data} --json`,
    ],
    metrics: { pixelAccuracy: m.pixelAccuracy as number, meanIou: m.meanIou as number, backgroundIou: iou.background ?? Number.NaN },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml,
  };
}

export const imageSegmentation = defineTask({
  name: TASK,
  description: "semantic segmentation: a class for every pixel (U-Net; pixel accuracy and mIoU; predict writes a colour overlay PNG)",
  dataFormat: `\`scenes\` (generated: 1–3 Fashion-MNIST items with occlusion on real photos; \`scenes:digits\` for opencv-doc's digits; test scenes use held-out objects and photos) or a data set of yours: ${SCENE_FORMATS_TEXT}; a COCO folder may add masks/*.png label masks (0 background, category id, 255 ignored); fixed sets train with augmentation that moves masks with the image (--augment), more epochs when small, and early stopping on validation mIoU`,
  models: [...ARCHS],
  defaultModel: DEFAULT_MODEL,
  options: OPTIONS,
  train,
  evaluate,
  load,
  loadExport: async (dir) => {
    const { model, pre, labels } = await loadSegmenter(dir);
    return sceneExportSpec(
      model,
      pre,
      labels,
      "logits [batch, classes, size, size]; the argmax over classes is each pixel's label (0: background)",
    );
  },
  formatPrediction,
  demo,
});
