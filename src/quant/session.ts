// How a compressed model directory's int8 kernels reach every task's loader: loadModelDir
// reads the plan from config.json and attaches it to the weights it returns; the model that
// loads them is converted in place. While `calibrating` runs, a loaded model is prepared
// (observed) instead, so `flambeau compress` calibrates through the task's own evaluate
// (its data and preprocessing).

import type { Module } from "../nn/index.js";
import { afterStateDictLoad } from "../nn/load-hooks.js";
import { applyQuantizationPlan, prepare, type QuantizationPlan } from "./quantize.js";

let session: Module[] | null = null;

/** Runs `fn` with every model loaded from a model directory meanwhile prepared for calibration; returns those models. */
export async function calibrating(fn: () => Promise<unknown>): Promise<Module[]> {
  const models: Module[] = [];
  const before = session;
  session = models;
  try {
    await fn();
  } finally {
    session = before;
  }
  return models;
}

/** Called by loadModelDir with the weights it returns and the directory's plan (if any). */
export function attachQuantization(weights: object, plan: QuantizationPlan | undefined): void {
  const s = session;
  if (s !== null)
    afterStateDictLoad(weights, (m) => {
      prepare(m);
      s.push(m);
    });
  else if (plan !== undefined) afterStateDictLoad(weights, (m) => applyQuantizationPlan(m, plan));
}
