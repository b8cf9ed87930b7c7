// object-detection and instance-segmentation: an anchor-free CenterNet-style detector
// (models/centernet.ts: ResNet stages + FPN-lite neck to stride 4; heatmap focal loss, size
// and offset L1) trained on generated scenes of 1–6 objects (real cut-outs on real photos)
// or a COCO folder / annotations file; metrics COCO-style box mAP@0.5 and mAP@[.5:.95] on
// held-out scenes. instance-segmentation is the same detector plus a CondInst-style mask
// branch (dice loss on the instance masks), scored also by mask mAP. predict prints the boxes
// with labels and scores, and `--draw out.png` draws them (and the masks).
import { basename, extname } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { type InferenceModel, optimizeForInference } from "../../nn/utils/inference.js";
import { opt } from "../../tasks/options.js";
import {
  type DemoOptions,
  type DemoSection,
  defineTask,
  type EvalArgs,
  type Predictor,
  type Task,
  type TaskTrainResult,
} from "../../tasks/task.js";
import { SCENE_FORMATS_TEXT } from "../formats/open.js";
import { readImage, writeImage } from "../image-io.js";
import { CenterNet, splitCenterNet } from "../models/centernet.js";
import {
  type CenterNetDecodeOptions,
  DetectionAccumulator,
  DetectionMeter,
  decodeCenterNet,
  detectionMasks,
} from "../scenes/centernet-decode.js";
import { centernetLoss } from "../scenes/centernet-loss.js";
import { CENTERNET_STRIDE, centernetTargets, checkDetectionSize } from "../scenes/centernet-targets.js";
import { sceneFiguresHtml } from "../scenes/demo-html.js";
import type { MaskDetection, MaskGroundTruth } from "../scenes/detection-metrics.js";
import { classColor, drawBoxes, overlayMask } from "../scenes/draw.js";
import { fitOnScenes, loadSceneModel, type SceneTrainInput, sceneInit } from "../scenes/fit.js";
import { type ImagePreprocessing, normalise } from "../scenes/loader.js";
import { untrainedScenes } from "../scenes/scene-split.js";
import { type SceneSplit, sceneImages, testScenes, trainScenes } from "../scenes/task-data.js";
import { fixedDataRecipe, SCENE_DATA_OPTIONS } from "./scene-data-options.js";
import { sceneExportSpec } from "./scene-export.js";

const ARCHS = ["centernet-small", "centernet-tiny"] as const;

interface Hyper {
  numClasses: number;
  width: number;
  neck: number;
  head: number;
  masks: boolean;
}

function hyperOf(task: string, arch: string, numClasses: number, masks: boolean): Hyper {
  if (arch === "centernet-small") return { numClasses, width: 32, neck: 64, head: 64, masks };
  if (arch === "centernet-tiny") return { numClasses, width: 16, neck: 32, head: 32, masks };
  throw new FlambeauError("E_ARG", `${task}: unknown model "${arch}"; models: ${ARCHS.join(", ")}`);
}

const buildModel = (h: Hyper) => new CenterNet({ numClasses: h.numClasses, width: h.width, neck: h.neck, head: h.head, masks: h.masks });

/** Generated detection scenes: 1–6 objects of 30–55 % of the side, occluding each other by up to half. */
export const DETECTION_SCENES = Object.freeze({ minObjects: 1, maxObjects: 6, minScale: 0.3, maxScale: 0.55 });
/** Decoding for scoring: every peak down to 0.05 (mAP integrates over the whole ranking). */
const EVAL_DECODE: CenterNetDecodeOptions = { topK: 100, scoreThreshold: 0.05, nmsIou: 0.5 };
/** Decoding for predict: confident boxes only. */
export const PREDICT_THRESHOLD = 0.3;

export interface DetectedObject {
  label: string;
  score: number;
  /** [x, y, width, height] in the input image's pixels. */
  box: [number, number, number, number];
  /** Mask pixels in the input image (instance-segmentation). */
  maskArea?: number;
}
export interface DetectionPrediction {
  input: string;
  objects: DetectedObject[];
  /** The picture with the boxes drawn (with `--draw`). */
  output?: string;
}

