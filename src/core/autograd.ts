// Autograd entry points: backward, grad (higher order with createGraph), grad mode scopes.
import { FlambeauError } from "./errors.js";
import { native } from "./native.js";
import type { Tensor } from "./tensor.js";
import { wrapHandle } from "./tensor-class.js";
import { checkFunction, checkTensor, optionsOf, show } from "./validate.js";

function tensorList(op: string, name: string, v: unknown, allowNull: boolean): (Tensor | null)[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((t, i) => (allowNull && t == null ? null : checkTensor(op, `${name}[${i}]`, t)));
}

export interface BackwardOptions {
  /** Keep the graph for another backward (defaults to createGraph). */
  retainGraph?: boolean;
  /** Build the graph of the derivative itself, for higher-order gradients. */
  createGraph?: boolean;
  /** Accumulate only into these leaves. */
  inputs?: Tensor[];
}

function wrapErr(op: string, e: unknown): never {
  if (e instanceof FlambeauError) throw e;
  throw new FlambeauError("E_NATIVE", e instanceof Error ? e.message : String(e), op);
}

/** Accumulates d(sum of tensors · grads)/d(leaf) into each leaf's `.grad`. */
export function backward(tensors: Tensor[], grads: (Tensor | null)[] = [], opts: BackwardOptions = {}): void {
  tensors = tensorList("backward", "tensors", tensors, false) as Tensor[];
  grads = tensorList("backward", "grads", grads ?? [], true);
  opts = optionsOf("backward", opts);
  if (opts.inputs !== undefined) opts = { ...opts, inputs: tensorList("backward", "inputs", opts.inputs, false) as Tensor[] };
  try {
    native.backward(
      tensors.map((t) => t.handle),
      tensors.map((_, i) => grads[i]?.handle ?? null),
      opts.retainGraph,
      opts.createGraph ?? false,
      opts.inputs?.map((t) => t.handle),
    );
  } catch (e) {
    wrapErr("backward", e);
  }
}

export interface GradOptions {
  gradOutputs?: (Tensor | null)[];
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
}

/** Gradients of `outputs` with respect to `inputs`, returned instead of accumulated. */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = tensorList("autograd.grad", "outputs", outputs, false) as Tensor[];
  const ins = tensorList("autograd.grad", "inputs", inputs, false) as Tensor[];
  opts = optionsOf("autograd.grad", opts);
  if (opts.gradOutputs != null && !Array.isArray(opts.gradOutputs))
    throw new FlambeauError("E_ARG", `autograd.grad: gradOutputs must be an array, got ${show(opts.gradOutputs)}`, "autograd.grad");
  opts.gradOutputs?.forEach((g, i) => g != null && checkTensor("autograd.grad", `gradOutputs[${i}]`, g));
  let res: ReturnType<typeof native.autogradGrad>;
  try {
    res = native.autogradGrad(
      outs.map((t) => t.handle),
      ins.map((t) => t.handle),
      outs.map((_, i) => opts.gradOutputs?.[i]?.handle ?? null),
      opts.retainGraph,
      opts.createGraph ?? false,
      opts.allowUnused ?? false,
    );
  } catch (e) {
    wrapErr("autograd.grad", e);
  }
  return res.map((h) => (h === null ? null : wrapHandle(h)));
}

function withGradMode<T>(on: boolean, fn: () => T): T {
  checkFunction(on ? "enableGrad" : "noGrad", fn);
  const prev = native.setGradEnabled(on);
  try {
    const r = fn();
    if (r instanceof Promise) {
      throw new FlambeauError(
        "E_ARG",
        "noGrad/enableGrad: fn must be synchronous (the grad mode is global; wrap each step, not an async loop)",
      );
    }
    return r;
  } finally {
    native.setGradEnabled(prev);
  }
}
/** Runs fn without recording operations for autograd. */
export const noGrad = <T>(fn: () => T): T => withGradMode(false, fn);
/** Runs fn with recording on (inside a noGrad scope). */
export const enableGrad = <T>(fn: () => T): T => withGradMode(true, fn);
export const isGradEnabled = (): boolean => native.isGradEnabled();
export const setGradEnabled = (on: boolean): boolean => native.setGradEnabled(on);
