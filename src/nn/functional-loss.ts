// Losses of torch.nn.functional without a core wrapper (margin losses, Poisson and Gaussian
// negative log-likelihoods, multi-label losses), computed as PyTorch 1.13 computes them.
import { aten } from "../core/aten.js";
import { callInplace, callT } from "../core/dispatch.js";
import { argError } from "../core/errors.js";
import { noGrad, type Tensor, tidy } from "../core/index.js";
import { checkNumber, checkOptTensor, checkTensor, optionsOf, type Reduction, reductionCode, show } from "../core/validate.js";
import { pairwiseDistance } from "./functional-spatial.js";

export interface ReductionOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
}
const red = (op: string, o: ReductionOptions): number => reductionCode(op, o.reduction ?? "mean");
/** Applies a reduction code to an unreduced loss. */
function reduce(loss: Tensor, code: number): Tensor {
  return code === 0 ? loss : code === 1 ? loss.mean() : loss.sum();
}

/** The smallest and largest value of a non-empty integer tensor. */
function range(t: Tensor): [number, number] {
  return tidy(() => [t.min().item(), t.max().item()]);
}

const HINGE = aten("hinge_embedding_loss");
/** x where y = 1, max(0, margin − x) where y = −1. */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, o: ReductionOptions & { margin?: number } = {}): Tensor {
  o = optionsOf("hingeEmbeddingLoss", o);
  return callT(HINGE, input, target, checkNumber("hingeEmbeddingLoss", "margin", o.margin ?? 1), red("hingeEmbeddingLoss", o));
}

const SOFT_MARGIN = aten("soft_margin_loss");
/** log(1 + exp(−y·x)) for targets ±1. */
export function softMarginLoss(input: Tensor, target: Tensor, o: ReductionOptions = {}): Tensor {
  return callT(SOFT_MARGIN, input, target, red("softMarginLoss", optionsOf("softMarginLoss", o)));
}

export interface MultiMarginLossOptions extends ReductionOptions {
  /** 1 (default) or 2. */
  p?: 1 | 2;
  margin?: number;
  /** A weight per class, [C]. */
  weight?: Tensor | null;
}
const MULTI_MARGIN = aten("multi_margin_loss");
/** Multi-class hinge loss of scores [N, C] (or [C]) against class indices. */
export function multiMarginLoss(input: Tensor, target: Tensor, o: MultiMarginLossOptions = {}): Tensor {
  const op = "multiMarginLoss";
  checkTensor(op, "input", input);
  checkTensor(op, "target", target);
  o = optionsOf(op, o);
  const p = o.p ?? 1;
  if (p !== 1 && p !== 2) argError(op, `only p = 1 and p = 2 are supported, got ${show(p)}`);
  const w = checkOptTensor(op, "weight", o.weight);
  if (w && w.ndim !== 1) argError(op, `weight must be one-dimensional, got [${w.shape.join(", ")}]`);
  if (input.ndim > 2 || input.numel === 0) argError(op, `input must be [N, C] or [C] and non-empty, got [${input.shape.join(", ")}]`);
  const c = input.shape[input.ndim - 1]!;
  if (target.dtype !== "int64") argError(op, `target must hold int64 class indices, got ${target.dtype}`);
  if (target.numel !== (input.ndim === 2 ? input.shape[0] : 1))
    argError(op, `target [${target.shape.join(", ")}] must hold one class per row of input [${input.shape.join(", ")}]`);
  const [lo, hi] = range(target);
  if (lo < 0 || hi >= c) argError(op, `target values must be class indices in [0, ${c - 1}], found range [${lo}, ${hi}]`);
  if (w && w.shape[0] !== c) argError(op, `weight must have ${c} entries, got ${w.shape[0]}`);
  return callT(MULTI_MARGIN, input, target, p, checkNumber(op, "margin", o.margin ?? 1), w, red(op, o));
}

const MULTILABEL_MARGIN = aten("multilabel_margin_loss");
/** Multi-label hinge loss; each target row lists class indices, ended by the first −1. */
export function multilabelMarginLoss(input: Tensor, target: Tensor, o: ReductionOptions = {}): Tensor {
  const op = "multilabelMarginLoss";
  checkTensor(op, "input", input);
  checkTensor(op, "target", target);
  if (input.ndim > 2 || input.numel === 0) argError(op, `input must be [N, C] or [C] and non-empty, got [${input.shape.join(", ")}]`);
  if (target.dtype !== "int64" || target.shape.join() !== input.shape.join())
    argError(op, `target must be int64 with input's shape [${input.shape.join(", ")}], got ${target.dtype}[${target.shape.join(", ")}]`);
  const c = input.shape[input.ndim - 1]!;
  const [lo, hi] = range(target);
  if (lo < -1 || hi >= c) argError(op, `target values must be in [-1, ${c - 1}], found range [${lo}, ${hi}]`);
  return callT(MULTILABEL_MARGIN, input, target, red(op, optionsOf(op, o)));
}

