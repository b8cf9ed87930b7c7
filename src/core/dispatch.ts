// The one call path from TypeScript to ATen: an op is resolved once by its schema name,
// tensor arguments become handles, results become Tensors, errors become FlambeauErrors.
import type { AtenOp } from "./aten.js";
import { FlambeauError } from "./errors.js";
import { buildGuard } from "./guard.js";
import { type Handle, native } from "./native.js";
import type { Tensor } from "./tensor.js";
import { isTensor, wrapHandle } from "./tensor-class.js";

function describe(a: unknown): string {
  if (isTensor(a)) {
    if (a.disposed) return "<disposed tensor>";
    try {
      return `${a.dtype}[${a.shape.join(", ")}]`;
    } catch {
      return `complex[${a.shape.join(", ")}]`; // a dtype Flambeau does not name (complex fft results)
    }
  }
  if (Array.isArray(a)) return `[${a.map(describe).join(", ")}]`;
  if (typeof a === "string") return JSON.stringify(a);
  if (typeof a === "bigint") return `${a}n`;
  if (typeof a === "function") return "a function";
  if (a !== null && typeof a === "object") return "an object";
  return String(a);
}

function toNative(a: unknown): unknown {
  if (isTensor(a)) return a.handle;
  if (Array.isArray(a) && a.length > 0 && (isTensor(a[0]) || a.some((x) => isTensor(x)))) {
    return a.map((x) => (isTensor(x) ? x.handle : x));
  }
  return a;
}

function fromNative(r: unknown): unknown {
  if (r === null || r === undefined) return r;
  if (typeof r === "object" && !Array.isArray(r)) return wrapHandle(r as Handle);
  if (Array.isArray(r)) return r.map(fromNative);
  return r;
}

function raise(op: AtenOp, e: unknown, args: unknown[]): never {
  if (e instanceof FlambeauError) {
    // A disposed tensor argument is caught by its handle getter, which cannot know the op.
    if (e.op === undefined) throw new FlambeauError(e.code, `${op.name}: ${e.message}`, op.name);
    throw e;
  }
  const msg = e instanceof Error ? e.message : String(e);
  const key = op.overload ? `${op.name}.${op.overload}` : op.name;
  // The binding's own argument conversion failed ("aten::x argument 'self': expected a Tensor"): a bad argument, not a libtorch refusal.
  const code =
    msg.includes("memory budget") || msg.includes("can't allocate memory")
      ? "E_MEMORY"
      : msg.includes("was disposed")
        ? "E_DISPOSED"
        : msg.startsWith(`${key} argument '`) || msg.startsWith(`${key}: takes `)
          ? "E_ARG"
          : "E_NATIVE";
  throw new FlambeauError(code, `${msg} (called with ${args.map(describe).join(", ")})`, op.name);
}

// oneDNN (mkldnn) tensors, from Tensor.toMkldnn(): most of a CNN's ops have a kernel for that
// layout, the rest (cat, pad, mean, silu …) raise. Such an op gets dense copies of its oneDNN
// arguments instead, and is remembered, so that a model run on toMkldnn() input loses the layout
// only where it must and pays the refusal once. An in-place op (or an out= overload) cannot
// write through a copy: it raises as libtorch does.
const LAYOUT_REFUSAL = /MkldnnCPU|unsupported tensor layout: Mkldnn|incompatible with mkldnn|mkldnn tensor/i;

/** Whether `a` is a live tensor in oneDNN's layout (false for anything else, never a throw). */
export const isMkldnnArg = (a: unknown): boolean => isTensor(a) && !a.disposed && native.isMkldnn(a.handle);
function hasMkldnn(args: readonly unknown[]): boolean {
  for (const a of args) if (Array.isArray(a) ? a.some(isMkldnnArg) : isMkldnnArg(a)) return true;
  return false;
}

function callDense(op: AtenOp, args: readonly unknown[]): unknown {
  const copies: Tensor[] = [];
  const dense = (a: unknown): unknown => {
    if (!isMkldnnArg(a)) return a;
    const d = (a as Tensor).toDense();
    copies.push(d);
    return d;
  };
  try {
    return call(op, ...args.map((a) => (Array.isArray(a) ? a.map(dense) : dense(a))));
  } finally {
    // The result holds its own reference to any storage it shares with a copy.
    for (const d of copies) d.dispose();
  }
}

