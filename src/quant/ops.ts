// The quantized kernels' call path: operators of any namespace (quantized::, aten::) called
// through the addon's one schema-driven entry, with packed-parameter objects (the weights
// libtorch's quantized kernels take, a TorchScript custom class) passed and returned as
// `PackedParams` handles. Kept apart from core/dispatch.ts so the tensor hot path pays no
// extra test for a result that is not a tensor.
import { FlambeauError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import { type Handle, native } from "../core/native.js";
import { isTensor, wrapHandle } from "../core/tensor-class.js";

/** libtorch's packed weights for one quantized layer (LinearPackedParamsBase, Conv2dPackedParamsBase). */
export class PackedParams {
  readonly #handle: unknown;
  /** The TorchScript class, e.g. `__torch__.torch.classes.quantized.LinearPackedParamsBase`. */
  readonly className: string;
  /** @internal Made by the quantized prepack ops only. */
  constructor(handle: unknown, className: string) {
    this.#handle = handle;
    this.className = className;
  }
  get disposed(): boolean {
    return native.objectClass(this.#handle) === "";
  }
  /** @internal The native handle, checked live. */
  get handle(): unknown {
    if (this.disposed) throw new FlambeauError("E_DISPOSED", `${this.className}: the packed parameters were disposed`);
    return this.#handle;
  }
  /** Frees the packed weights now (the GC would, later). */
  dispose(): void {
    native.disposeObject(this.#handle);
  }
}

const ids = new Map<string, number>();

function opId(qualified: string): number {
  let id = ids.get(qualified);
  if (id === undefined) {
    const dot = qualified.indexOf(".", qualified.indexOf("::"));
    const [name, overload] = dot < 0 ? [qualified, ""] : [qualified.slice(0, dot), qualified.slice(dot + 1)];
    try {
      id = native.opId(name, overload);
    } catch (e) {
      throw new FlambeauError("E_NATIVE", `${qualified}: this libtorch has no such operator (${(e as Error).message})`, qualified);
    }
    ids.set(qualified, id);
  }
  return id;
}

function toNative(a: unknown): unknown {
  if (isTensor(a)) return a.handle;
  if (a instanceof PackedParams) return a.handle;
  if (Array.isArray(a)) return a.map(toNative);
  return a;
}

function fromNative(r: unknown): unknown {
  if (r === null || r === undefined || typeof r !== "object") return r;
  if (Array.isArray(r)) return r.map(fromNative);
  const cls = native.objectClass(r);
  if (cls !== null) return new PackedParams(r, cls);
  return wrapHandle(r as Handle);
}

/** Calls `ns::name[.overload]` (e.g. "quantized::linear_dynamic") with tensors, packed params and plain values. */
export function qcall(qualified: string, ...args: unknown[]): unknown {
  const id = opId(qualified);
  let nargs: unknown[];
  try {
    nargs = args.map(toNative);
  } catch (e) {
    if (e instanceof FlambeauError) throw new FlambeauError(e.code, `${qualified}: ${e.message}`, qualified);
    throw e;
  }
  try {
    return fromNative(native.callOp(id, ...nargs));
  } catch (e) {
    const msg = (e as Error).message;
    const code = msg.startsWith(`${qualified} argument '`) || msg.includes("handle was disposed") ? "E_ARG" : "E_NATIVE";
    throw new FlambeauError(code, msg.startsWith(qualified) ? msg : `${qualified}: ${msg}`, qualified);
  }
}

export const qcallT = (qualified: string, ...args: unknown[]): Tensor => qcall(qualified, ...args) as Tensor;

export function qcallP(qualified: string, ...args: unknown[]): PackedParams {
  const r = qcall(qualified, ...args);
  if (!(r instanceof PackedParams)) throw new FlambeauError("E_NATIVE", `${qualified}: expected packed parameters back`, qualified);
  return r;
}
