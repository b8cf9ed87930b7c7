// text-to-image's judge: our own CenterNet detector (the object-detection task's model) trained
// on the same generated scenes the generator learns from, and what text-to-image asks of it —
// whether every object a caption names is found with its class (and with its colour: the
// dominant hue inside the detected box, named by scenes/colors.ts), and the pooled backbone
// features that the Fréchet distance is measured in.
import { FlambeauError } from "../../core/errors.js";
import { cat, noGrad, type Tensor, tidy } from "../../core/index.js";
import { plural } from "../../tasks/format.js";
import type { ProgressSink } from "../../train/progress.js";
import { CenterNet, splitCenterNet } from "../models/centernet.js";
import { DetectionMeter, decodeCenterNet } from "../scenes/centernet-decode.js";
import { centernetLoss } from "../scenes/centernet-loss.js";
import { centernetTargets } from "../scenes/centernet-targets.js";
import { type ColorName, colorName, GRAY } from "../scenes/colors.js";
import { fitOnScenes } from "../scenes/fit.js";
import { generateScenes } from "../scenes/generate.js";
import { normalise } from "../scenes/loader.js";
import type { ObjectSource } from "../scenes/objects.js";
import type { GeneratorSettings } from "../scenes/task-data.js";
import { resize } from "../transforms/resize.js";
import { loadDetector, PREDICT_THRESHOLD } from "./object-detection.js";

/** An object a caption names: its class index and colour name. */
export interface NamedObject {
  category: number;
  color: ColorName;
}

export type Judge = Awaited<ReturnType<typeof loadDetector>>;

/** Trains a centernet-tiny detector on generated scenes with `settings` into `out`; returns its validation mAP@0.5. */
export async function trainJudge(o: {
  settings: GeneratorSettings & { objects: ObjectSource; size: number };
  out: string;
  seed: number;
  scenes: number;
  epochs: number;
  log: (line: string) => void;
  progress?: ProgressSink;
}): Promise<number> {
  const gen = o.settings;
  const tr = await generateScenes({ ...gen, count: o.scenes, split: "train", seed: o.seed });
  const val = await generateScenes({
    ...gen,
    count: Math.min(300, Math.max(16, Math.ceil(o.scenes / 4))),
    split: "train",
    seed: o.seed + 1_000_003,
  });
  const hyper = { numClasses: tr.classes.length, width: 16, neck: 32, head: 32, masks: false };
  o.log(
    `text-to-image: training the judge (object-detection centernet-tiny, ${plural(o.epochs, "epoch")} × ${o.scenes} fresh scenes) into ${o.out}`,
  );
  const decode = { topK: 100, scoreThreshold: 0.05, nmsIou: 0.5 };
  const r = await fitOnScenes(
    {
      task: "object-detection",
      model: new CenterNet(hyper),
      architecture: "centernet-tiny",
      hyper,
      labels: tr.classes,
      train: tr,
      val,
      generator: gen,
      targets: (set) => centernetTargets(set, { numClasses: hyper.numClasses, masks: false }),
      loss: centernetLoss(hyper.numClasses, false),
      meter: () => new DetectionMeter(hyper.numClasses, false, decode),
      batchSize: 32,
      valBatchSize: 64,
      epochs: o.epochs,
      peakLr: 2e-3,
      monitor: "valMap50",
      splitRecord: false,
    },
    { data: `scenes:${gen.objects}`, out: o.out, seed: o.seed, log: o.log, progress: o.progress },
  );
  return (r.metrics.map50 as number) ?? Number.NaN;
}

/** The object-detection model in `dir`; pictures of another side than its own are resized to it. */
export async function loadJudge(dir: string): Promise<Judge> {
  const judge = await loadDetector(dir);
  if (judge.task !== "object-detection") {
    judge.model.dispose();
    throw new FlambeauError("E_ARG", `text-to-image: the judge ${dir} holds a ${judge.task} model, not object-detection`);
  }
  return judge;
}

/** uint8 [N, 3, S, S] → the judge's input side (bilinear when it differs), still uint8. */
function judgeInput(judge: Judge, images: Tensor): Tensor {
  const s = judge.pre.size;
  if (images.shape[2] === s && images.shape[3] === s) return images.clone();
  return tidy(() => resize(images.float(), [s, s]).round().clamp(0, 255).byte());
}

