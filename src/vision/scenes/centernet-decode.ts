// From CenterNet's maps to detections: sigmoid heatmap, 3×3 max-pool peak extraction (a
// cell is kept where it equals its neighbourhood's max), top-K over classes × cells, a score
// threshold, the box from the size and offset at the peak, then batched NMS per image. With
// a mask branch each detection gets its mask from the dynamic head at its peak cell. The
// accumulator and the Trainer meter score detections with COCO-style box (and mask) mAP.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor, tidy } from "../../core/index.js";
import { functional as F } from "../../nn/index.js";
import type { Meter } from "../../train/trainer.js";
import { type CenterNetMaps, dynamicMaskLogits, splitCenterNet } from "../models/centernet.js";
import { CENTERNET_STRIDE, GT_FIELDS, objectsPerRow, targetSizes } from "./centernet-targets.js";
import {
  batchedNms,
  type Detection,
  type GroundTruth,
  type MaskDetection,
  type MaskGroundTruth,
  meanAveragePrecision,
  meanMaskAveragePrecision,
} from "./detection-metrics.js";

export interface CenterNetDecodeOptions {
  /** Peaks kept per image before the threshold (default 100). */
  topK?: number;
  /** Lowest score kept (default 0.05). */
  scoreThreshold?: number;
  /** IoU above which a lower-scored box of the same class is suppressed (default 0.5). */
  nmsIou?: number;
}

export interface DecodedBox {
  category: number;
  score: number;
  /** [x, y, width, height] in input pixels. */
  box: [number, number, number, number];
  /** The peak's cell in the G × G grid (where the mask head reads its weights). */
  cell: number;
}

function checkDecode(o: CenterNetDecodeOptions): Required<CenterNetDecodeOptions> {
  const r = { topK: o.topK ?? 100, scoreThreshold: o.scoreThreshold ?? 0.05, nmsIou: o.nmsIou ?? 0.5 };
  if (!Number.isInteger(r.topK) || r.topK < 1 || r.topK > 10_000)
    throw new FlambeauError("E_ARG", `decodeCenterNet: topK must be an integer in [1, 10000], got ${r.topK}`);
  if (!(r.scoreThreshold >= 0 && r.scoreThreshold <= 1))
    throw new FlambeauError("E_ARG", `decodeCenterNet: scoreThreshold must be in [0, 1], got ${r.scoreThreshold}`);
  if (!(r.nmsIou > 0 && r.nmsIou <= 1)) throw new FlambeauError("E_ARG", `decodeCenterNet: nmsIou must be in (0, 1], got ${r.nmsIou}`);
  return r;
}

/** Decodes heatmap logits [N, C, G, G], sizes and offsets [N, 2, G, G] into each image's boxes (by decreasing score). */
export function decodeCenterNet(maps: Pick<CenterNetMaps, "heat" | "wh" | "offset">, o: CenterNetDecodeOptions = {}): DecodedBox[][] {
  const { topK, scoreThreshold, nmsIou } = checkDecode(o);
  const [n, c, g] = [maps.heat.shape[0]!, maps.heat.shape[1]!, maps.heat.shape[2]!];
  const cells = g * g;
  const k = Math.min(topK, c * cells);
  const [scores, idx, wh, off] = tidy(() => {
    const heat = maps.heat.sigmoid();
    const peaks = heat.mul(F.maxPool2d(heat, 3, { stride: 1, padding: 1 }).eq(heat).float());
    const { values, indices } = peaks.reshape([n, c * cells]).topk(k, 1);
    return [
      values.data() as Float32Array,
      indices.data() as BigInt64Array,
      maps.wh.contiguous().data() as Float32Array,
      maps.offset.contiguous().data() as Float32Array,
    ];
  });
  const R = CENTERNET_STRIDE;
  const out: DecodedBox[][] = [];
  for (let i = 0; i < n; i++) {
    const found: DecodedBox[] = [];
    for (let j = 0; j < k; j++) {
      const score = scores[i * k + j]!;
      if (score < scoreThreshold || score <= 0) break;
      const id = Number(idx[i * k + j]!);
      const category = Math.floor(id / cells);
      const cell = id - category * cells;
      const y = Math.floor(cell / g);
      const x = cell - y * g;
      const base = i * 2 * cells + cell;
      const w = Math.max(0, wh[base]!) * R;
      const h = Math.max(0, wh[base + cells]!) * R;
      const cx = (x + off[base]!) * R;
      const cy = (y + off[base + cells]!) * R;
      found.push({ category, score, box: [cx - w / 2, cy - h / 2, w, h], cell });
    }
    const keep = batchedNms(
      found.map((d) => [d.box[0], d.box[1], d.box[0] + d.box[2], d.box[1] + d.box[3]] as const),
      found.map((d) => d.score),
      found.map((d) => d.category),
      nmsIou,
    );
    out.push(keep.map((j) => found[j]!));
  }
  return out;
}

