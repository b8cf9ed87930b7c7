// Deterministic memory: tidy() scopes dispose what they created, except what they return
// and what was kept (parameters); GC finalizers in the addon are the safety net.
import { defaultMemoryBudget, initialMemoryBudget, toBytes } from "./budget.js";
import { noteNewTensor } from "./collector.js";
import { FlambeauError } from "./errors.js";
import { type NativeMemory, native, whenNativeLoaded } from "./native.js";

/** What a scope needs to know of a tensor; the Tensor class implements it. */
export interface Disposable {
  dispose(): void;
  readonly kept: boolean;
}

const scopes: Set<Disposable>[] = [];

/** @internal Registers a new tensor with the innermost tidy scope (and the prompt collector). */
export function track(t: Disposable): void {
  if (scopes.length > 0) scopes[scopes.length - 1]!.add(t);
  noteNewTensor();
}

function collect(v: unknown, out: Set<unknown>, depth: number): void {
  if (v === null || typeof v !== "object" || depth > 4) return;
  if ("dispose" in v && "kept" in v) {
    out.add(v);
    return;
  }
  if (Array.isArray(v)) for (const x of v) collect(x, out, depth + 1);
  else if (v instanceof Map) for (const x of v.values()) collect(x, out, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collect(x, out, depth + 1);
}

/**
 * Runs `fn` and disposes every tensor created inside it, except the tensors it returns
 * (directly, or in arrays, Maps and plain objects) and kept tensors. `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new FlambeauError("E_ARG", "tidy: expects a function", "tidy");
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) if (!t.kept) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new FlambeauError("E_ARG", "tidy: fn returned a Promise; tidy scopes are synchronous (await outside, tidy inside)", "tidy");
  }
  const keep = new Set<unknown>();
  collect(result, keep, 0);
  for (const t of scope) {
    if (keep.has(t)) track(t);
    else if (!t.kept) t.dispose();
  }
  return result;
}

/** Disposes tensors found in a value (a tensor, arrays, Maps, plain objects). */
export function dispose(v: unknown): void {
  const found = new Set<unknown>();
  collect(v, found, 0);
  for (const t of found) (t as Disposable).dispose();
}

export interface MemoryInfo extends NativeMemory {}

/** Live tensor handles and the bytes held by libtorch's CPU allocator. */
export function memory(): MemoryInfo {
  return native.memory();
}

/**
 * Hands the freed large blocks the allocator keeps for reuse back to the system (as
 * `torch.cuda.empty_cache` does for device memory): `memory().cachedBytes` falls to 0.
 */
export function emptyCache(): void {
  native.emptyCache();
}

/**
 * Caps libtorch's CPU allocations: a request past the cap fails with an E_MEMORY
 * FlambeauError naming the size instead of an OOM kill later. Takes bytes or a string
 * such as "8GiB"; 0 disables the cap. The default is 80% of min(physical memory, the
 * cgroup limit), or FLAMBEAU_MEMORY_BUDGET when set.
 */
export function setMemoryBudget(bytes: number | string): void {
  native.setMemoryBudget(toBytes(bytes, "setMemoryBudget"));
}

/** The current budget in bytes (0: none). */
export function getMemoryBudget(): number {
  return native.memory().budget;
}

// Applied once, when the engine loads: a bad FLAMBEAU_MEMORY_BUDGET warns and keeps the default
// rather than making the library unimportable.
whenNativeLoaded(() => {
  try {
    native.setMemoryBudget(initialMemoryBudget());
  } catch (e) {
    process.emitWarning(`${(e as Error).message}; using the default budget`, "FlambeauWarning");
    native.setMemoryBudget(defaultMemoryBudget());
  }
});