/** The model of a saved object-detection or instance-segmentation directory. */
export const loadDetector = (dir: string) =>
  loadSceneModel<Hyper, CenterNet>(dir, undefined, (arch, h, task) => {
    if (task !== "object-detection" && task !== "instance-segmentation")
      throw new FlambeauError("E_ARG", `${dir} holds a ${task} model, not an object-detection or instance-segmentation one`);
    hyperOf(task, arch, h.numClasses, h.masks);
    return buildModel(h);
  });

/**
 * Box mAP@0.5 and mAP@[.5:.95] (and, with masks, mask mAP against the exact full-size
 * instance masks) of a detector on scenes, with AP@0.5 per class.
 */
export async function scoreDetector(
  model: CenterNet,
  pre: ImagePreprocessing,
  labels: readonly string[],
  set: SceneSplit,
  batchSize = 64,
): Promise<Record<string, unknown>> {
  const c = model.numClasses;
  const masks = model.masks;
  const s = set.size;
  const acc = new DetectionAccumulator(c, masks);
  model.eval();
  let objects = 0;
  for (let i0 = 0; i0 < set.scenes.length; i0 += batchSize) {
    const batch = set.scenes.slice(i0, i0 + batchSize);
    noGrad(() =>
      tidy(() => {
        const maps = splitCenterNet(model.forward(normalise(sceneImages({ ...set, scenes: batch }), pre)), c, masks);
        const found = decodeCenterNet(maps, EVAL_DECODE);
        const flat = found.flatMap((ds, i) => ds.map((d) => ({ ...d, local: i })));
        const ms = masks
          ? detectionMasks(
              maps,
              flat.map((d) => d.local),
              flat.map((d) => d.cell),
              s,
            )
          : [];
        const dets = flat.map((d, j) => ({ image: i0 + d.local, category: d.category, score: d.score, box: d.box, mask: ms[j]! }));
        const gts = batch.flatMap((sc, i) =>
          sc.objects.map((ob, k) => ({
            image: i0 + i,
            category: ob.category,
            box: ob.box,
            mask: masks ? Uint8Array.from(sc.instances, (v) => (v === k + 1 ? 1 : 0)) : new Uint8Array(0),
          })),
        );
        objects += gts.length;
        acc.add(dets as MaskDetection[], gts as MaskGroundTruth[]);
      }),
    );
  }
  const r = acc.compute();
  const perClass = (ap: number[]) => Object.fromEntries(labels.map((l, i) => [l, ap[i]]));
  return {
    examples: set.scenes.length,
    objects,
    map50: r.map50,
    map: r.map,
    ...(masks ? { maskMap50: r.maskMap50, maskMap: r.maskMap } : {}),
    ap50: perClass(r.ap50),
    ...(masks ? { maskAp50: perClass(r.maskAp50!) } : {}),
  };
}

/** A loaded detector, with its inference path when a predictor made one. */
type LoadedDetector = Awaited<ReturnType<typeof loadDetector>> & { infer?: InferenceModel };

