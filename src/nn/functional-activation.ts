// Activations of torch.nn.functional that have no core wrapper: shrinkage, thresholds,
// softsign, softmin, the randomized leaky ReLU and Gumbel-softmax, as PyTorch 1.13 computes them.
import { aten } from "../core/aten.js";
import { callInplace, callT } from "../core/dispatch.js";
import { argError } from "../core/errors.js";
import { type Tensor, tidy } from "../core/index.js";
import { checkNumber, checkTensor, normDim, optArgs, optionsOf, rankOf, show } from "../core/validate.js";

const SOFTSHRINK = aten("softshrink");
const HARDSHRINK = aten("hardshrink");
const THRESHOLD = aten("threshold");
const RRELU = aten("rrelu");
const SOFTMAX = aten("softmax.int");
const EXPONENTIAL_ = aten("exponential_");
const EMPTY_LIKE = aten("empty_like");
const ZEROS_LIKE = aten("zeros_like");
const SCATTER_VALUE_ = aten("scatter_.value");
const ARGMAX = aten("argmax");

/** λ of the shrink functions: softshrink needs λ ≥ 0; hardshrink takes any λ, as PyTorch does. */
function checkLambda(op: string, given: unknown, min = 0): number {
  const lambd = optArgs<{ lambd?: number }>(op, ["lambd"], [given]).lambd ?? 0.5;
  if (typeof lambd !== "number" || !(lambd >= min))
    argError(op, `lambd must be a number${min === 0 ? " ≥ 0" : " (not NaN)"}, got ${show(lambd)}`);
  return lambd;
}

/** x / (1 + |x|). */
export const softsign = (x: Tensor): Tensor => tidy(() => checkTensor("softsign", "input", x).div(x.abs().add(1)));

/** x − λ for x > λ, x + λ for x < −λ, 0 between. */
export const softshrink = (x: Tensor, lambd?: number | { lambd?: number }): Tensor =>
  callT(SOFTSHRINK, x, checkLambda("softshrink", lambd));

/** x where |x| > λ, 0 elsewhere. */
export const hardshrink = (x: Tensor, lambd?: number | { lambd?: number }): Tensor =>
  callT(HARDSHRINK, x, checkLambda("hardshrink", lambd, Number.NEGATIVE_INFINITY));

/** x − tanh(x). */
export const tanhshrink = (x: Tensor): Tensor => tidy(() => checkTensor("tanhshrink", "input", x).sub(x.tanh()));

/** x where x > threshold, `value` elsewhere. */
export const threshold = (x: Tensor, thresholdValue: number, value: number): Tensor =>
  callT(THRESHOLD, x, checkNumber("threshold", "threshold", thresholdValue), checkNumber("threshold", "value", value));

/** softmax(−x) along `dim`. */
export function softmin(x: Tensor, dim: number): Tensor {
  const d = normDim("softmin", dim, rankOf("softmin", x));
  return tidy(() => callT(SOFTMAX, x.neg(), d, null));
}

export interface RReLUOptions {
  /** Lower bound of the random slope (default 1/8). */
  lower?: number;
  /** Upper bound of the random slope (default 1/3). */
  upper?: number;
  /** Draw random slopes (training) or use their mean (default false, as F.rrelu). */
  training?: boolean;
}
/** Leaky ReLU whose negative slope is drawn from U(lower, upper) in training, (lower + upper) / 2 otherwise. */
export function rrelu(x: Tensor, options?: RReLUOptions | null): Tensor {
  const o = optionsOf("rrelu", options, ["lower", "upper", "training"]);
  const lower = o.lower ?? 1 / 8;
  const upper = o.upper ?? 1 / 3;
  checkNumber("rrelu", "lower", lower);
  checkNumber("rrelu", "upper", upper);
  if (!(lower <= upper)) argError("rrelu", `lower ${lower} must not exceed upper ${upper}`);
  return callT(RRELU, x, lower, upper, o.training ?? false, null);
}

export interface GumbelSoftmaxOptions {
  /** Temperature (default 1). */
  tau?: number;
  /** Return one-hot samples whose gradient is the soft sample's (straight-through, default false). */
  hard?: boolean;
  /** The class dimension (default −1). */
  dim?: number;
}
/** Samples from the Gumbel-softmax distribution over `logits` (draws the same numbers as PyTorch for the same seed). */
export function gumbelSoftmax(logits: Tensor, options?: GumbelSoftmaxOptions | null): Tensor {
  const o = optionsOf("gumbelSoftmax", options, ["tau", "hard", "dim"]);
  const tau = o.tau ?? 1;
  if (typeof tau !== "number" || !(tau > 0)) argError("gumbelSoftmax", `tau must be > 0, got ${show(tau)}`);
  const dim = normDim("gumbelSoftmax", o.dim ?? -1, rankOf("gumbelSoftmax", logits));
  return tidy(() => {
    const e = callT(EMPTY_LIKE, logits);
    callInplace(EXPONENTIAL_, e, 1);
    const gumbels = logits.add(e.log().neg()).div(tau);
    const ySoft = callT(SOFTMAX, gumbels, dim, null);
    if (!o.hard) return ySoft;
    const index = callT(ARGMAX, ySoft, dim, true);
    const yHard = callT(ZEROS_LIKE, logits);
    callInplace(SCATTER_VALUE_, yHard, dim, index, 1);
    return yHard.sub(ySoft.detach()).add(ySoft);
  });
}
