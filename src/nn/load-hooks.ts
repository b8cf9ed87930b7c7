// Work to do once a particular state dict has been loaded into a model: a loader that knows
// more about the weights than the model's constructor (a compressed directory's int8 kernels)
// attaches it to the map it returns, and Module.loadStateDict runs it on the model that took them.
// The work is keyed by the map and by each of its tensors too: a task that copies the weights
// into a map of its own (renamed keys, a subset, a plain object) before loading them still
// passes the same tensors, so the work still runs, once, on the model that loads any of them.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Module } from "./module.js";

type AfterLoad = (model: Module) => void;
interface Pending {
  fn: AfterLoad;
  done: boolean;
}
const pending = new WeakMap<object, Pending>();

const valuesOf = (sd: object): unknown[] => (sd instanceof Map ? [...sd.values()] : Object.values(sd as Record<string, unknown>));

/** Runs `fn(model)` after `sd`, or a map holding any of its tensors, is loaded by `model.loadStateDict` (once). */
export function afterStateDictLoad(sd: object, fn: AfterLoad): void {
  const p: Pending = { fn, done: false };
  pending.set(sd, p);
  for (const v of valuesOf(sd)) if (typeof v === "object" && v !== null) pending.set(v, p);
}

// The watchers belong to the async call chain that set them, not to the process: two watched
// evaluations running at once (two compress jobs in one server) each see only their own models.
const watching = new AsyncLocalStorage<readonly AfterLoad[]>();

/**
 * Runs `fn` with `onLoad(model)` called for every model that loads a state dict meanwhile, in
 * `fn`'s own async chain (after its own load work): how `flambeau compress` sees the model a
 * task's evaluate builds.
 */
export function watchStateDictLoads<T>(onLoad: AfterLoad, fn: () => Promise<T>): Promise<T> {
  return watching.run([...(watching.getStore() ?? []), onLoad], fn);
}

/** @internal Called by Module.loadStateDict. */
export function stateDictLoaded(sd: object, model: Module): void {
  runPending(sd, model);
  for (const w of watching.getStore() ?? []) w(model);
}

function runPending(sd: object, model: Module): void {
  let p = pending.get(sd);
  if (p === undefined)
    for (const v of valuesOf(sd)) {
      p = typeof v === "object" && v !== null ? pending.get(v) : undefined;
      if (p !== undefined && !p.done) break;
    }
  if (p === undefined || p.done) return;
  p.done = true;
  pending.delete(sd);
  p.fn(model);
}