/** Detections (labels, scores, boxes in the image's pixels, optional masks at its size) in one image. */
export async function detectObjects(
  dir: string | LoadedDetector,
  file: string,
  scoreThreshold = PREDICT_THRESHOLD,
): Promise<{ objects: DetectedObject[]; masks: Uint8Array[]; image: { data: Uint8Array; height: number; width: number } }> {
  const d: LoadedDetector = typeof dir === "string" ? await loadDetector(dir) : dir;
  const { model, pre, labels } = d;
  const orig = await readImage(file, { channels: 3 });
  if (orig.height * orig.width > 4096 * 4096)
    throw new FlambeauError("E_ARG", `${d.task}: ${file} is ${orig.width}×${orig.height}; predict takes images up to 4096×4096 px`);
  const resized = await readImage(file, { channels: 3, size: pre.size });
  const s = pre.size;
  const kx = orig.width / s;
  const ky = orig.height / s;
  const { found, small: ms } = noGrad(() =>
    tidy(() => {
      const x = normalise(tensor(resized.data, { shape: [1, 3, s, s] }), pre);
      const maps = splitCenterNet(d.infer ? d.infer.forward(x) : model.forward(x), model.numClasses, model.masks);
      const found = decodeCenterNet(maps, { ...EVAL_DECODE, scoreThreshold })[0]!;
      const fullMasks = model.masks
        ? detectionMasks(
            maps,
            found.map(() => 0),
            found.map((f) => f.cell),
            s,
          )
        : [];
      return { found, small: fullMasks };
    }),
  );
  // Masks back to the image's size (nearest neighbour).
  const masks = ms.map((m) => {
    const out = new Uint8Array(orig.height * orig.width);
    for (let y = 0; y < orig.height; y++)
      for (let x = 0; x < orig.width; x++)
        out[y * orig.width + x] = m[Math.min(s - 1, Math.floor(y / ky)) * s + Math.min(s - 1, Math.floor(x / kx))]!;
    return out;
  });
  const r1 = (v: number) => Math.round(v * 10) / 10;
  const objects = found.map((f, i) => ({
    label: labels[f.category] ?? String(f.category),
    score: f.score,
    box: [r1(f.box[0] * kx), r1(f.box[1] * ky), r1(f.box[2] * kx), r1(f.box[3] * ky)] as [number, number, number, number],
    ...(model.masks ? { maskArea: masks[i]!.reduce((a, v) => a + v, 0) } : {}),
  }));
  return { objects, masks, image: orig };
}

/** Draws boxes in class colours (and masks blended) on a copy of the image. */
export function drawDetections(
  image: { data: Uint8Array; height: number; width: number },
  objects: readonly DetectedObject[],
  masks: readonly Uint8Array[],
  labels: readonly string[],
): Uint8Array {
  const { height: h, width: w } = image;
  const cls = objects.map((o) => Math.max(0, labels.indexOf(o.label)) + 1);
  let img = image.data;
  if (masks.length) {
    const lab = new Uint8Array(h * w);
    masks.forEach((m, i) => {
      for (let p = 0; p < m.length; p++) if (m[p] && !lab[p]) lab[p] = cls[i]!;
    });
    img = overlayMask(img, lab, h, w, 0.45);
  } else img = img.slice();
  drawBoxes(
    img,
    h,
    w,
    objects.map((o, i) => ({ box: o.box, color: classColor(cls[i]!) })),
  );
  return img;
}

/** Confident detections (and masks at the scene's size) for in-memory scenes. */
export function detectScenes(
  model: CenterNet,
  pre: ImagePreprocessing,
  labels: readonly string[],
  set: SceneSplit,
  scoreThreshold = PREDICT_THRESHOLD,
): { objects: DetectedObject[]; masks: Uint8Array[] }[] {
  return noGrad(() =>
    tidy(() => {
      const maps = splitCenterNet(model.forward(normalise(sceneImages(set), pre)), model.numClasses, model.masks);
      return decodeCenterNet(maps, { ...EVAL_DECODE, scoreThreshold }).map((found, i) => ({
        objects: found.map((f) => ({ label: labels[f.category] ?? String(f.category), score: f.score, box: f.box })),
        masks: model.masks
          ? detectionMasks(
              maps,
              found.map(() => i),
              found.map((f) => f.cell),
              set.size,
            )
          : [],
      }));
    }),
  );
}

function drawPath(draw: string, input: string, many: boolean): string {
  if (!many) return draw;
  const ext = extname(draw) || ".png";
  return `${draw.slice(0, draw.length - extname(draw).length)}-${basename(input, extname(input))}${ext}`;
}

