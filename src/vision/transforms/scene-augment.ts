// Augmentation for fixed detection/segmentation sets: one random geometric map per scene
// (optional transpose, horizontal flip, scale with a crop or pad so the picture stays on the
// canvas) applied alike to the image (bilinear), the semantic and instance maps (nearest) and
// the boxes (exactly, then clipped to the canvas), followed by colour jitter. A fixed set
// seen through fresh maps each epoch is what keeps a detector from memorising it (issue 25).
import { argError } from "../../core/errors.js";
import type { Random } from "../../data/random.js";
import type { Scene } from "../scenes/generate.js";

export interface SceneAugmentOptions {
  /** Mirror left-right with probability 0.5 (default true). */
  hflip?: boolean;
  /** Mirror top-bottom and swap the axes, each with probability 0.5 (top-down pictures; default false). */
  dihedral?: boolean;
  /** Range of the scale factor (default [0.75, 1.25]); above 1 crops, below 1 pads. */
  scale?: readonly [number, number];
  /** Largest relative change of brightness, contrast and saturation (default 0.25). */
  color?: number;
  /** An object is kept when at least this fraction of its transformed box stays on the canvas (default 0.3). */
  minVisible?: number;
}

/** One scene's geometric map, output = scale · (flip/transpose of input) + offset, in pixels of a side × side canvas. */
export interface SceneGeometry {
  transpose: boolean;
  hflip: boolean;
  vflip: boolean;
  scale: number;
  dx: number;
  dy: number;
}

/**
 * A box [x, y, w, h] under `g` on a side × side canvas, clipped to it; null when less than
 * `minVisible` of the transformed box (or under one pixel a side) stays on the canvas.
 */
export function transformBox(
  box: readonly [number, number, number, number],
  g: SceneGeometry,
  side: number,
  minVisible = 0.3,
): [number, number, number, number] | null {
  let [x, y, w, h] = box;
  if (g.transpose) [x, y, w, h] = [y, x, h, w];
  if (g.hflip) x = side - x - w;
  if (g.vflip) y = side - y - h;
  const [x0, y0, bw, bh] = [g.scale * x + g.dx, g.scale * y + g.dy, g.scale * w, g.scale * h];
  const cx0 = Math.max(0, x0);
  const cy0 = Math.max(0, y0);
  const cw = Math.min(side, x0 + bw) - cx0;
  const ch = Math.min(side, y0 + bh) - cy0;
  if (cw < 1 || ch < 1 || cw * ch < minVisible * bw * bh) return null;
  return [cx0, cy0, cw, ch];
}

const uniform = (rng: Random, lo: number, hi: number) => lo + (hi - lo) * rng.nextFloat();

/** Draws a scene's geometry: flips by coin, scale in the range, offset keeping the picture covering (or inside) the canvas. */
export function sampleGeometry(rng: Random, side: number, o: SceneAugmentOptions = {}): SceneGeometry {
  const [lo, hi] = o.scale ?? [0.75, 1.25];
  if (!(lo > 0 && hi >= lo)) argError("sampleGeometry", `scale must be [low, high] with 0 < low ≤ high, got [${lo}, ${hi}]`);
  const dihedral = o.dihedral ?? false;
  const transpose = dihedral && rng.nextFloat() < 0.5;
  const hflip = (o.hflip ?? true) && rng.nextFloat() < 0.5;
  const vflip = dihedral && rng.nextFloat() < 0.5;
  const scale = uniform(rng, lo, hi);
  const room = (1 - scale) * side;
  const dx = uniform(rng, Math.min(0, room), Math.max(0, room));
  const dy = uniform(rng, Math.min(0, room), Math.max(0, room));
  return { transpose, hflip, vflip, scale, dx, dy };
}

/**
 * Where each output row or column samples its source along one axis: the map is axis-aligned,
 * so the source x of output (X, Y) depends on X alone (on Y alone when transposed) and the
 * per-pixel work reduces to table lookups. `c` is the continuous source coordinate of output
 * index k (pixel centres at k + 0.5); `near` its pixel (−1 off the canvas); `i0`, `i1`, `a` the
 * bilinear neighbours and weight, edges replicated.
 */
interface AxisMap {
  near: Int32Array;
  i0: Int32Array;
  i1: Int32Array;
  a: Float64Array;
}

function axisMap(side: number, offset: number, scale: number, flip: boolean): AxisMap {
  const m: AxisMap = { near: new Int32Array(side), i0: new Int32Array(side), i1: new Int32Array(side), a: new Float64Array(side) };
  for (let k = 0; k < side; k++) {
    let c = (k + 0.5 - offset) / scale;
    if (flip) c = side - c;
    m.near[k] = c < 0 || c >= side ? -1 : Math.floor(c);
    const f = Math.min(side - 1, Math.max(0, c - 0.5));
    const i0 = Math.floor(f);
    m.i0[k] = i0;
    m.i1[k] = Math.min(side - 1, i0 + 1);
    m.a[k] = f - i0;
  }
  return m;
}

