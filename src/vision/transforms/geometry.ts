// Geometric transforms with torchvision.transforms.functional's semantics: crop boxes are
// (top, left, height, width), padding is [left, top, right, bottom], and affine/rotate
// resample through torchvision's inverse matrix and pixel-centred grid (zeros outside).
import { aten } from "../../core/aten.js";
import { callT } from "../../core/dispatch.js";
import { argError } from "../../core/errors.js";
import { linspace, ones, stack, type Tensor, tensor } from "../../core/index.js";
import { pad as padOp } from "../../core/ops/shape.js";
import { asBatch, heightWidth, imageSize, onFloat } from "./shape.js";

const GRID_SAMPLER = aten("grid_sampler_2d");
const MODES = { bilinear: 0, nearest: 1 } as const;

function checkInt(op: string, name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) argError(op, `${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/** Checks a crop box against an h × w image padded by `padding` on every side; returns [h, w]. */
function checkBox(op: string, x: Tensor, padding: number, top: number, left: number, height: number, width: number): [number, number] {
  const [h, w] = imageSize(op, x);
  checkInt(op, "padding", padding, 0);
  checkInt(op, "top", top, 0);
  checkInt(op, "left", left, 0);
  checkInt(op, "height", height, 1);
  checkInt(op, "width", width, 1);
  if (top + height > h + 2 * padding || left + width > w + 2 * padding)
    argError(
      op,
      `box (top ${top}, left ${left}, ${height}×${width}) falls outside the ${h}×${w} image${padding > 0 ? ` padded by ${padding}` : ""}`,
    );
  return [h, w];
}

/** The region (top, left, height, width); it must lie inside the image (pad first otherwise). */
export function crop(x: Tensor, top: number, left: number, height: number, width: number): Tensor {
  checkBox("crop", x, 0, top, left, height, width);
  return x.narrow(-2, top, height).narrow(-1, left, width);
}

/** The central height × width region (torchvision's rounding of the offsets). */
export function centerCrop(x: Tensor, size: number | readonly [number, number]): Tensor {
  const [ch, cw] = typeof size === "number" ? [size, size] : size;
  const [h, w] = imageSize("centerCrop", x);
  if (ch > h || cw > w) argError("centerCrop", `crop ${ch}×${cw} is larger than the ${h}×${w} image`);
  return crop(x, Math.round((h - ch) / 2), Math.round((w - cw) / 2), ch, cw);
}

export function hflip(x: Tensor): Tensor {
  imageSize("hflip", x);
  return x.flip(-1);
}
export function vflip(x: Tensor): Tensor {
  imageSize("vflip", x);
  return x.flip(-2);
}

export type PadMode = "constant" | "edge" | "reflect";

/** Pads by one number, [left/right, top/bottom] or [left, top, right, bottom]. */
export function pad(x: Tensor, padding: number | readonly number[], o: { mode?: PadMode; fill?: number } = {}): Tensor {
  const p = typeof padding === "number" ? [padding, padding, padding, padding] : [...padding];
  if (p.length === 2) p.push(p[0]!, p[1]!);
  if (p.length !== 4 || p.some((v) => !Number.isInteger(v) || v < 0))
    argError("pad", `padding must be a non-negative integer or 2 or 4 of them, got ${JSON.stringify(padding)}`);
  const [l, t, r, b] = p as [number, number, number, number];
  const mode = o.mode ?? "constant";
  const aten = { constant: "constant", edge: "replicate", reflect: "reflect" } as const;
  if (!(mode in aten)) argError("pad", `mode must be constant, edge or reflect, got ${JSON.stringify(mode)}`);
  const [h, w] = imageSize("pad", x);
  if (mode === "reflect" && (l >= w || r >= w || t >= h || b >= h))
    argError("pad", `reflect padding [${p.join(", ")}] must be smaller than the ${h}×${w} image`);
  // Constant padding pads the last two dims of any rank; reflect/replicate kernels want a float batch.
  if (mode === "constant") return padOp(x, [l, r, t, b], "constant", o.fill ?? 0);
  const bx = asBatch("pad", x);
  return bx.back(onFloat(bx.x, (f) => padOp(f, [l, r, t, b], aten[mode])));
}

/**
 * crop(pad(x, padding), top, left, height, width) as one constant pad with signed amounts
 * (a negative amount cuts): the same pixels without the padded intermediate.
 */
export function padCrop(x: Tensor, padding: number, top: number, left: number, height: number, width: number): Tensor {
  const [h, w] = checkBox("padCrop", x, padding, top, left, height, width);
  const l = padding - left;
  const t = padding - top;
  return padOp(x, [l, width - w - l, t, height - h - t], "constant", 0);
}

export interface AffineParams {
  /** Degrees, clockwise (torchvision's affine; rotate takes counter-clockwise). */
  angle?: number;
  /** Pixels [x, y]. */
  translate?: readonly [number, number];
  scale?: number;
  /** Degrees [x, y]. */
  shear?: readonly [number, number];
}

/** torchvision's _get_inverse_affine_matrix about the image centre: output → input pixel map. */
export function inverseAffineMatrix(p: AffineParams): number[] {
  const rad = (d: number) => (d * Math.PI) / 180;
  const rot = rad(p.angle ?? 0);
  const [shx, shy] = (p.shear ?? [0, 0]).map(rad) as [number, number];
  const [tx, ty] = p.translate ?? [0, 0];
  const s = p.scale ?? 1;
  if (!(s > 0)) argError("affine", `scale must be positive, got ${s}`);
  const a = Math.cos(rot - shy) / Math.cos(shy);
  const b = (-Math.cos(rot - shy) * Math.tan(shx)) / Math.cos(shy) - Math.sin(rot);
  const c = Math.sin(rot - shy) / Math.cos(shy);
  const d = (-Math.sin(rot - shy) * Math.tan(shx)) / Math.cos(shy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / s);
  m[2]! += m[0]! * -tx + m[1]! * -ty;
  m[5]! += m[3]! * -tx + m[4]! * -ty;
  return m;
}

/** A sampling grid [B, H, W, 2] for per-image 2×3 pixel matrices (torchvision's _gen_affine_grid). */
export function affineGrid(matrices: readonly number[][], h: number, w: number): Tensor {
  const xs = linspace(-w * 0.5 + 0.5, w * 0.5 - 0.5, w)
    .view([1, w])
    .expand([h, w]);
  const ys = linspace(-h * 0.5 + 0.5, h * 0.5 - 0.5, h)
    .view([h, 1])
    .expand([h, w]);
  const base = stack([xs, ys, ones([h, w])], -1).view([1, h * w, 3]);
  const theta = tensor(matrices.flat(), { shape: [matrices.length, 2, 3] });
  const scale = tensor([0.5 * w, 0.5 * h], { shape: [1, 1, 2] });
  const rescaled = theta.transpose(1, 2).div(scale);
  return base
    .expand([matrices.length, h * w, 3])
    .bmm(rescaled)
    .view([matrices.length, h, w, 2]);
}

export interface AffineOptions {
  interpolation?: "nearest" | "bilinear";
}

/**
 * Affine transform of an image, or of a batch with one parameter set per image (or one
 * shared by all). Pixels mapped from outside the image are 0.
 */
export function affine(x: Tensor, params: AffineParams | readonly AffineParams[], o: AffineOptions = {}): Tensor {
  const bx = asBatch("affine", x);
  const n = bx.x.shape[0]!;
  const list = Array.isArray(params) ? (params as readonly AffineParams[]) : Array.from({ length: n }, () => params as AffineParams);
  if (list.length !== n) argError("affine", `got ${list.length} parameter sets for a batch of ${n}`);
  const mode = o.interpolation ?? "nearest";
  if (!(mode in MODES)) argError("affine", `interpolation must be nearest or bilinear, got ${JSON.stringify(mode)}`);
  const [h, w] = heightWidth(bx.x);
  const grid = affineGrid(list.map(inverseAffineMatrix), h, w);
  const y = onFloat(bx.x, (f) => callT(GRID_SAMPLER, f, grid.to(f.dtype), MODES[mode], 0, false));
  return bx.back(y);
}

/** Rotation by `angle` degrees counter-clockwise about the centre (torchvision's rotate, expand=False). */
export function rotate(x: Tensor, angle: number | readonly number[], o: AffineOptions = {}): Tensor {
  const ps = typeof angle === "number" ? { angle: -angle } : angle.map((a) => ({ angle: -a }));
  return affine(x, ps, o);
}