function retryDense(op: AtenOp, e: unknown, args: readonly unknown[]): unknown {
  // An in-place op or an out= overload writes into an argument: a dense copy would swallow the write.
  if (op.name.endsWith("_") || op.overload === "out" || !hasMkldnn(args)) raise(op, e, args as unknown[]);
  const r = callDense(op, args);
  if (LAYOUT_REFUSAL.test(e instanceof Error ? e.message : String(e))) op.mkldnnRefused = true;
  return r;
}

/** Sees every op call and its result (the ONNX exporter traces a forward through it). */
export type CallHook = (op: AtenOp, args: readonly unknown[], result: unknown) => void;
let hook: CallHook | null = null;

/** Installs (or with null removes) the one call hook; returns the one it replaced. */
export function setCallHook(h: CallHook | null): CallHook | null {
  const before = hook;
  hook = h;
  return before;
}

/** Calls an op and returns whatever it returns (Tensor, Tensor[], number …). */
export function call(op: AtenOp, ...args: unknown[]): unknown {
  if (hook !== null) return hooked(hook, op, args);
  const id = op.resolve();
  let guard = op.guard;
  if (guard === undefined) guard = op.guard = buildGuard(op);
  if (guard !== null) guard(args);
  if (op.mkldnnRefused && hasMkldnn(args)) return callDense(op, args);
  const n = args.length;
  try {
    // Fixed-arity calls avoid building and spreading an argument array on the hot path.
    if (n === 1) return fromNative(native.callOp(id, toNative(args[0])));
    if (n === 2) return fromNative(native.callOp(id, toNative(args[0]), toNative(args[1])));
    if (n === 3) return fromNative(native.callOp(id, toNative(args[0]), toNative(args[1]), toNative(args[2])));
    const nargs = new Array<unknown>(n);
    for (let i = 0; i < n; i++) nargs[i] = toNative(args[i]);
    return fromNative(native.callOp(id, ...nargs));
  } catch (e) {
    return retryDense(op, e, args);
  }
}

function hooked(h: CallHook, op: AtenOp, args: unknown[]): unknown {
  // The hook's own op calls (reading a constant's data) are not part of the traced program.
  hook = null;
  try {
    const r = call(op, ...args);
    h(op, args, r);
    return r;
  } finally {
    hook = h;
  }
}

/** Calls an op that returns one tensor. */
export function callT(op: AtenOp, ...args: unknown[]): Tensor {
  return call(op, ...args) as Tensor;
}

/**
 * callT for exactly two or three arguments, without the rest-parameter arrays: the small
 * elementwise ops' path, where building and spreading them cost a tenth of an `add` on 10
 * elements. Hooked or guarded ops take call()'s path.
 */
export function callT2(op: AtenOp, a: unknown, b: unknown): Tensor {
  if (hook !== null || op.guard !== null || op.mkldnnRefused) return call(op, a, b) as Tensor;
  try {
    return wrapHandle(native.callOp(op.resolve(), toNative(a), toNative(b)) as Handle);
  } catch (e) {
    return retryDense(op, e, [a, b]) as Tensor;
  }
}
export function callT3(op: AtenOp, a: unknown, b: unknown, c: unknown): Tensor {
  if (hook !== null || op.guard !== null || op.mkldnnRefused) return call(op, a, b, c) as Tensor;
  try {
    return wrapHandle(native.callOp(op.resolve(), toNative(a), toNative(b), toNative(c)) as Handle);
  } catch (e) {
    return retryDense(op, e, [a, b, c]) as Tensor;
  }
}

/** Calls an op that returns several tensors (a tuple or a list). */
export function callTs(op: AtenOp, ...args: unknown[]): Tensor[] {
  return call(op, ...args) as Tensor[];
}

/** Calls an in-place op on `self` and returns `self` (the op's returned alias is dropped). */
export function callInplace(op: AtenOp, self: Tensor, ...args: unknown[]): Tensor {
  const r = call(op, self, ...args);
  if (isTensor(r)) r.dispose();
  self.invalidate();
  return self;
}
