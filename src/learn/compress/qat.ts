// `flambeau compress --quantize int8 --qat-epochs N`: quantization-aware fine-tuning through the
// task's own training (its data, preprocessing, schedule), the model prepared with
// fl.quantization.prepareQat once its weights are loaded; the observers' ranges then give the
// same static int8 plan post-training quantization writes, and the trained float weights are
// what the int8 variant quantizes.
import { FlambeauError } from "../../core/errors.js";
import type { Module } from "../../nn/index.js";
import { quantizedEngine, setQuantizedEngine } from "../../quant/engine.js";
import { prepareQat } from "../../quant/qat.js";
import { observedPlan, type QuantizationPlan, staticQuantizationProblem } from "../../quant/quantize.js";
import type { RunSettings } from "../../train/run-settings.js";

export interface QatOptions {
  /** The model directory to start from. */
  from: string;
  /** Where the task writes the fine-tuned model directory. */
  out: string;
  architecture: string;
  epochs: number;
  lr: number;
  engine?: string;
  log: (line: string) => void;
  /** Trains through the task with these arguments and run settings. */
  train: (args: Record<string, unknown>, settings: RunSettings) => Promise<unknown>;
}

/** Fine-tunes `from` quantization-aware into `out`; returns the int8 plan for the weights saved there. */
export async function quantizationAwareTrain(model: Module, o: QatOptions): Promise<QuantizationPlan> {
  const op = "compress --qat-epochs";
  if (o.engine !== undefined) setQuantizedEngine(o.engine);
  const problem = staticQuantizationProblem(model);
  if (problem !== null) throw new FlambeauError("E_ARG", `${op}: quantization-aware training needs static int8: ${problem}`, op);
  let prepared: Module | undefined;
  o.log(`int8: quantization-aware training (${quantizedEngine()}), ${o.epochs} epochs, lr ${o.lr}`);
  await o.train(
    { out: o.out, model: o.architecture, epochs: o.epochs, lr: o.lr },
    {
      init: o.from,
      prepare: (m) => {
        prepareQat(m);
        prepared = m;
      },
    },
  );
  if (prepared === undefined)
    throw new FlambeauError("E_STATE", `${op}: the task's training never prepared its model (no Trainer took the run settings)`, op);
  const plan = observedPlan(prepared);
  o.log(`int8: quantization-aware plan, ${plan.kernels === "static" ? plan.groups.length : 0} quantized layers`);
  return plan;
}