/**
 * The dominant colour in a box of a uint8 [3, S, S] image: the most frequent hue name among its
 * saturated, not-dark pixels when they cover a fifth of the box, else gray (the untinted items).
 */
export function boxColor(image: Uint8Array, side: number, box: readonly number[]): ColorName {
  const hw = side * side;
  const x0 = Math.max(0, Math.floor(box[0]!));
  const y0 = Math.max(0, Math.floor(box[1]!));
  const x1 = Math.min(side, Math.ceil(box[0]! + box[2]!));
  const y1 = Math.min(side, Math.ceil(box[1]! + box[3]!));
  const counts = new Map<ColorName, number>();
  let area = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      area++;
      const p = y * side + x;
      const r = image[p]!;
      const g = image[hw + p]!;
      const b = image[2 * hw + p]!;
      const max = Math.max(r, g, b);
      if (max < 50 || (max - Math.min(r, g, b)) / max < 0.55) continue;
      const name = colorName(r, g, b);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  let best: ColorName = GRAY;
  let most = 0;
  for (const [name, n] of counts) if (n > most) [best, most] = [name, n];
  return area > 0 && most >= 0.2 * area ? best : GRAY;
}

/** Each image's confident detections as (class, colour) pairs. */
export function detectNamed(judge: Judge, images: Tensor, batch = 64): NamedObject[][] {
  const out: NamedObject[][] = [];
  const n = images.shape[0]!;
  const s = judge.pre.size;
  for (let i = 0; i < n; i += batch) {
    noGrad(() =>
      tidy(() => {
        const x = judgeInput(judge, images.narrow(0, i, Math.min(batch, n - i)));
        const maps = splitCenterNet(judge.model.forward(normalise(x, judge.pre)), judge.model.numClasses, false);
        const found = decodeCenterNet(maps, { scoreThreshold: PREDICT_THRESHOLD });
        const pixels = x.contiguous().data() as Uint8Array;
        found.forEach((ds, j) => {
          const img = pixels.subarray(j * 3 * s * s, (j + 1) * 3 * s * s);
          out.push(ds.map((d) => ({ category: d.category, color: boxColor(img, s, d.box) })));
        });
      }),
    );
  }
  return out;
}

/** Whether `found` holds every wanted object (as a multiset), by class alone and by class and colour. */
export function namedHit(wanted: readonly NamedObject[], found: readonly NamedObject[]): { cls: boolean; color: boolean } {
  const covers = (key: (o: NamedObject) => string): boolean => {
    const have = new Map<string, number>();
    for (const f of found) have.set(key(f), (have.get(key(f)) ?? 0) + 1);
    for (const w of wanted) {
      const k = have.get(key(w)) ?? 0;
      if (k === 0) return false;
      have.set(key(w), k - 1);
    }
    return true;
  };
  return { cls: covers((o) => String(o.category)), color: covers((o) => `${o.category} ${o.color}`) };
}

/** The share of images whose detections hold every object their caption names (class; class and colour). */
export function hitRates(found: readonly NamedObject[][], wanted: readonly NamedObject[][]): { cls: number; color: number } {
  if (found.length !== wanted.length)
    throw new FlambeauError("E_SHAPE", `text-to-image: ${found.length} judged images for ${wanted.length} captions`);
  let cls = 0;
  let color = 0;
  found.forEach((f, i) => {
    const h = namedHit(wanted[i]!, f);
    cls += +h.cls;
    color += +h.color;
  });
  return { cls: cls / found.length, color: color / found.length };
}

/** The judge's pooled backbone features (global mean of its last ResNet stage) of uint8 images: [N, 4 × width]. */
export function judgeFeatures(judge: Judge, images: Tensor, batch = 64): Tensor {
  const m = judge.model;
  const parts: Tensor[] = [];
  const n = images.shape[0]!;
  for (let i = 0; i < n; i += batch)
    parts.push(
      noGrad(() =>
        tidy(() => {
          const x = normalise(judgeInput(judge, images.narrow(0, i, Math.min(batch, n - i))), judge.pre);
          const c3 = m.layer3.forward(m.layer2.forward(m.layer1.forward(m.stem.forward(x))));
          return c3.mean({ dim: [2, 3] });
        }),
      ),
    );
  const out = cat(parts, 0);
  for (const p of parts) p.dispose();
  return out;
}
