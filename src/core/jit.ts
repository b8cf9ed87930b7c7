// TorchScript modules saved by Python's torch.jit.save. Only load files you trust: the
// format is executable code for libtorch's interpreter.
import { existsSync } from "node:fs";
import { FlambeauError } from "./errors.js";
import { type Handle, type ModuleHandle, native } from "./native.js";
import type { Tensor } from "./tensor.js";
import { isTensor, wrapHandle } from "./tensor-class.js";

export type ScriptValue = Tensor | number | bigint | boolean | string | null | ScriptValue[] | { [k: string]: ScriptValue };

function toNative(v: ScriptValue): unknown {
  if (isTensor(v)) return v.handle;
  if (Array.isArray(v)) return v.map(toNative);
  return v;
}
function fromNative(v: unknown): ScriptValue {
  if (v === null || typeof v !== "object") return v as ScriptValue;
  if (Array.isArray(v)) return v.map(fromNative);
  if (Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromNative(x)]));
  return wrapHandle(v as Handle);
}

export class ScriptModule {
  readonly #m: ModuleHandle;
  readonly path: string;
  constructor(m: ModuleHandle, path: string) {
    this.#m = m;
    this.path = path;
  }
  /** Calls `forward` with tensors, numbers, strings or arrays (as tuples). */
  forward(...args: ScriptValue[]): ScriptValue {
    return this.call("forward", ...args);
  }
  call(method: string, ...args: ScriptValue[]): ScriptValue {
    if (typeof method !== "string") throw new FlambeauError("E_ARG", "jit.call: method must be a string", "jit.call");
    try {
      return fromNative(native.jitCall(this.#m, method, ...args.map(toNative)));
    } catch (e) {
      const op = `jit.${method}`;
      if (e instanceof FlambeauError) throw new FlambeauError(e.code, `${op}: ${e.message}`, op);
      const msg = (e as Error).message;
      // The binding refused a JS value before the interpreter ran.
      throw new FlambeauError(msg.startsWith("jit: ") ? "E_ARG" : "E_NATIVE", msg, op);
    }
  }
  train(on = true): this {
    native.jitTrain(this.#m, on);
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  /** Parameters and buffers by their PyTorch names. */
  stateDict(): Map<string, Tensor> {
    return new Map(native.jitNamedState(this.#m).map(([k, h]) => [k, wrapHandle(h)]));
  }
}

/** Loads a TorchScript module (put in eval mode). */
export function load(path: string): ScriptModule {
  if (typeof path !== "string" || !existsSync(path))
    throw new FlambeauError("E_IO", `jit.load: no such file ${typeof path === "string" ? JSON.stringify(path) : String(path)}`, "jit.load");
  try {
    return new ScriptModule(native.jitLoad(path), path);
  } catch (e) {
    if (e instanceof FlambeauError) throw e; // the engine could not load (the first call loads it)
    throw new FlambeauError("E_FORMAT", (e as Error).message, "jit.load");
  }
}
