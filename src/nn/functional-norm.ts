// Normalisations of torch.nn.functional without a core wrapper: normalize (unit p-norm),
// instanceNorm, localResponseNorm — the same ATen calls, in the same order, as PyTorch 1.13.
import { aten } from "../core/aten.js";
import { callT } from "../core/dispatch.js";
import { argError } from "../core/errors.js";
import { type Tensor, tidy } from "../core/index.js";
import { checkInt, checkNumber, checkOptTensor, checkTensor, normDim, optionsOf, rankOf } from "../core/validate.js";

const VECTOR_NORM = aten("linalg_vector_norm");
const CLAMP_MIN = aten("clamp_min");
const INSTANCE_NORM = aten("instance_norm");
const PAD = aten("pad");
const AVG_POOL2D = aten("avg_pool2d");
const AVG_POOL3D = aten("avg_pool3d");

export interface NormalizeOptions {
  /** The norm's exponent (default 2). */
  p?: number;
  /** The dimension to normalise (default 1). */
  dim?: number;
  /** Lower bound of the norm, against division by zero (default 1e-12). */
  eps?: number;
}
/** x / max(‖x‖ₚ, eps) along `dim`. */
export function normalize(x: Tensor, o: NormalizeOptions = {}): Tensor {
  o = optionsOf("normalize", o);
  const dim = normDim("normalize", o.dim ?? 1, Math.max(rankOf("normalize", x), 1));
  const p = checkNumber("normalize", "p", o.p ?? 2);
  const eps = checkNumber("normalize", "eps", o.eps ?? 1e-12);
  return tidy(() => {
    const denom = callT(CLAMP_MIN, callT(VECTOR_NORM, x, p, [dim], true, null), eps).expand(x.shape);
    return x.div(denom);
  });
}

export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalise by the statistics of each instance (default true); false uses the running statistics. */
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}
/** Normalises each channel of each sample over its spatial dims ([N, C, …]). */
export function instanceNorm(x: Tensor, o: InstanceNormOptions = {}): Tensor {
  const op = "instanceNorm";
  checkTensor(op, "input", x);
  o = optionsOf(op, o);
  if (x.ndim < 3) argError(op, `input must be [N, C, …] with at least one spatial dim, got [${x.shape.join(", ")}]`);
  const c = x.shape[1]!;
  for (const [name, t] of [
    ["runningMean", o.runningMean],
    ["runningVar", o.runningVar],
    ["weight", o.weight],
    ["bias", o.bias],
  ] as const)
    if (checkOptTensor(op, name, t) && t && (t.ndim !== 1 || t.shape[0] !== c))
      argError(op, `${name} must have shape [${c}], got [${t.shape.join(", ")}]`);
  const useInputStats = o.useInputStats ?? true;
  if (!useInputStats && (!o.runningMean || !o.runningVar)) argError(op, "useInputStats false needs runningMean and runningVar");
  if (useInputStats && x.shape.slice(2).reduce((a, b) => a * b, 1) === 1)
    argError(op, `expected more than 1 spatial element when training, got input [${x.shape.join(", ")}]`);
  const momentum = checkNumber(op, "momentum", o.momentum ?? 0.1);
  const eps = checkNumber(op, "eps", o.eps ?? 1e-5);
  return callT(
    INSTANCE_NORM,
    x,
    o.weight ?? null,
    o.bias ?? null,
    o.runningMean ?? null,
    o.runningVar ?? null,
    useInputStats,
    momentum,
    eps,
    false,
  );
}

export interface LocalResponseNormOptions {
  /** Multiplicative factor (default 1e-4). */
  alpha?: number;
  /** Exponent (default 0.75). */
  beta?: number;
  /** Additive factor (default 1). */
  k?: number;
}
/** Normalises each element by the squares of its `size` neighbouring channels ([N, C, …]). */
export function localResponseNorm(x: Tensor, size: number, o: LocalResponseNormOptions = {}): Tensor {
  const op = "localResponseNorm";
  checkTensor(op, "input", x);
  o = optionsOf(op, o);
  checkInt(op, "size", size, 1, 2 ** 20);
  const alpha = checkNumber(op, "alpha", o.alpha ?? 1e-4);
  const beta = checkNumber(op, "beta", o.beta ?? 0.75);
  const k = checkNumber(op, "k", o.k ?? 1);
  if (x.ndim < 3) argError(op, `input must have rank 3 or more, got [${x.shape.join(", ")}]`);
  if (x.numel === 0) return x.clone();
  return tidy(() => {
    let div = x.mul(x).unsqueeze(1);
    const before = Math.floor(size / 2);
    const after = Math.floor((size - 1) / 2);
    if (x.ndim === 3) {
      div = callT(PAD, div, [0, 0, before, after], "constant", 0);
      div = callT(AVG_POOL2D, div, [size, 1], [1, 1], [0, 0], false, true, null).squeeze(1);
    } else {
      const s = x.shape;
      div = div.reshape([s[0]!, 1, s[1]!, s[2]!, -1]);
      div = callT(PAD, div, [0, 0, 0, 0, before, after], "constant", 0);
      div = callT(AVG_POOL3D, div, [size, 1, 1], [1, 1, 1], [0, 0, 0], false, true, null).squeeze(1);
      div = div.reshape(s);
    }
    return x.div(div.mul(alpha).add(k).pow(beta));
  });
}
