// Loss functions with PyTorch's reductions ('mean' | 'sum' | 'none').
import { aten } from "../aten.js";
import { callT } from "../dispatch.js";
import { isIntegral } from "../dtype.js";
import { argError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { isTensor } from "../tensor-class.js";
import { checkInt, checkTensor, optionsOf, type Reduction, reductionCode, show } from "../validate.js";

export interface LossOptions {
  reduction?: Reduction;
}
/** The target value crossEntropy skips by default (PyTorch's ignore_index): padding tokens. */
export const IGNORE_INDEX = -100;

export interface CrossEntropyOptions extends LossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  labelSmoothing?: number;
}
/** The smallest and largest value of a non-empty tensor (its temporaries released at once). */
function valueRange(t: Tensor): [number, number] {
  const lo = t.min();
  const hi = t.max();
  const r: [number, number] = [lo.item(), hi.item()];
  lo.dispose();
  hi.dispose();
  return r;
}
const red = (op: string, o: LossOptions | null | undefined): number => reductionCode(op, optionsOf(op, o).reduction ?? "mean");

function checkClassTarget(op: string, input: Tensor, target: Tensor, ignoreIndex: number): void {
  checkTensor(op, "input", input);
  checkTensor(op, "target", target);
  if (target.dtype === "int64" || target.dtype === "int32" || target.dtype === "uint8") {
    if (input.ndim < 1) argError(op, "input must have a class dimension");
    const c = input.ndim === 1 ? input.shape[0]! : input.shape[1]!;
    const expected = input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)];
    if (target.ndim !== expected.length || target.shape.some((d, i) => d !== expected[i]))
      argError(
        op,
        `target shape [${target.shape.join(", ")}] does not match input [${input.shape.join(", ")}] (expected [${expected.join(", ")}])`,
      );
    if (target.numel > 0) {
      const [lo, hi] = valueRange(target);
      const bad = (v: number) => v !== ignoreIndex && (v < 0 || v >= c);
      if (bad(lo) || bad(hi))
        argError(op, `target values must be class indices in [0, ${c - 1}] (or ignoreIndex ${ignoreIndex}), found range [${lo}, ${hi}]`);
    }
  } else if (target.shape.join() !== input.shape.join()) {
    argError(op, `probability targets must have the input's shape [${input.shape.join(", ")}], got [${target.shape.join(", ")}]`);
  }
}

const CROSS_ENTROPY = aten("cross_entropy_loss");
/** Cross-entropy of logits against class indices or class probabilities. */
export function crossEntropy(input: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  o = optionsOf("crossEntropy", o);
  const ignoreIndex = checkInt("crossEntropy", "ignoreIndex", o.ignoreIndex ?? IGNORE_INDEX);
  const ls = o.labelSmoothing ?? 0;
  if (typeof ls !== "number" || !(ls >= 0 && ls <= 1)) argError("crossEntropy", `labelSmoothing must be in [0, 1], got ${show(ls)}`);
  checkClassTarget("crossEntropy", input, target, ignoreIndex);
  return callT(CROSS_ENTROPY, input, target, o.weight ?? null, red("crossEntropy", o), ignoreIndex, ls);
}
const NLL = aten("nll_loss_nd");
export function nllLoss(input: Tensor, target: Tensor, o: Omit<CrossEntropyOptions, "labelSmoothing"> = {}): Tensor {
  o = optionsOf("nllLoss", o);
  const ignoreIndex = checkInt("nllLoss", "ignoreIndex", o.ignoreIndex ?? -100);
  checkClassTarget("nllLoss", input, target, ignoreIndex);
  return callT(NLL, input, target, o.weight ?? null, red("nllLoss", o), ignoreIndex);
}
const MSE = aten("mse_loss");
const L1 = aten("l1_loss");
const SMOOTH_L1 = aten("smooth_l1_loss");
const HUBER = aten("huber_loss");
export const mseLoss = (input: Tensor, target: Tensor, o: LossOptions = {}): Tensor => callT(MSE, input, target, red("mseLoss", o));
export const l1Loss = (input: Tensor, target: Tensor, o: LossOptions = {}): Tensor => callT(L1, input, target, red("l1Loss", o));
export function smoothL1Loss(input: Tensor, target: Tensor, o: LossOptions & { beta?: number } = {}): Tensor {
  o = optionsOf("smoothL1Loss", o);
  const beta = o.beta ?? 1;
  if (typeof beta !== "number" || !(beta >= 0)) argError("smoothL1Loss", `beta must be >= 0, got ${show(beta)}`);
  return callT(SMOOTH_L1, input, target, red("smoothL1Loss", o), beta);
}
export function huberLoss(input: Tensor, target: Tensor, o: LossOptions & { delta?: number } = {}): Tensor {
  o = optionsOf("huberLoss", o);
  const delta = o.delta ?? 1;
  if (typeof delta !== "number" || !(delta > 0)) argError("huberLoss", `delta must be > 0, got ${show(delta)}`);
  return callT(HUBER, input, target, red("huberLoss", o), delta);
}
const BCE = aten("binary_cross_entropy");
const BCE_LOGITS = aten("binary_cross_entropy_with_logits");
export const binaryCrossEntropy = (input: Tensor, target: Tensor, o: LossOptions & { weight?: Tensor | null } = {}): Tensor =>
  callT(BCE, input, target, optionsOf("binaryCrossEntropy", o).weight ?? null, red("binaryCrossEntropy", o));
