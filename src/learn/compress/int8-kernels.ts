// Which quantized kernels a `--quantize int8` variant runs, and their plan: static
// post-training quantization (calibrated through the task's own evaluate) for convolutional
// nets whose every layer takes quint8 tensors; otherwise dynamic quantization of the Linear,
// LSTM and GRU layers (PyTorch's choice for Linear-only and recurrent models); otherwise none
// (the weights are still stored int8 and run in float).

import { FlambeauError } from "../../core/errors.js";
import { Conv2d, Linear, type Module } from "../../nn/index.js";
import { watchStateDictLoads } from "../../nn/load-hooks.js";
import { quantizedEngine, setQuantizedEngine } from "../../quant/engine.js";
import { convert, dynamicLayers, type QuantizationPlan, staticQuantizationProblem } from "../../quant/quantize.js";
import { calibrating } from "../../quant/session.js";
import type { Task } from "../../tasks/task.js";

export interface Int8KernelOptions {
  /**
   * Data the static variant is calibrated on: its training split, read by the task's own
   * evaluate (`split: "train"`), so activation ranges come from training examples with the
   * saved model's preprocessing, never from the split the variant is scored on.
   */
  data: string;
  /** Calibration examples (default 256). */
  calibrationLimit?: number;
  batchSize?: number;
  keepFloat?: readonly string[];
  /** onednn or qnnpack (default: libtorch's current engine). */
  engine?: string;
  log: (line: string) => void;
}

/** The plan for the model in `dir` (already loaded as `model`), or undefined with the reason logged. */
export async function int8KernelPlan(task: Task, dir: string, model: Module, o: Int8KernelOptions): Promise<QuantizationPlan | undefined> {
  if (o.engine !== undefined) setQuantizedEngine(o.engine);
  const keep = new Set(o.keepFloat ?? []);
  const hasConv = model.modules().some((m) => m instanceof Conv2d);
  const dynamic = dynamicLayers(model, keep);
  if (hasConv) {
    const problem = keep.size > 0 ? "layers are kept in float (--keep-float)" : staticQuantizationProblem(model);
    if (problem === null) {
      const limit = o.calibrationLimit ?? 256;
      // A task's evaluate may free its model when done (audio-classification does): the
      // calibrated model's dispose waits until it is converted.
      const held: Module[] = [];
      const hold = (m: Module) => {
        held.push(m);
        Object.defineProperty(m, "dispose", { configurable: true, writable: true, enumerable: false, value: () => {} });
      };
      const read = { limit, split: "train" as const, includeTrainingData: true, ...(o.batchSize ? { batchSize: o.batchSize } : {}) };
      const models = await calibrating(() => watchStateDictLoads(hold, () => task.evaluate(dir, o.data, read)));
      if (models.length === 0)
        throw new FlambeauError(
          "E_STATE",
          `compress: ${task.name}'s evaluate did not load its model through loadModelDir; cannot calibrate`,
          "compress",
        );
      const plan = convert(models[0]!);
      for (const m of held) delete (m as { dispose?: unknown }).dispose;
      for (const m of new Set([...models, ...held])) m.dispose();
      o.log(
        `int8: static quantization (${quantizedEngine()}), ${plan.kernels === "static" ? plan.groups.length : 0} quantized layers, calibrated on ${limit} examples of ${o.data} (its training split)`,
      );
      return plan;
    }
    o.log(`int8: no static quantization: ${problem}`);
  }
  if (dynamic.length > 0) {
    const mods = new Map(model.namedModules());
    const recurrent = dynamic.filter((n) => !(mods.get(n) instanceof Linear)).length;
    o.log(
      `int8: dynamic quantization (${quantizedEngine()}) of ${dynamic.length - recurrent} Linear${recurrent ? ` and ${recurrent} LSTM / GRU` : ""} layers; other layers run in float`,
    );
    return { kernels: "dynamic", engine: quantizedEngine(), layers: dynamic };
  }
  o.log("int8: no layer the quantized kernels take; weights stored int8, run in float");
  return undefined;
}
