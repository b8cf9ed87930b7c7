// Work to do once a particular state dict has been loaded into a model: a loader that knows
// more about the weights than the model's constructor (a compressed directory's int8 kernels)
// attaches it to the map it returns, and Module.loadStateDict runs it on the model that took them.
import type { Module } from "./module.js";

type AfterLoad = (model: Module) => void;
const pending = new WeakMap<object, AfterLoad>();

/** Runs `fn(model)` after `sd` is loaded by `model.loadStateDict(sd)` (once). */
export function afterStateDictLoad(sd: object, fn: AfterLoad): void {
  pending.set(sd, fn);
}

/** @internal Called by Module.loadStateDict. */
export function stateDictLoaded(sd: object, model: Module): void {
  const fn = pending.get(sd);
  if (fn === undefined) return;
  pending.delete(sd);
  fn(model);
}
