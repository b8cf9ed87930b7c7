// CenterNet's training targets (Zhou et al. 2019, "Objects as Points"), built from scenes:
// a per-class centre heatmap of Gaussians whose radius is CenterNet's gaussian_radius at
// min_overlap 0.7, the box size (w, h) and the sub-cell offset at each centre cell, plus the
// ground truth itself (boxes, and for instance segmentation masks at half the image side).
// Everything is packed into one float32 row per image so the shared Trainer can batch it:
//   [heatmap C·G² | wh 2·G² | offset 2·G² | regression mask G² | K × (valid, class, x, y, w, h, cell) | K × M² masks]
// with G = S / stride, M = S / 2 and K the most objects an image of the set has.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import type { SceneSplit } from "./task-data.js";

/** Output stride of the detector's maps. */
export const CENTERNET_STRIDE = 4;
/** Floats per ground-truth record: valid, class, x, y, w, h, centre cell. */
export const GT_FIELDS = 7;

/**
 * CenterNet's gaussian_radius(det_size, min_overlap=0.7) (its three quadratic cases, taken
 * as written in the reference code): the radius within which a corner can move and the box
 * still overlaps the truth by `minOverlap`.
 */
export function gaussianRadius(height: number, width: number, minOverlap = 0.7): number {
  const b1 = height + width;
  const c1 = (width * height * (1 - minOverlap)) / (1 + minOverlap);
  const r1 = (b1 + Math.sqrt(b1 * b1 - 4 * c1)) / 2;
  const b2 = 2 * (height + width);
  const c2 = (1 - minOverlap) * width * height;
  const r2 = (b2 + Math.sqrt(b2 * b2 - 16 * c2)) / 2;
  const a3 = 4 * minOverlap;
  const b3 = -2 * minOverlap * (height + width);
  const c3 = (minOverlap - 1) * width * height;
  const r3 = (b3 + Math.sqrt(b3 * b3 - 4 * a3 * c3)) / 2;
  return Math.min(r1, r2, r3);
}

/**
 * draw_umich_gaussian: max-combines a Gaussian of the given integer radius (σ = diameter / 6)
 * centred on cell (cx, cy) into a [h, w] map, in place; its peak is exactly 1.
 */
export function drawGaussian(map: Float32Array, h: number, w: number, cx: number, cy: number, radius: number): void {
  const sigma = (2 * radius + 1) / 6;
  const eps = 2.220446049250313e-16; // numpy's float64 eps, as CenterNet's cut-off
  for (let dy = -Math.min(cy, radius); dy <= Math.min(h - cy - 1, radius); dy++)
    for (let dx = -Math.min(cx, radius); dx <= Math.min(w - cx - 1, radius); dx++) {
      const g = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      if (g < eps) continue;
      const i = (cy + dy) * w + cx + dx;
      if (g > map[i]!) map[i] = g;
    }
}

export interface DetectionLayout {
  numClasses: number;
  /** Scene side in px (a multiple of 16). */
  size: number;
  /** Whether the rows carry instance masks. */
  masks: boolean;
}

/** Sizes of the packed target row for K objects per image. */
export function targetSizes(l: DetectionLayout, k: number) {
  const g = l.size / CENTERNET_STRIDE;
  const cells = g * g;
  const maskSide = l.size / 2;
  const dense = (l.numClasses + 5) * cells;
  const width = dense + k * GT_FIELDS + (l.masks ? k * maskSide * maskSide : 0);
  return { grid: g, cells, maskSide, dense, width };
}

/** K (objects per row) of a packed target row of `width` floats. */
export function objectsPerRow(l: DetectionLayout, width: number): number {
  const s = targetSizes(l, 0);
  const k = (width - s.dense) / (GT_FIELDS + (l.masks ? s.maskSide * s.maskSide : 0));
  if (!Number.isInteger(k) || k < 0)
    throw new FlambeauError(
      "E_SHAPE",
      `centernet: a target row of ${width} floats does not fit ${l.numClasses} classes at ${l.size} px${l.masks ? " with masks" : ""}`,
    );
  return k;
}

