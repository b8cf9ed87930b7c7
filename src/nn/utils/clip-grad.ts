// Gradient clipping (PyTorch's nn/utils/clip_grad.py); optim re-exports it, as it runs
// between backward() and the optimizer's step.
import { aten } from "../../core/aten.js";
import { noGrad } from "../../core/autograd.js";
import { call } from "../../core/dispatch.js";
import { argError, FlambeauError } from "../../core/errors.js";
import { tidy } from "../../core/memory.js";
import { norm } from "../../core/ops/reduce.js";
import { stack } from "../../core/ops/shape.js";
import { Tensor } from "../../core/tensor.js";

const FOREACH_NORM = aten("_foreach_norm.Scalar");
const FOREACH_MUL_ = aten("_foreach_mul_.Scalar");
// The multi-tensor ops (one call per list): the p-norm of each tensor, and in-place scaling.
const F = {
  norm: (ts: readonly Tensor[], p: number): Tensor[] => call(FOREACH_NORM, ts, p) as Tensor[],
  mulScalar_: (ts: readonly Tensor[], s: number): void => void call(FOREACH_MUL_, ts, s),
};

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false). */
  errorIfNonfinite?: boolean;
}

function gradsOf(op: string, params: Tensor | readonly Tensor[]): Tensor[] {
  const list = params instanceof Tensor ? [params] : params;
  if (!Array.isArray(list)) argError(op, "params must be a Tensor or an array of tensors");
  const grads: Tensor[] = [];
  for (const [i, p] of list.entries()) {
    if (!(p instanceof Tensor)) argError(op, `params[${i}] is not a Tensor`);
    const g = p.grad;
    if (g !== null) grads.push(g);
  }
  return grads;
}

/**
 * Scales the gradients in place so that their total normType-norm (as if concatenated) is at
 * most maxNorm; returns the total norm before clipping. normType may be Infinity.
 */
export function clipGradNorm_(
  params: Tensor | readonly Tensor[],
  maxNorm: number,
  normType = 2,
  options: ClipGradNormOptions = {},
): number {
  const op = "clipGradNorm_";
  if (typeof maxNorm !== "number" || !(maxNorm >= 0)) argError(op, `maxNorm must be a number ≥ 0, got ${String(maxNorm)}`);
  if (typeof normType !== "number" || Number.isNaN(normType))
    argError(op, `normType must be a number (Infinity for the max norm), got ${String(normType)}`);
  return noGrad(() =>
    tidy(() => {
      const grads = gradsOf(op, params);
      if (grads.length === 0) return 0;
      const totalT = norm(stack(F.norm(grads, normType)), normType);
      const total = totalT.item();
      if (options.errorIfNonfinite && !Number.isFinite(total))
        throw new FlambeauError(
          "E_ARG",
          `${op}: the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped`,
          op,
        );
      // PyTorch computes maxNorm / (total + 1e-6) as float32 tensor ops; so do we, for equal numbers.
      const coef = totalT.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1).item();
      // Scaling by exactly 1 changes nothing: skip the pass over the gradients.
      if (coef !== 1) F.mulScalar_(grads, coef);
      return total;
    }),
  );
}

/** Clamps every gradient element into [−clipValue, clipValue], in place. */
export function clipGradValue_(params: Tensor | readonly Tensor[], clipValue: number): void {
  const op = "clipGradValue_";
  if (typeof clipValue !== "number" || !(clipValue >= 0)) argError(op, `clipValue must be a number ≥ 0, got ${String(clipValue)}`);
  noGrad(() =>
    tidy(() => {
      for (const g of gradsOf(op, params)) g.clamp_(-clipValue, clipValue);
    }),
  );
}
