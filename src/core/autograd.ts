// Autograd entry points: backward, grad (higher order with createGraph), grad mode scopes,
// tensor hooks and anomaly detection.
import { nativeAutograd } from "./autograd-native.js";
import { FlambeauError } from "./errors.js";
import { native, whenNativeLoaded } from "./native.js";
import type { Tensor } from "./tensor.js";
import { isTensor, wrapHandle } from "./tensor-class.js";
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
  let msg = e instanceof Error ? e.message : String(e);
  const note = anomalyOn ? nativeAutograd.anomalyNote() : null;
  if (note !== null && msg.includes(`'${note.node}'`)) {
    const what = note.op.includes("::") ? `the forward op ${note.op}` : note.op;
    msg += ` It was created by ${what}${userFrames(note.stack)}`;
  }
  throw new FlambeauError("E_NATIVE", msg, op);
}

// The stack of a forward call, less the frames inside Flambeau's core.
function userFrames(stack: string): string {
  const frames = stack
    .split("\n")
    .slice(1)
    .filter((l) => !/[/\\]src[/\\]core[/\\]/.test(l) && !l.includes("node:internal"));
  return frames.length > 0 ? `, called\n${frames.slice(0, 8).join("\n")}` : ".";
}

/** Accumulates d(sum of tensors · grads)/d(leaf) into each leaf's `.grad`. */
export function backward(tensors: Tensor[], grads: (Tensor | null)[] = [], opts: BackwardOptions = {}): void {
  tensors = tensorList("backward", "tensors", tensors, false) as Tensor[];
  grads = tensorList("backward", "grads", grads ?? [], true);
  opts = optionsOf("backward", opts);
  if (opts.inputs !== undefined) opts = { ...opts, inputs: tensorList("backward", "inputs", opts.inputs, false) as Tensor[] };
  if (anomalyOn) nativeAutograd.anomalyNote();
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
  if (anomalyOn) nativeAutograd.anomalyNote();
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

/**
 * Runs fn under PyTorch's inference mode (`torch.inference_mode`): no autograd, and the tensors
 * made inside skip version counting and view tracking, a little less work per op than noGrad.
 * They are inference tensors: autograd refuses to save them for a later backward, so use noGrad
 * where outputs may feed training (a teacher's targets).
 */
export function inferenceMode<T>(fn: () => T): T {
  checkFunction("inferenceMode", fn);
  const r = native.inferenceMode(fn) as T;
  if (r instanceof Promise)
    throw new FlambeauError("E_ARG", "inferenceMode: fn must be synchronous (the mode holds for one call, not an async loop)");
  return r;
}
export const isInferenceModeEnabled = (): boolean => native.isInferenceModeEnabled();
export const setGradEnabled = (on: boolean): boolean => native.setGradEnabled(on);

// ------------------------------------------------------------------ tensor hooks
/** What registerHook returns: `remove()` unregisters the hook (and frees its closure). */
export interface RemovableHandle {
  remove(): void;
}

/** A gradient hook: sees the gradient of a tensor; a returned Tensor replaces it. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that only looks at the gradient returns nothing
export type TensorHook = (grad: Tensor) => Tensor | null | undefined | void;

/** @internal Tensor.registerHook's implementation. */
export function registerHook(t: Tensor, fn: TensorHook): RemovableHandle {
  checkTensor("registerHook", "tensor", t);
  checkFunction("registerHook", fn);
  if (!t.requiresGrad)
    throw new FlambeauError("E_ARG", "registerHook: cannot register a hook on a tensor that doesn't require gradient", "registerHook");
  const call = (g: Parameters<Parameters<typeof nativeAutograd.registerHook>[1]>[0]) => {
    let r: unknown;
    try {
      r = fn(wrapHandle(g));
    } catch (e) {
      throw callbackError("tensor hook", e);
    }
    if (r == null) return null;
    if (!isTensor(r)) throw new FlambeauError("E_ARG", `tensor hook: must return a Tensor or nothing, got ${show(r)}`, "registerHook");
    return r.handle;
  };
  let pos: number;
  try {
    pos = nativeAutograd.registerHook(t.handle, call);
  } catch (e) {
    wrapErr("registerHook", e);
  }
  let removed = false;
  return {
    remove(): void {
      if (removed || t.disposed) return;
      removed = true;
      nativeAutograd.removeHook(t.handle, pos);
    },
  };
}

const FROM_CALLBACK = Symbol("flambeau.fromCallback");

/**
 * @internal Wraps an exception thrown by user code that the engine called (a backward, a hook);
 * one that already came out of a nested callback (checkpoint's re-entrant backward) passes as is.
 */
export function callbackError(where: string, e: unknown): FlambeauError {
  if (e instanceof FlambeauError && (e as { [FROM_CALLBACK]?: boolean })[FROM_CALLBACK]) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const err = new FlambeauError(e instanceof FlambeauError ? e.code : "E_STATE", `${where} threw: ${msg}`, where);
  Object.defineProperty(err, "cause", { value: e, enumerable: false, configurable: true, writable: true });
  Object.defineProperty(err, FROM_CALLBACK, { value: true });
  return err;
}

// ------------------------------------------------------------------ anomaly detection
// Mirrors libtorch's process-wide flag (a worker thread may load the engine with it on).
let anomalyOn = false;
whenNativeLoaded(() => {
  anomalyOn = nativeAutograd.isAnomalyEnabled();
});

export interface AnomalyOptions {
  /** Raise when a backward node returns NaN (default true). */
  checkNan?: boolean;
}

/**
 * Turns libtorch's anomaly mode on or off (process-wide). While on, every op records the
 * JS stack that called it, and a backward node that returns NaN raises a FlambeauError naming
 * the node ("Function 'DivBackward0' returned nan values in its 0th output"), the forward op
 * and the stack. Slow: for debugging only.
 */
export function setDetectAnomaly(on: boolean, opts: AnomalyOptions = {}): void {
  if (typeof on !== "boolean")
    throw new FlambeauError("E_ARG", `setDetectAnomaly: on must be a boolean, got ${show(on)}`, "setDetectAnomaly");
  opts = optionsOf("setDetectAnomaly", opts);
  const checkNan = opts.checkNan ?? true;
  if (typeof checkNan !== "boolean")
    throw new FlambeauError("E_ARG", `setDetectAnomaly: checkNan must be a boolean, got ${show(checkNan)}`, "setDetectAnomaly");
  nativeAutograd.setAnomalyEnabled(on, checkNan);
  anomalyOn = on;
}

export const isAnomalyEnabled = (): boolean => nativeAutograd.isAnomalyEnabled();

/** Runs fn (synchronously) with anomaly detection on, then restores the previous mode. */
export function detectAnomaly<T>(fn: () => T, opts: AnomalyOptions = {}): T {
  checkFunction("detectAnomaly", fn);
  opts = optionsOf("detectAnomaly", opts);
  const checkNan = opts.checkNan ?? true;
  if (typeof checkNan !== "boolean")
    throw new FlambeauError("E_ARG", `detectAnomaly: checkNan must be a boolean, got ${show(checkNan)}`, "detectAnomaly");
  const prev = nativeAutograd.setAnomalyEnabled(true, checkNan);
  const prevOn = anomalyOn;
  anomalyOn = true;
  try {
    const r = fn();
    if (r instanceof Promise) throw new FlambeauError("E_ARG", "detectAnomaly: fn must be synchronous", "detectAnomaly");
    return r;
  } finally {
    nativeAutograd.setAnomalyEnabled(prev[0], prev[1]);
    anomalyOn = prevOn;
  }
}
