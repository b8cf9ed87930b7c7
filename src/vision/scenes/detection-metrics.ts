// Detection post-processing and scoring: batched non-maximum suppression (torchvision's
// trick: boxes of different classes are offset apart so one NMS pass never suppresses
// across classes) and COCO-style average precision (greedy matching by score, 101-point
// interpolated precision, mean over classes that have ground truth).
import { argError } from "../../core/errors.js";

/** A box as [x0, y0, x1, y1] corners. */
export type XyxyBox = readonly [number, number, number, number];

function iouXyxy(a: XyxyBox, b: XyxyBox): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** Indices of the boxes kept by NMS, by decreasing score (torchvision.ops.nms). */
export function nms(boxes: readonly XyxyBox[], scores: ArrayLike<number>, iouThreshold: number): number[] {
  if (boxes.length !== scores.length) argError("nms", `${boxes.length} boxes but ${scores.length} scores`);
  const order = Array.from(boxes.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const removed = new Uint8Array(boxes.length);
  const keep: number[] = [];
  for (const i of order) {
    if (removed[i]) continue;
    keep.push(i);
    for (const j of order) if (!removed[j] && j !== i && iouXyxy(boxes[i]!, boxes[j]!) > iouThreshold) removed[j] = 1;
  }
  return keep;
}

/** NMS within each class (torchvision.ops.batched_nms): indices kept, by decreasing score. */
export function batchedNms(
  boxes: readonly XyxyBox[],
  scores: ArrayLike<number>,
  classes: ArrayLike<number>,
  iouThreshold: number,
): number[] {
  if (boxes.length !== classes.length) argError("batchedNms", `${boxes.length} boxes but ${classes.length} class ids`);
  if (boxes.length === 0) return [];
  let max = 0;
  for (const b of boxes) max = Math.max(max, ...b);
  const shifted = boxes.map((b, i) => {
    const o = classes[i]! * (max + 1);
    return [b[0] + o, b[1] + o, b[2] + o, b[3] + o] as const;
  });
  return nms(shifted, scores, iouThreshold);
}

export interface Detection {
  image: number;
  category: number;
  score: number;
  /** [x, y, width, height] */
  box: readonly number[];
}
export interface GroundTruth {
  image: number;
  category: number;
  box: readonly number[];
}

const toXyxy = (b: readonly number[]): XyxyBox => [b[0]!, b[1]!, b[0]! + b[2]!, b[1]! + b[3]!];

/** AP of one class at one IoU threshold: greedy matching by score, 101-point interpolation as pycocotools. */
function averagePrecision<D extends Detection, G extends GroundTruth>(
  dets: readonly D[],
  gts: readonly G[],
  t: number,
  overlap: (d: D, g: G) => number,
): number {
  const byImage = new Map<number, { g: G; used: boolean }[]>();
  for (const g of gts) {
    const list = byImage.get(g.image);
    if (list) list.push({ g, used: false });
    else byImage.set(g.image, [{ g, used: false }]);
  }
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const tp: number[] = [];
  for (const d of sorted) {
    const cands = byImage.get(d.image) ?? [];
    let best = -1;
    let bestIou = Math.min(t, 1 - 1e-10);
    cands.forEach((c, k) => {
      if (c.used) return;
      const iou = overlap(d, c.g);
      if (iou >= bestIou) {
        bestIou = iou;
        best = k;
      }
    });
    if (best >= 0) cands[best]!.used = true;
    tp.push(best >= 0 ? 1 : 0);
  }
  const precision: number[] = [];
  const recall: number[] = [];
  let ctp = 0;
  tp.forEach((v, i) => {
    ctp += v;
    precision.push(ctp / (i + 1));
    recall.push(ctp / gts.length);
  });
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i]!, precision[i + 1]!);
  let sum = 0;
  for (let k = 0; k <= 100; k++) {
    const r = k / 100;
    const i = recall.findIndex((x) => x >= r);
    sum += i >= 0 ? precision[i]! : 0;
  }
  return sum / 101;
}

/** mAP over classes and COCO's ten IoU thresholds for any overlap measure. */
function meanAp<D extends Detection, G extends GroundTruth>(
  dets: readonly D[],
  gts: readonly G[],
  numClasses: number,
  overlap: (d: D, g: G) => number,
): { map50: number; map: number; ap50: number[] } {
  const thresholds = Array.from({ length: 10 }, (_, i) => Math.round((0.5 + 0.05 * i) * 100) / 100);
  const ap50: number[] = [];
  let sum50 = 0;
  let sumAll = 0;
  let present = 0;
  for (let c = 0; c < numClasses; c++) {
    const g = gts.filter((x) => x.category === c);
    if (g.length === 0) {
      ap50.push(Number.NaN);
      continue;
    }
    const d = dets.filter((x) => x.category === c);
    const aps = thresholds.map((t) => averagePrecision(d, g, t, overlap));
    ap50.push(aps[0]!);
    sum50 += aps[0]!;
    sumAll += aps.reduce((a, b) => a + b, 0) / aps.length;
    present++;
  }
  return { map50: present ? sum50 / present : 0, map: present ? sumAll / present : 0, ap50 };
}

/** COCO-style mAP@0.5 and mAP@[.5:.95] (mean over the classes that have ground truth), and AP@0.5 per class. */
export function meanAveragePrecision(
  dets: readonly Detection[],
  gts: readonly GroundTruth[],
  numClasses: number,
): { map50: number; map: number; ap50: number[] } {
  return meanAp(dets, gts, numClasses, (d, g) => iouXyxy(toXyxy(d.box), toXyxy(g.box)));
}

/** A detection with its instance mask (0/1, one byte per pixel, the image's H × W). */
export interface MaskDetection extends Detection {
  mask: Uint8Array;
}
export interface MaskGroundTruth extends GroundTruth {
  mask: Uint8Array;
}

/** IoU of two 0/1 masks of the same size (0 when both are empty). */
export function maskIou(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) argError("maskIou", `masks of ${a.length} and ${b.length} pixels`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0;
    const y = b[i] !== 0;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union ? inter / union : 0;
}

/** Mask mAP: the same COCO matching and interpolation as meanAveragePrecision, with mask IoU in place of box IoU. */
export function meanMaskAveragePrecision(
  dets: readonly MaskDetection[],
  gts: readonly MaskGroundTruth[],
  numClasses: number,
): { map50: number; map: number; ap50: number[] } {
  return meanAp(dets, gts, numClasses, (d, g) => maskIou(d.mask, g.mask));
}
