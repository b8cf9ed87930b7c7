// Pruning (PyTorch's nn.utils.prune): module[name] becomes `<name>_orig` ⊙ `<name>_mask`,
// recomputed before each forward, so the pruned entries stay zero and get no gradient.
// Pruning a pruned tensor again prunes among the entries still kept (PyTorch's
// PruningContainer); remove() makes the pruned values the parameter for good.
import { aten } from "../../core/aten.js";
import { noGrad } from "../../core/autograd.js";
import { callT } from "../../core/dispatch.js";
import { argError } from "../../core/errors.js";
import { tidy } from "../../core/memory.js";
import { onesLike, randLike, zerosLike } from "../../core/ops/creation.js";
import { cat } from "../../core/ops/shape.js";
import { Tensor } from "../../core/tensor.js";
import type { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import { hasReparam, install, parameterProperty, reparamOf, setComputed, uninstall } from "./reparam.js";

const MASKED_SCATTER = aten("masked_scatter");

/**
 * How much to prune: a fraction in [0, 1), or an integer ≥ 1 counting entries (PyTorch's
 * int amount; JS has no 1.0 distinct from 1, so prune everything with the entry count).
 */
export type PruneAmount = number;

/** Computes a mask (1 keep, 0 prune) for `scores` given the mask so far. */
type MaskFn = (scores: Tensor, defaultMask: Tensor) => Tensor;

/** PyTorch's _compute_nparams_toprune with its checks; Python's round() rounds halves to even. */
function countToPrune(op: string, amount: PruneAmount, size: number): number {
  if (typeof amount !== "number" || !(amount >= 0) || !Number.isFinite(amount))
    argError(op, `amount must be a fraction in [0, 1) or an entry count ≥ 1, got ${String(amount)}`);
  if (Number.isInteger(amount) && amount >= 1) {
    if (amount > size) argError(op, `amount ${amount} is more than the ${size} entries to prune`);
    return amount;
  }
  if (amount > 1) argError(op, `amount must be a fraction in [0, 1) or an integer count, got ${amount}`);
  const x = amount * size;
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function l1Mask(op: string, amount: PruneAmount): MaskFn {
  return (t, m) => {
    const k = countToPrune(op, amount, t.numel);
    const mask = m.clone();
    if (k === 0) return mask;
    const { indices } = t.abs().reshape([-1]).topk(k, -1, false);
    return mask.reshape([-1]).scatter(0, indices, 0).view(mask.shape);
  };
}

function randomMask(op: string, amount: PruneAmount): MaskFn {
  return (t, m) => {
    const k = countToPrune(op, amount, t.numel);
    const mask = m.clone();
    if (k === 0) return mask;
    const { indices } = randLike(t).reshape([-1]).topk(k);
    return mask.reshape([-1]).scatter(0, indices, 0).view(mask.shape);
  };
}

/** Applies an unstructured method to the entries the mask still keeps (PyTorch's _combine_masks). */
function combineUnstructured(fn: MaskFn, scores: Tensor, mask: Tensor): Tensor {
  const keep = mask.eq(1);
  const partial = fn(scores.maskedSelect(keep), mask.maskedSelect(keep));
  return callT(MASKED_SCATTER, mask, keep, partial.to(mask.dtype));
}

/**
 * Applies a structured method to the channels (slices along `dim`) the mask still keeps
 * (PyTorch's _combine_masks for structured methods): pruned channels stay pruned and the
 * amount counts among the others.
 */
function combineStructured(fn: MaskFn, scores: Tensor, mask: Tensor, dim: number): Tensor {
  const others = Array.from({ length: mask.ndim }, (_, d) => d).filter((d) => d !== dim);
  const kept = (others.length ? mask.sum(others) : mask).ne(0).nonzero().reshape([-1]);
  const partial = fn(scores.indexSelect(dim, kept), mask.indexSelect(dim, kept));
  return mask.mul(0).indexAdd(dim, kept, partial.to(mask.dtype));
}

/** Norm of each slice along `dim` (over every other dimension): 1, 2 or Infinity. */
function sliceNorms(t: Tensor, n: number, dim: number): Tensor {
  const others = Array.from({ length: t.ndim }, (_, d) => d).filter((d) => d !== dim);
  if (others.length === 0) return t.abs();
  if (n === Number.POSITIVE_INFINITY) return t.abs().amax(others);
  return t.norm(n, others);
}

function lnMask(op: string, amount: PruneAmount, n: number, dim: number): MaskFn {
  return (t, m) => {
    const size = t.shape[dim]!;
    const k = countToPrune(op, amount, size);
    if (k === 0) return m.clone();
    const { indices } = sliceNorms(t, n, dim).topk(size - k, -1, true);
    const keep = zerosLike(m).indexFill(dim, indices, 1);
    return keep.mul(m);
  };
}

function orig(m: Module, name: string): Tensor {
  return m.getParameter(`${name}_orig`)!;
}

/**
 * Prunes module[name] with a mask: the first time, the parameter moves to `<name>_orig` and
 * a pre-hook is installed; later, the new mask is combined with the old one.
 */
function prune(
  op: string,
  module: Module,
  name: string,
  fn: MaskFn,
  importanceScores: Tensor | null | undefined,
  global: boolean,
  structuredDim?: number,
): void {
  const first = reparamOf(module, name) !== "prune";
  const w = first ? parameterProperty(op, module, name) : orig(module, name);
  if (importanceScores != null && (!(importanceScores instanceof Tensor) || importanceScores.shape.join() !== w.shape.join()))
    argError(op, `importanceScores must be a tensor of the parameter's shape [${w.shape.join(", ")}]`);
  const mask = noGrad(() =>
    tidy(() => {
      if (first) return fn(importanceScores ?? w, onesLike(w));
      const old = module.getBuffer(`${name}_mask`)!;
      const scores = importanceScores ?? w.mul(old);
      if (structuredDim !== undefined) return combineStructured(fn, scores, old, structuredDim);
      return global ? fn(scores, old.clone()) : combineUnstructured(fn, scores, old);
    }),
  );
  if (first) {
    module.registerParameter(`${name}_orig`, w as Parameter);
    module.registerBuffer(`${name}_mask`, mask);
    install(module, name, "prune", (m) => orig(m, name).mul(m.getBuffer(`${name}_mask`)!));
  } else {
    const old = module.getBuffer(`${name}_mask`)!;
    module.setBuffer(`${name}_mask`, mask);
    old.dispose();
  }
  setComputed(
    module,
    name,
    noGrad(() => orig(module, name).mul(mask)),
  );
}

/** Prunes the `amount` entries of module[name] with the smallest |value| (or importance score). */
export function l1Unstructured<M extends Module>(module: M, name: string, amount: PruneAmount, importanceScores?: Tensor | null): M {
  countToPrune("l1Unstructured", amount, Number.MAX_SAFE_INTEGER);
  prune("l1Unstructured", module, name, l1Mask("l1Unstructured", amount), importanceScores, false);
  return module;
}

/**
 * Prunes whole channels of module[name]: the `amount` slices along `dim` (0: a conv's output
 * filters, a linear layer's output units) with the smallest L`n` norm (n = 1, 2 or Infinity),
 * as PyTorch's ln_structured.
 */
export function lnStructured<M extends Module>(
  module: M,
  name: string,
  amount: PruneAmount,
  n: number,
  dim = -1,
  importanceScores?: Tensor | null,
): M {
  const op = "lnStructured";
  countToPrune(op, amount, Number.MAX_SAFE_INTEGER);
  if (!(n === 1 || n === 2 || n === Number.POSITIVE_INFINITY)) argError(op, `n must be 1, 2 or Infinity, got ${String(n)}`);
  const w = reparamOf(module, name) === "prune" ? orig(module, name) : parameterProperty(op, module, name);
  if (!Number.isInteger(dim) || dim < -w.ndim || dim >= w.ndim) argError(op, `dim must be in [${-w.ndim}, ${w.ndim - 1}], got ${dim}`);
  const d = dim < 0 ? dim + w.ndim : dim;
  countToPrune(op, amount, w.shape[d]!);
  prune(op, module, name, lnMask(op, amount, n, d), importanceScores, false, d);
  return module;
}

/** Prunes `amount` entries of module[name] chosen at random (the global generator: fl.manualSeed). */
export function randomUnstructured<M extends Module>(module: M, name: string, amount: PruneAmount): M {
  countToPrune("randomUnstructured", amount, Number.MAX_SAFE_INTEGER);
  prune("randomUnstructured", module, name, randomMask("randomUnstructured", amount), null, false);
  return module;
}

/** Prunes with a given mask (1 keep, 0 prune), combined with any earlier mask. */
export function customFromMask<M extends Module>(module: M, name: string, mask: Tensor): M {
  if (!(mask instanceof Tensor)) argError("customFromMask", "mask must be a tensor");
  prune("customFromMask", module, name, (_t, m) => m.mul(mask.to(m.dtype)), null, true);
  return module;
}

/** Makes module[name] a plain mask (all ones): a pruning that prunes nothing, as PyTorch's identity. */
export function identity<M extends Module>(module: M, name: string): M {
  prune("identity", module, name, (_t, m) => m.clone(), null, false);
  return module;
}

export type GlobalPruningMethod = "l1Unstructured" | "randomUnstructured";

/**
 * Prunes across several parameters at once, as if they were one vector: the `amount`
 * smallest (L1) or random entries among all of them.
 */
export function globalUnstructured(
  parameters: readonly (readonly [Module, string])[],
  method: GlobalPruningMethod,
  amount: PruneAmount,
  importanceScores?: Map<Module, Map<string, Tensor>>,
): void {
  const op = "globalUnstructured";
  if (!Array.isArray(parameters) || parameters.length === 0) argError(op, "parameters must be a non-empty array of [module, name]");
  if (method !== "l1Unstructured" && method !== "randomUnstructured")
    argError(op, `method must be "l1Unstructured" or "randomUnstructured", got ${JSON.stringify(method)}`);
  const current = (m: Module, name: string): Tensor => {
    if (reparamOf(m, name) === "prune") return orig(m, name).mul(m.getBuffer(`${name}_mask`)!);
    return parameterProperty(op, m, name);
  };
  const fn = method === "l1Unstructured" ? l1Mask(op, amount) : randomMask(op, amount);
  const finalMask = noGrad(() =>
    tidy(() => {
      const scores = cat(parameters.map(([m, n]) => (importanceScores?.get(m)?.get(n) ?? current(m, n)).reshape([-1])));
      const mask = cat(
        parameters.map(([m, n]) => (reparamOf(m, n) === "prune" ? m.getBuffer(`${n}_mask`)! : onesLike(current(m, n))).reshape([-1])),
      );
      return combineUnstructured(fn, scores, mask);
    }),
  );
  let at = 0;
  for (const [m, n] of parameters) {
    const size = reparamOf(m, n) === "prune" ? orig(m, n).numel : parameterProperty(op, m, n).numel;
    const shape = reparamOf(m, n) === "prune" ? orig(m, n).shape : parameterProperty(op, m, n).shape;
    tidy(() => customFromMask(m, n, finalMask.narrow(0, at, size).view(shape)));
    at += size;
  }
  finalMask.dispose();
}

/** Makes the pruning of module[name] permanent: the parameter holds orig ⊙ mask; orig and mask go. */
export function remove<M extends Module>(module: M, name: string): M {
  if (reparamOf(module, name) !== "prune") argError("remove", `parameter "${name}" of ${module.constructor.name} is not pruned`);
  const w = noGrad(() => orig(module, name).mul(module.getBuffer(`${name}_mask`)!));
  uninstall("remove", module, name, "prune", w);
  module.unregister(`${name}_orig`);
  module.getBuffer(`${name}_mask`)?.dispose();
  module.unregister(`${name}_mask`);
  w.dispose();
  return module;
}

/** Whether any module in `module`'s tree has a pruned parameter. */
export function isPruned(module: Module): boolean {
  return module.modules().some((m) => hasReparam(m, "prune"));
}
