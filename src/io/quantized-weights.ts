// Weight-only int8 storage: a floating tensor is stored as int8 values q and one float32 scale
// per output channel (symmetric, zero point 0: w ≈ q · scale, |q| ≤ 127), the scale under the
// key `<key>_int8_scale`. Loading turns them back into float32 before the model sees them, so
// every task's loader reads a quantized model directory unchanged. (Debian's libtorch 1.13
// has quantized kernels, but they take packed-parameter objects the boxed binding cannot
// carry; the saving here is on disk and in transfer, not in arithmetic.)
import { FlambeauError } from "../core/errors.js";
import { noGrad, type Tensor, tidy } from "../core/index.js";

export const INT8_SCALE_SUFFIX = "_int8_scale";
const FLOATING = new Set(["float32", "float64", "float16", "bfloat16"]);

/** Symmetric per-channel (dimension 0) int8 quantization of a floating tensor. */
export function quantizeInt8(w: Tensor): { q: Tensor; scale: Tensor } {
  if (!FLOATING.has(w.dtype) || w.ndim < 1)
    throw new FlambeauError("E_ARG", `quantizeInt8: expects a floating tensor of rank ≥ 1, got ${w.dtype} [${w.shape.join(", ")}]`);
  return noGrad(() =>
    tidy(() => {
      const f = w.detach().float();
      const others = Array.from({ length: f.ndim - 1 }, (_, i) => i + 1);
      const amax = others.length ? f.abs().amax(others, true) : f.abs();
      // An all-zero channel (a pruned filter) keeps scale 1: its values are 0 either way.
      const scale = amax.div(127).where(amax.gt(0), 1);
      const q = f.div(scale).round().clamp(-127, 127).to("int8");
      return { q, scale };
    }),
  );
}

/** float32 values of int8 `q` with per-channel `scale`. */
export function dequantizeInt8(q: Tensor, scale: Tensor): Tensor {
  return noGrad(() => tidy(() => q.float().mul(scale)));
}

/**
 * Replaces every int8 tensor that has a `<key>_int8_scale` beside it by its float32 values;
 * `source` names the file in errors. A scale without its tensor, or of the wrong shape, is a
 * malformed file. Maps without scales come back as they are.
 */
export function dequantizeWeights(weights: Map<string, Tensor>, source: string): Map<string, Tensor> {
  const scales = [...weights.keys()].filter((k) => k.endsWith(INT8_SCALE_SUFFIX));
  if (scales.length === 0) return weights;
  const out = new Map(weights);
  for (const sk of scales) {
    const key = sk.slice(0, -INT8_SCALE_SUFFIX.length);
    const q = weights.get(key);
    const scale = weights.get(sk)!;
    if (q === undefined || q.dtype !== "int8")
      throw new FlambeauError("E_FORMAT", `${source}: "${sk}" scales "${key}", which is ${q ? `${q.dtype}, not int8` : "missing"}`);
    const want = [q.shape[0], ...q.shape.slice(1).map(() => 1)];
    if (scale.shape.join() !== want.join() || !FLOATING.has(scale.dtype))
      throw new FlambeauError(
        "E_FORMAT",
        `${source}: "${sk}" must be a floating tensor of shape [${want.join(", ")}] (one scale per channel of "${key}"), got ${scale.dtype} [${scale.shape.join(", ")}]`,
      );
    out.set(key, dequantizeInt8(q, scale));
    out.delete(sk);
    q.dispose();
    scale.dispose();
  }
  return out;
}