/** Applies a geometry (and no colour change) to a scene of side × side. */
export function transformScene(sc: Scene, g: SceneGeometry, side: number, minVisible = 0.3): Scene {
  const hw = side * side;
  const image = new Uint8Array(3 * hw);
  const semantic = new Uint8Array(hw);
  const instances = new Uint8Array(hw);
  const fill = [0, 1, 2].map((c) => {
    let s = 0;
    for (let p = 0; p < hw; p++) s += sc.image[c * hw + p]!;
    return s / hw;
  });
  // Objects that leave the canvas are dropped and the instance ids renumbered.
  const remap = new Uint8Array(256);
  const objects: Scene["objects"] = [];
  sc.objects.forEach((ob, k) => {
    const box = transformBox(ob.box, g, side, minVisible);
    if (!box) return;
    objects.push({
      category: ob.category,
      box,
      // area · scale² · (visible share of the scaled box): the scale cancels.
      area: (ob.area * box[2] * box[3]) / (ob.box[2] * ob.box[3]),
    });
    remap[k + 1] = objects.length;
  });
  // Output column X samples the pre-transpose x axis at u(X), output row Y the y axis at v(Y).
  const u = axisMap(side, g.dx, g.scale, g.hflip);
  const v = axisMap(side, g.dy, g.scale, g.vflip);
  const [xs, ys] = g.transpose ? [v, u] : [u, v];
  for (let Y = 0; Y < side; Y++)
    for (let X = 0; X < side; X++) {
      const o = Y * side + X;
      // Source column from the x map, source row from the y map (each indexed by the output axis it follows).
      const cx = g.transpose ? Y : X;
      const cy = g.transpose ? X : Y;
      const nx = xs.near[cx]!;
      const ny = ys.near[cy]!;
      if (nx < 0 || ny < 0) {
        for (let c = 0; c < 3; c++) image[c * hw + o] = fill[c]!;
        continue;
      }
      const i = ny * side + nx;
      semantic[o] = sc.semantic[i]!;
      instances[o] = remap[sc.instances[i]!]!;
      const x0 = xs.i0[cx]!;
      const x1 = xs.i1[cx]!;
      const ax = xs.a[cx]!;
      const y0 = ys.i0[cy]!;
      const y1 = ys.i1[cy]!;
      const ay = ys.a[cy]!;
      for (let c = 0; c < 3; c++) {
        const b = c * hw;
        const top = sc.image[b + y0 * side + x0]! * (1 - ax) + sc.image[b + y0 * side + x1]! * ax;
        const bot = sc.image[b + y1 * side + x0]! * (1 - ax) + sc.image[b + y1 * side + x1]! * ax;
        image[b + o] = Math.round(top * (1 - ay) + bot * ay);
      }
    }
  return { image, semantic, instances, objects };
}

/** Brightness, contrast and saturation each scaled by a factor in [1 − amount, 1 + amount], in place. */
export function colorJitter(image: Uint8Array, hw: number, rng: Random, amount: number): void {
  if (amount <= 0) return;
  const b = uniform(rng, 1 - amount, 1 + amount);
  const c = uniform(rng, 1 - amount, 1 + amount);
  const s = uniform(rng, 1 - amount, 1 + amount);
  let mean = 0;
  for (let p = 0; p < hw; p++) mean += 0.299 * image[p]! + 0.587 * image[hw + p]! + 0.114 * image[2 * hw + p]!;
  mean /= hw;
  for (let p = 0; p < hw; p++) {
    const grey = 0.299 * image[p]! + 0.587 * image[hw + p]! + 0.114 * image[2 * hw + p]!;
    for (let k = 0; k < 3; k++) {
      const v = grey + s * (image[k * hw + p]! - grey);
      image[k * hw + p] = Math.max(0, Math.min(255, Math.round(b * (mean + c * (v - mean)))));
    }
  }
}

/** A randomly transformed copy of each scene (geometry, then colour), from one seeded stream. */
export function augmentScenes(scenes: readonly Scene[], side: number, rng: Random, o: SceneAugmentOptions = {}): Scene[] {
  const minVisible = o.minVisible ?? 0.3;
  return scenes.map((sc) => {
    let out = transformScene(sc, sampleGeometry(rng, side, o), side, minVisible);
    // A crop that lost every object would leave localization without a target: the picture's flips alone lose none.
    if (sc.objects.length > 0 && out.objects.length === 0)
      out = transformScene(sc, { ...sampleGeometry(rng, side, o), scale: 1, dx: 0, dy: 0 }, side, minVisible);
    colorJitter(out.image, side * side, rng, o.color ?? 0.25);
    return out;
  });
}
