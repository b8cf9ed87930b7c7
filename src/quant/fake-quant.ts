// Fake quantization (torch.fake_quantize_per_tensor_affine / _per_channel_affine): a float
// tensor rounded onto a quantized grid and back, so training sees int8's rounding and clamping.
// ATen's ops carry autograd: the gradient passes straight through inside the grid's range and
// is zero where the value was clamped (the straight-through estimator).
import { FlambeauError } from "../core/errors.js";
import { noGrad, type Tensor, tensor, tidy } from "../core/index.js";
import { qcallT } from "./ops.js";

function checkRange(op: string, qmin: number, qmax: number): void {
  if (!Number.isInteger(qmin) || !Number.isInteger(qmax) || qmin >= qmax)
    throw new FlambeauError("E_ARG", `${op}: quantMin and quantMax must be integers with quantMin < quantMax, got ${qmin}, ${qmax}`, op);
}

/** round(x / scale) + zeroPoint clamped to [qmin, qmax], then back to float: one scale for the tensor. */
export function fakeQuantizePerTensor(x: Tensor, scale: number, zeroPoint: number, qmin: number, qmax: number): Tensor {
  const op = "fakeQuantizePerTensor";
  checkRange(op, qmin, qmax);
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new FlambeauError("E_ARG", `${op}: scale must be positive and finite, got ${scale}`, op);
  if (!Number.isInteger(zeroPoint) || zeroPoint < qmin || zeroPoint > qmax)
    throw new FlambeauError("E_ARG", `${op}: zeroPoint must be an integer in [${qmin}, ${qmax}], got ${zeroPoint}`, op);
  return qcallT("aten::fake_quantize_per_tensor_affine", x, scale, zeroPoint, qmin, qmax);
}

/** Fake quantization with one scale and zero point per slice along `axis` (scales float, zero points int). */
export function fakeQuantizePerChannel(x: Tensor, scales: Tensor, zeroPoints: Tensor, axis: number, qmin: number, qmax: number): Tensor {
  const op = "fakeQuantizePerChannel";
  checkRange(op, qmin, qmax);
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.ndim)
    throw new FlambeauError("E_ARG", `${op}: axis must be in [0, ${x.ndim - 1}], got ${axis}`, op);
  const n = x.shape[axis]!;
  if (scales.ndim !== 1 || scales.shape[0] !== n || zeroPoints.ndim !== 1 || zeroPoints.shape[0] !== n)
    throw new FlambeauError(
      "E_ARG",
      `${op}: scales [${scales.shape.join(", ")}] and zeroPoints [${zeroPoints.shape.join(", ")}] must hold one value per slice of axis ${axis} (${n})`,
      op,
    );
  return qcallT("aten::fake_quantize_per_channel_affine", x, scales, zeroPoints, axis, qmin, qmax);
}

/**
 * A weight as int8 sees it: symmetric qint8 per output channel over [-127, 127] with scale
 * max|w|/127 (an all-zero channel keeps scale 1), the scheme `quantizeWeight` packs, so a
 * quantization-aware trained weight converts to exactly the integers training saw. The scale
 * follows the weight and takes no gradient.
 */
export function fakeQuantizeWeight(w: Tensor): Tensor {
  const scales = noGrad(() =>
    tidy(() => {
      const others = Array.from({ length: w.ndim - 1 }, (_, i) => i + 1);
      const f = w.detach().float();
      const amax = others.length ? f.abs().amax(others) : f.abs();
      return amax.div(127).where(amax.gt(0), 1);
    }),
  );
  const zeros = tensor(new Int32Array(w.shape[0]!));
  const out = fakeQuantizePerChannel(w, scales, zeros, 0, -127, 127);
  scales.dispose();
  zeros.dispose();
  return out;
}