function makeTask(name: "object-detection" | "instance-segmentation", masks: boolean): Task {
  async function train(o: SceneTrainInput): Promise<TaskTrainResult> {
    const { seed } = o;
    manualSeed(seed);
    let arch = o.model ?? "centernet-small";
    hyperOf(name, arch, 1, masks);
    const {
      train: tr,
      val,
      generator,
    } = await trainScenes(
      o.data,
      { ...DETECTION_SCENES, count: masks ? 8000 : 20000, valCount: 300 },
      { limit: o.limit, seed, images: o.images, log: o.log },
    );
    checkDetectionSize(name, tr.size);
    const init = await sceneInit<Hyper>(name, o.init, tr.classes, o.model);
    if (init) arch = init.architecture;
    const hyper = init?.hyper ?? hyperOf(name, arch, tr.classes.length, masks);
    const targets = (set: SceneSplit): Tensor => centernetTargets(set, { numClasses: hyper.numClasses, masks });
    const batchSize = o.batchSize ?? 32;
    const recipe = fixedDataRecipe(name, {
      generated: generator !== null,
      preset: o.augment,
      epochs: o.epochs,
      defaultEpochs: masks ? 10 : 20,
      n: tr.scenes.length,
      batchSize,
      minSteps: 3000,
      maxEpochs: 120,
    });
    const fit = {
      task: name,
      model: buildModel(hyper),
      architecture: arch,
      hyper,
      labels: tr.classes,
      init,
      train: tr,
      val,
      generator,
      targets,
      loss: centernetLoss(hyper.numClasses, masks),
      meter: () => new DetectionMeter(hyper.numClasses, masks, EVAL_DECODE),
      batchSize,
      valBatchSize: 64,
      epochs: recipe.epochs,
      augment: recipe.augment,
      patience: recipe.patience,
      peakLr: o.lr ?? 2e-3,
      monitor: "valMap50",
    };
    return fitOnScenes(fit, o);
  }

  async function evaluate(dir: string, data: string, o: EvalArgs & { images?: string } = {}): Promise<Record<string, unknown>> {
    const { model, pre, labels, task } = await loadDetector(dir);
    try {
      if (task !== name) throw new FlambeauError("E_ARG", `${dir} holds a ${task} model, not ${name}`);
      const read = await testScenes(data, pre.generator, { limit: o.limit, size: pre.size, count: 500, images: o.images });
      if (read.classes.length !== labels.length)
        throw new FlambeauError("E_ARG", `${name}: ${data} has ${read.classes.length} categories, the model ${labels.length}`);
      const { set, overlap } = untrainedScenes(dir, data, read, o);
      return { ...(await scoreDetector(model, pre, labels, set, o.batchSize)), ...overlap };
    } finally {
      model.dispose();
    }
  }

  /** Loads the detector once; each call detects the objects of every input (and draws them with `draw`). */
  async function load(dir: string): Promise<Predictor<DetectionPrediction, { draw?: string }>> {
    const loaded = await loadDetector(dir);
    if (loaded.task !== name) {
      loaded.model.dispose();
      throw new FlambeauError("E_ARG", `${dir} holds a ${loaded.task} model, not ${name}`);
    }
    // The inference path: oneDNN's layout where it measures faster, on one image and on a batch (issue 24).
    const d = { ...loaded, infer: optimizeForInference(loaded.model, [1, 3, loaded.pre.size, loaded.pre.size]) };
    return {
      task: name,
      async predict(inputs, o = {}) {
        const out: DetectionPrediction[] = [];
        for (const file of inputs) {
          const r = await detectObjects(d, file);
          const p: DetectionPrediction = { input: file, objects: r.objects };
          if (o.draw) {
            p.output = drawPath(o.draw, file, inputs.length > 1);
            const img = drawDetections(r.image, r.objects, r.masks, d.labels);
            const drawn = tensor(img, { shape: [3, r.image.height, r.image.width] });
            await writeImage(p.output, drawn);
            drawn.dispose();
          }
          out.push(p);
        }
        return out;
      },
      dispose: () => d.model.dispose(),
    };
  }

  const formatPrediction = (r: DetectionPrediction): string => {
    const list = r.objects.map(
      (o) =>
        `${o.label} ${o.score.toFixed(2)} [x ${o.box[0]}, y ${o.box[1]}, w ${o.box[2]}, h ${o.box[3]}]${o.maskArea !== undefined ? ` mask ${o.maskArea} px` : ""}`,
    );
    const n = r.objects.length;
    return `${n} object${n === 1 ? "" : "s"}${n ? `: ${list.join("; ")}` : ` above score ${PREDICT_THRESHOLD}`}${r.output ? ` (drawn in ${r.output})` : ""}`;
  };

  async function demo(o: DemoOptions): Promise<DemoSection> {
    const t0 = performance.now();
    const data = "scenes:digits";
    const budget = o.full
      ? { model: "centernet-small", limit: masks ? 8000 : 20000, epochs: masks ? 10 : 20 }
      : { model: "centernet-tiny", limit: masks ? 1500 : 3000, epochs: 4 };
    const r = await train({ data, out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
    const m = await evaluate(o.out, data, { limit: o.full ? undefined : 200 });
    const { model, pre, labels } = await loadDetector(o.out);
    const set = await testScenes(data, pre.generator, { size: pre.size, count: 6 });
    const s = pre.size;
    const found = detectScenes(model, pre, labels, set);
    const rows = set.scenes.map((sc, i) => {
      const truth = sc.objects.map((ob) => ({ label: labels[ob.category]!, score: 1, box: ob.box }));
      const truthMasks = masks ? sc.objects.map((_, k) => Uint8Array.from(sc.instances, (v) => (v === k + 1 ? 1 : 0))) : [];
      const img = { data: sc.image, height: s, width: s };
      const f = found[i]!;
      return [
        { image: drawDetections(img, truth, truthMasks, labels), caption: `truth: ${truth.length} objects` },
        {
          image: drawDetections(img, f.objects, f.masks, labels),
          caption: f.objects.length ? f.objects.map((d) => `${d.label} ${d.score.toFixed(2)}`).join(", ") : "nothing above 0.3",
        },
      ];
    });
    model.dispose();
    const title = `Held-out scenes: truth, then the detections above score ${PREDICT_THRESHOLD} (class colours${masks ? ", masks blended" : ""})`;
    return {
      task: name,
      dataset:
        "generated scenes: 1–6 of opencv-doc's handwritten digits with occlusion on crops of Debian's photos (held-out digits and photos for test)",
      commands: [
        `flambeau train ${name} --data ${data} --model ${budget.model} --limit ${budget.limit} --epochs ${budget.epochs} --out ${o.out}`,
        `flambeau eval ${o.out} --data ${data}${o.full ? "" : " --limit 200"} --json`,
      ],
      metrics: {
        map50: m.map50 as number,
        map: m.map as number,
        ...(masks ? { maskMap50: m.maskMap50 as number } : {}),
      },
      history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss })),
      seconds: (performance.now() - t0) / 1000,
      extraHtml: await sceneFiguresHtml(title, rows, s),
    };
  }

  return defineTask({
    name,
    description: masks
      ? "instance segmentation: each object's class, box and mask (CenterNet detector + CondInst-style dynamic mask head; box and mask mAP)"
      : "object detection: every object's class and box (anchor-free CenterNet on a ResNet/FPN-lite backbone, batched NMS; COCO mAP@0.5 and mAP@[.5:.95])",
    dataFormat: `\`scenes\` (generated: 1–6 Fashion-MNIST items with occlusion on real photos; \`scenes:digits\` for opencv-doc's digits; test scenes use held-out objects and photos) or a data set of yours: ${SCENE_FORMATS_TEXT}; images stretched to a square, side a multiple of 16; fixed sets train with augmentation (--augment), more epochs when small, and early stopping on validation mAP@0.5`,
    models: [...ARCHS],
    defaultModel: "centernet-small",
    options: {
      init: opt.path("continue or fine-tune from a saved model directory", { phases: ["train"] }),
      ...SCENE_DATA_OPTIONS,
      draw: opt.path(`write the image with the boxes${masks ? " and masks" : ""} drawn to this PNG`, { phases: ["predict"] }),
    },
    train,
    evaluate,
    load,
    loadExport: async (dir) => {
      const { model, pre, labels } = await loadDetector(dir);
      const g = pre.size / CENTERNET_STRIDE;
      return sceneExportSpec(
        model,
        pre,
        labels,
        `CenterNet maps flattened per image: [batch, ${model.numClasses} heatmap logits + 2 box sizes + 2 centre offsets${masks ? " + controller weights" : ""}, ${g}, ${g}]${masks ? ` then mask features [batch, 8, ${2 * g}, ${2 * g}]` : ""}; peaks of the sigmoid heatmap above a threshold, then NMS, give the objects (Flambeau's splitCenterNet/decodeCenterNet)`,
      );
    },
    formatPrediction,
    demo,
  });
}

export const objectDetection = makeTask("object-detection", false);
export const instanceSegmentation = makeTask("instance-segmentation", true);
