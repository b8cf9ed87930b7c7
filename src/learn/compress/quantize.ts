// Post-training weight quantization of a model's state dict: int8 with one symmetric scale per
// output channel for the matrix weights of Linear, convolution, embedding, recurrent and
// attention layers (biases and normalisation layers stay float32, as in PyTorch's dynamic
// quantization), or every floating parameter as float16 / bfloat16. A layer of another kind
// that holds a matrix weight is an error naming it, unless the caller keeps it in float.
import { FlambeauError } from "../../core/errors.js";
import { noGrad, type Tensor } from "../../core/index.js";
import { INT8_SCALE_SUFFIX, quantizeInt8 } from "../../io/quantized-weights.js";
import {
  Bilinear,
  Conv1d,
  Conv2d,
  Conv3d,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  Embedding,
  EmbeddingBag,
  GRU,
  Linear,
  LSTM,
  type Module,
  MultiheadAttention,
  RNN,
} from "../../nn/index.js";
import { layersByName } from "./layers.js";
import { prunedParameters } from "./masks.js";

export type WeightStorage = "int8" | "float16" | "bfloat16";
export const WEIGHT_STORAGES: readonly WeightStorage[] = ["int8", "float16", "bfloat16"];

export interface QuantizeOptions {
  dtype: WeightStorage;
  /** Layers (dotted names) left in float32, e.g. a custom layer int8 does not support. */
  keepFloat?: readonly string[];
}

export interface QuantizedLayer {
  layer: string;
  type: string;
  /** The parameters stored in `dtype`. */
  quantized: string[];
}

const INT8_LAYERS = [
  Linear,
  Bilinear,
  Conv1d,
  Conv2d,
  Conv3d,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  Embedding,
  EmbeddingBag,
  LSTM,
  GRU,
  RNN,
  MultiheadAttention,
];
const supportsInt8 = (m: Module): boolean => INT8_LAYERS.some((C) => m instanceof C);

/**
 * The state dict to save, with weights stored as `dtype` (int8 ones with `<key>_int8_scale`
 * beside them; `loadModelDir` restores float32), and what was quantized per layer.
 */
export function quantizedStateDict(model: Module, o: QuantizeOptions): { weights: Map<string, Tensor>; layers: QuantizedLayer[] } {
  const op = "quantize";
  if (!WEIGHT_STORAGES.includes(o.dtype))
    throw new FlambeauError("E_ARG", `${op}: dtype must be one of ${WEIGHT_STORAGES.join(", ")}, got ${JSON.stringify(o.dtype)}`, op);
  if (prunedParameters(model).size > 0)
    throw new FlambeauError("E_STATE", `${op}: the model still has pruning masks; make them permanent first (removePruning)`, op);
  const keep = new Set(layersByName(op, model, o.keepFloat ?? []).map(([n]) => n));
  const weights = model.stateDict();
  const layers: QuantizedLayer[] = [];
  noGrad(() => {
    for (const [layer, m] of model.namedModules()) {
      if (keep.has(layer)) continue;
      const own = m.namedParameters("", false);
      if (own.length === 0) continue;
      const key = (k: string) => (layer ? `${layer}.${k}` : k);
      let chosen: [string, Tensor][];
      if (o.dtype === "int8") {
        chosen = own.filter(([, p]) => p.ndim >= 2);
        if (chosen.length === 0) continue;
        if (!supportsInt8(m))
          throw new FlambeauError(
            "E_ARG",
            `${op}: layer "${layer || "(model)"}" (${m.constructor.name}) holds matrix weights (${chosen.map(([k]) => k).join(", ")}) that int8 quantization does not support; keep it in float (keepFloat / --keep-float ${layer || "''"}) or use float16`,
            op,
          );
        for (const [k, p] of chosen) {
          const { q, scale } = quantizeInt8(p);
          weights.get(key(k))?.dispose();
          weights.set(key(k), q);
          weights.set(`${key(k)}${INT8_SCALE_SUFFIX}`, scale);
        }
      } else {
        chosen = own.filter(([, p]) => p.dtype === "float32" || p.dtype === "float64");
        for (const [k, p] of chosen) {
          weights.get(key(k))?.dispose();
          weights.set(key(k), p.detach().to(o.dtype));
        }
      }
      if (chosen.length > 0) layers.push({ layer, type: m.constructor.name, quantized: chosen.map(([k]) => k) });
    }
  });
  return { weights, layers };
}