/** Checks the scene side a CenterNet detector accepts. */
export function checkDetectionSize(op: string, size: number): void {
  if (!Number.isInteger(size) || size < 16 || size % 16 !== 0)
    throw new FlambeauError("E_ARG", `${op}: the image side must be a multiple of 16 px (at least 16), got ${size}`, op);
}

/** Fills one image's target row (see the file header) from its objects and instance map. */
export function fillTargetRow(
  row: Float32Array,
  l: DetectionLayout,
  k: number,
  objects: readonly { category: number; box: readonly number[] }[],
  instances?: Uint8Array,
): void {
  const { grid: g, cells, maskSide, dense } = targetSizes(l, k);
  const R = CENTERNET_STRIDE;
  objects.slice(0, k).forEach((ob, j) => {
    const [x, y, w, h] = ob.box as [number, number, number, number];
    if (!(ob.category >= 0 && ob.category < l.numClasses))
      throw new FlambeauError("E_FORMAT", `centernet: object class ${ob.category} is outside [0, ${l.numClasses})`);
    const gt = dense + j * GT_FIELDS;
    const cxf = (x + w / 2) / R;
    const cyf = (y + h / 2) / R;
    const cx = Math.min(g - 1, Math.max(0, Math.floor(cxf)));
    const cy = Math.min(g - 1, Math.max(0, Math.floor(cyf)));
    const cell = cy * g + cx;
    row.set([1, ob.category, x, y, w, h, cell], gt);
    if (w <= 0 || h <= 0) {
      row[gt] = 0;
      return;
    }
    const radius = Math.max(0, Math.floor(gaussianRadius(Math.ceil(h / R), Math.ceil(w / R))));
    drawGaussian(row.subarray(ob.category * cells, (ob.category + 1) * cells), g, g, cx, cy, radius);
    const reg = l.numClasses * cells;
    row[reg + cell] = w / R;
    row[reg + cells + cell] = h / R;
    row[reg + 2 * cells + cell] = cxf - cx;
    row[reg + 3 * cells + cell] = cyf - cy;
    row[reg + 4 * cells + cell] = 1;
    if (l.masks && instances) {
      // Half-resolution soft mask: the fraction of each 2 × 2 block the instance covers.
      const m = dense + k * GT_FIELDS + j * maskSide * maskSide;
      for (let v = 0; v < maskSide; v++)
        for (let u = 0; u < maskSide; u++) {
          let n = 0;
          for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) n += instances[(2 * v + a) * l.size + 2 * u + b] === j + 1 ? 1 : 0;
          row[m + v * maskSide + u] = n / 4;
        }
    }
  });
}

/** float32 [N, width]: the packed CenterNet targets of a scene set. */
export function centernetTargets(set: SceneSplit, o: { numClasses: number; masks: boolean }): Tensor {
  const l: DetectionLayout = { numClasses: o.numClasses, size: set.size, masks: o.masks };
  checkDetectionSize("centernetTargets", set.size);
  const k = Math.max(1, ...set.scenes.map((sc) => sc.objects.length));
  const { width } = targetSizes(l, k);
  const n = set.scenes.length;
  if (n * width * 4 > 2 ** 31)
    throw new FlambeauError(
      "E_MEMORY",
      `centernetTargets: ${n} images × ${k} objects need ${((n * width * 4) / 2 ** 30).toFixed(1)} GiB of targets; use --limit or fewer objects per image`,
    );
  const out = new Float32Array(n * width);
  set.scenes.forEach((sc, i) => {
    fillTargetRow(out.subarray(i * width, (i + 1) * width), l, k, sc.objects, sc.instances);
  });
  return tensor(out, { shape: [n, width] });
}