/**
 * 0/1 masks (side × side bytes each) of decoded detections: `image[i]` and `cell[i]` say
 * where detection i's dynamic head reads its weights; the stride-2 logits are upsampled
 * bilinearly to `side` when it differs.
 */
export function detectionMasks(maps: CenterNetMaps, image: readonly number[], cell: readonly number[], side: number): Uint8Array[] {
  if (image.length === 0) return [];
  return tidy(() => {
    const it = tensor(
      BigInt64Array.from(image, (v) => BigInt(v)),
      { shape: [image.length] },
    );
    const ct = tensor(
      BigInt64Array.from(cell, (v) => BigInt(v)),
      { shape: [cell.length] },
    );
    let logits = dynamicMaskLogits(maps, it, ct);
    if (logits.shape[1] !== side)
      logits = F.interpolate(logits.unsqueeze(1), { size: [side, side], mode: "bilinear", alignCorners: false }).squeeze(1);
    const bits = logits.gt(0).to("uint8").data() as Uint8Array;
    const a = side * side;
    return image.map((_, i) => bits.slice(i * a, (i + 1) * a));
  });
}

/** Collects detections and ground truth over batches; computes box mAP and, with masks, mask mAP. */
export class DetectionAccumulator {
  readonly dets: (Detection | MaskDetection)[] = [];
  readonly gts: (GroundTruth | MaskGroundTruth)[] = [];
  constructor(
    readonly numClasses: number,
    readonly masks: boolean,
  ) {}
  add(dets: readonly (Detection | MaskDetection)[], gts: readonly (GroundTruth | MaskGroundTruth)[]): void {
    for (const d of dets) this.dets.push(d);
    for (const g of gts) this.gts.push(g);
  }
  compute(): { map50: number; map: number; ap50: number[]; maskMap50?: number; maskMap?: number; maskAp50?: number[] } {
    const box = meanAveragePrecision(this.dets, this.gts, this.numClasses);
    if (!this.masks) return box;
    const m = meanMaskAveragePrecision(this.dets as MaskDetection[], this.gts as MaskGroundTruth[], this.numClasses);
    return { ...box, maskMap50: m.map50, maskMap: m.map, maskAp50: m.ap50 };
  }
}

/**
 * The Trainer's meter: decodes each batch and reads the ground truth packed in the targets
 * (masks compared at half resolution, the targets' own). Reports map50, map (and maskMap50).
 */
export class DetectionMeter implements Meter {
  readonly acc: DetectionAccumulator;
  #seen = 0;
  constructor(
    readonly numClasses: number,
    readonly masks: boolean,
    readonly decode: CenterNetDecodeOptions = {},
  ) {
    this.acc = new DetectionAccumulator(numClasses, masks);
  }
  update(out: Tensor, y: Tensor): void {
    const maps = splitCenterNet(out, this.numClasses, this.masks);
    const n = out.shape[0]!;
    const layout = { numClasses: this.numClasses, size: 4 * maps.grid, masks: this.masks };
    const k = objectsPerRow(layout, y.shape[1]!);
    const { dense, maskSide } = targetSizes(layout, k);
    const rows = tidy(
      () =>
        y
          .narrow(1, dense, y.shape[1]! - dense)
          .contiguous()
          .data() as Float32Array,
    );
    const stride = y.shape[1]! - dense;
    const found = decodeCenterNet(maps, this.decode);
    const flat = found.flatMap((ds, i) => ds.map((d) => ({ ...d, image: this.#seen + i, local: i })));
    const masks = this.masks
      ? detectionMasks(
          maps,
          flat.map((d) => d.local),
          flat.map((d) => d.cell),
          maskSide,
        )
      : [];
    const dets = flat.map((d, j) => ({
      image: d.image,
      category: d.category,
      score: d.score,
      box: d.box,
      ...(this.masks ? { mask: masks[j]! } : {}),
    }));
    const gts: (GroundTruth | MaskGroundTruth)[] = [];
    const a = maskSide * maskSide;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < k; j++) {
        const r = i * stride + j * GT_FIELDS;
        if (rows[r] !== 1) continue;
        const g: GroundTruth = { image: this.#seen + i, category: rows[r + 1]!, box: Array.from(rows.subarray(r + 2, r + 6)) };
        if (this.masks) {
          const m = rows.subarray(i * stride + k * GT_FIELDS + j * a, i * stride + k * GT_FIELDS + (j + 1) * a);
          gts.push({ ...g, mask: Uint8Array.from(m, (v) => (v >= 0.5 ? 1 : 0)) });
        } else gts.push(g);
      }
    this.acc.add(dets, gts);
    this.#seen += n;
  }
  compute(): Record<string, unknown> {
    const r = this.acc.compute();
    return { map50: r.map50, map: r.map, ...(this.masks ? { maskMap50: r.maskMap50, maskMap: r.maskMap } : {}) };
  }
}