/** Multi-label one-versus-all loss of logits [N, C] against 0/1 targets, averaged over classes. */
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, o: ReductionOptions & { weight?: Tensor | null } = {}): Tensor {
  const op = "multilabelSoftMarginLoss";
  checkTensor(op, "input", input);
  checkTensor(op, "target", target);
  o = optionsOf(op, o);
  const code = red(op, o);
  const w = checkOptTensor(op, "weight", o.weight);
  if (input.ndim < 1) argError(op, "input must have a class dimension");
  return tidy(() => {
    const logSig = aten("log_sigmoid");
    let loss = target
      .mul(callT(logSig, input))
      .add(target.neg().add(1).mul(callT(logSig, input.neg())))
      .neg();
    if (w) loss = loss.mul(w);
    const classDim = input.ndim - 1;
    loss = callT(aten("sum.dim_IntList"), loss, [classDim], false, null).div(input.shape[classDim]!);
    return reduce(loss, code);
  });
}

export interface PoissonNLLLossOptions extends ReductionOptions {
  /** input holds log-rates (default true): loss = exp(input) − target·input. */
  logInput?: boolean;
  /** Add the Stirling approximation term (default false). */
  full?: boolean;
  /** Added inside the log when logInput is false (default 1e-8). */
  eps?: number;
}
const POISSON = aten("poisson_nll_loss");
export function poissonNllLoss(input: Tensor, target: Tensor, o: PoissonNLLLossOptions = {}): Tensor {
  const op = "poissonNllLoss";
  o = optionsOf(op, o);
  return callT(POISSON, input, target, o.logInput ?? true, o.full ?? false, checkNumber(op, "eps", o.eps ?? 1e-8), red(op, o));
}

export interface GaussianNLLLossOptions extends ReductionOptions {
  /** Add the constant 0.5·log(2π) (default false). */
  full?: boolean;
  /** Variances are clamped to at least eps, without stopping their gradient (default 1e-6). */
  eps?: number;
}
/** Negative log-likelihood of `target` under N(input, var); var may be one dim short (homoscedastic). */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, o: GaussianNLLLossOptions = {}): Tensor {
  const op = "gaussianNllLoss";
  checkTensor(op, "input", input);
  checkTensor(op, "target", target);
  checkTensor(op, "var", variance);
  o = optionsOf(op, o);
  const code = red(op, o);
  const eps = checkNumber(op, "eps", o.eps ?? 1e-6);
  const is = input.shape;
  const vs = variance.shape;
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  let unsqueeze = false;
  if (!same(is, vs)) {
    if (same(is.slice(0, -1), vs)) unsqueeze = true;
    else if (!(same(is.slice(0, -1), vs.slice(0, -1)) && vs[vs.length - 1] === 1))
      argError(op, `var [${vs.join(", ")}] must have input's shape [${is.join(", ")}], or lack its last dim, or have 1 there`);
  }
  return tidy(() => {
    let v = unsqueeze ? variance.unsqueeze(-1) : variance;
    if (v.lt(0).any().item()) argError(op, "var has negative entries");
    v = v.clone();
    noGrad(() => callInplace(aten("clamp_min_"), v, eps));
    let loss = v.log().add(input.sub(target).pow(2).div(v)).mul(0.5);
    if (o.full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
    return reduce(loss, code);
  });
}

export interface TripletMarginLossOptions extends ReductionOptions {
  margin?: number;
  /** The norm of the pairwise distance (default 2). */
  p?: number;
  eps?: number;
  /** Use the distance between positive and negative when it is smaller (default false). */
  swap?: boolean;
}
const TRIPLET = aten("triplet_margin_loss");
/** max(d(a, p) − d(a, n) + margin, 0) with the pairwise p-norm distance. */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, o: TripletMarginLossOptions = {}): Tensor {
  const op = "tripletMarginLoss";
  o = optionsOf(op, o);
  for (const [name, t] of [
    ["anchor", anchor],
    ["positive", positive],
    ["negative", negative],
  ] as const)
    checkTensor(op, name, t);
  if (anchor.ndim !== positive.ndim || anchor.ndim !== negative.ndim)
    argError(op, `anchor, positive and negative must have the same rank, got ${anchor.ndim}, ${positive.ndim} and ${negative.ndim}`);
  const margin = checkNumber(op, "margin", o.margin ?? 1);
  const p = checkNumber(op, "p", o.p ?? 2);
  return callT(TRIPLET, anchor, positive, negative, margin, p, checkNumber(op, "eps", o.eps ?? 1e-6), o.swap ?? false, red(op, o));
}

export interface TripletMarginWithDistanceLossOptions extends ReductionOptions {
  /** The distance (default: pairwiseDistance). */
  distanceFunction?: ((a: Tensor, b: Tensor) => Tensor) | null;
  margin?: number;
  swap?: boolean;
}
/** max(d(a, p) − d(a, n) + margin, 0) with any distance function. */
export function tripletMarginWithDistanceLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  o: TripletMarginWithDistanceLossOptions = {},
): Tensor {
  const op = "tripletMarginWithDistanceLoss";
  o = optionsOf(op, o);
  const code = red(op, o);
  const margin = checkNumber(op, "margin", o.margin ?? 1);
  const dist = o.distanceFunction ?? ((a: Tensor, b: Tensor) => pairwiseDistance(a, b));
  if (typeof dist !== "function") argError(op, `distanceFunction must be a function, got ${show(dist)}`);
  return tidy(() => {
    const pos = dist(anchor, positive);
    let neg = dist(anchor, negative);
    if (o.swap) neg = callT(aten("minimum"), neg, dist(positive, negative));
    return reduce(callT(aten("clamp_min"), pos.sub(neg).add(margin), 0), code);
  });
}