export const binaryCrossEntropyWithLogits = (
  input: Tensor,
  target: Tensor,
  o: LossOptions & { weight?: Tensor | null; posWeight?: Tensor | null } = {},
): Tensor => {
  const op = "binaryCrossEntropyWithLogits";
  return callT(BCE_LOGITS, input, target, optionsOf(op, o).weight ?? null, optionsOf(op, o).posWeight ?? null, red(op, o));
};
const KL_DIV = aten("kl_div");
/** KL divergence; `input` holds log-probabilities. Reduction 'batchmean' divides the sum by the batch size. */
export function klDiv(input: Tensor, target: Tensor, o: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}): Tensor {
  o = optionsOf("klDiv", o);
  const r = o.reduction ?? "mean";
  if (r === "batchmean") {
    checkTensor("klDiv", "input", input);
    const s = callT(KL_DIV, input, target, 2, o.logTarget ?? false);
    const out = s.div(input.ndim > 0 ? input.shape[0]! : 1);
    s.dispose();
    return out;
  }
  return callT(KL_DIV, input, target, reductionCode("klDiv", r), o.logTarget ?? false);
}
const CTC = aten("ctc_loss.IntList");
/** CTC's lengths as an array: given as one, or as a 1-D integer tensor (PyTorch takes both). */
function lengthList(name: string, v: unknown): readonly number[] {
  if (isTensor(v)) {
    checkTensor("ctcLoss", name, v);
    if (v.ndim !== 1 || !isIntegral(v.dtype)) argError("ctcLoss", `${name} must be a 1-D integer tensor, got ${show(v)}`);
    return Array.from(v.data() as ArrayLike<number | bigint>, Number);
  }
  if (!Array.isArray(v)) argError("ctcLoss", `${name} must be an array of integers or a 1-D integer tensor, got ${show(v)}`);
  return v;
}
/**
 * Connectionist temporal classification. `logProbs` [T, N, C] (log-softmaxed), `targets`
 * [N, S] or concatenated 1-D, lengths as arrays. Targets are range-checked here: libtorch
 * 1.13 reads out of bounds on bad ones.
 */
export function ctcLoss(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: readonly number[] | Tensor,
  targetLengths: readonly number[] | Tensor,
  o: LossOptions & { blank?: number; zeroInfinity?: boolean } = {},
): Tensor {
  checkTensor("ctcLoss", "logProbs", logProbs);
  checkTensor("ctcLoss", "targets", targets);
  o = optionsOf("ctcLoss", o);
  inputLengths = lengthList("inputLengths", inputLengths);
  targetLengths = lengthList("targetLengths", targetLengths);
  if (logProbs.ndim !== 3 && logProbs.ndim !== 2)
    argError("ctcLoss", `logProbs must be [T, N, C] or [T, C], got [${logProbs.shape.join(", ")}]`);
  const [T, N, C] = logProbs.ndim === 3 ? (logProbs.shape as [number, number, number]) : [logProbs.shape[0]!, 1, logProbs.shape[1]!];
  const blank = checkInt("ctcLoss", "blank", o.blank ?? 0, 0, C - 1);
  if (inputLengths.length !== N || targetLengths.length !== N) argError("ctcLoss", `need ${N} input and target lengths`);
  for (const l of inputLengths) checkInt("ctcLoss", "input length", l, 0, T);
  const total = targetLengths.reduce((a, b) => a + checkInt("ctcLoss", "target length", b, 0), 0);
  if (targets.ndim === 2) {
    if (targets.shape[0] !== N) argError("ctcLoss", `targets [${targets.shape.join(", ")}] must have ${N} rows`);
    for (const l of targetLengths)
      if (l > targets.shape[1]!) argError("ctcLoss", `target length ${l} exceeds targets width ${targets.shape[1]}`);
  } else if (targets.ndim !== 1 || targets.shape[0]! < total) {
    argError("ctcLoss", `1-D targets must hold the ${total} concatenated labels`);
  }
  if (targets.dtype !== "int64" && targets.dtype !== "int32") argError("ctcLoss", `targets must be int64 or int32, got ${targets.dtype}`);
  if (targets.numel > 0) {
    const [lo, hi] = valueRange(targets);
    if (lo < 0 || hi >= C) argError("ctcLoss", `target labels must be in [0, ${C - 1}], found [${lo}, ${hi}]`);
  }
  return callT(CTC, logProbs, targets, inputLengths, targetLengths, blank, red("ctcLoss", o), o.zeroInfinity ?? false);
}
const COSINE_EMBEDDING = aten("cosine_embedding_loss");
export const cosineEmbeddingLoss = (a: Tensor, b: Tensor, target: Tensor, o: LossOptions & { margin?: number } = {}): Tensor =>
  callT(COSINE_EMBEDDING, a, b, target, optionsOf("cosineEmbeddingLoss", o).margin ?? 0, red("cosineEmbeddingLoss", o));
const MARGIN_RANKING = aten("margin_ranking_loss");
export const marginRankingLoss = (a: Tensor, b: Tensor, target: Tensor, o: LossOptions & { margin?: number } = {}): Tensor =>
  callT(MARGIN_RANKING, a, b, target, optionsOf("marginRankingLoss", o).margin ?? 0, red("marginRankingLoss", o));
const TRIPLET = aten("triplet_margin_loss");
export const tripletMarginLoss = (
  anchor: Tensor,
  pos: Tensor,
  neg: Tensor,
  o: LossOptions & { margin?: number; p?: number } = {},
): Tensor => {
  o = optionsOf("tripletMarginLoss", o);
  return callT(TRIPLET, anchor, pos, neg, o.margin ?? 1, o.p ?? 2, 1e-6, false, red("tripletMarginLoss", o));
};
