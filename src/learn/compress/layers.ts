// Which layers compression touches: the weights of Linear and (non-transposed) convolution
// layers for pruning, and by name when a user lists layers. A name that is not a layer of the
// model is an error that names it and lists the valid ones.
import { FlambeauError } from "../../core/errors.js";
import { Conv1d, Conv2d, Conv3d, Linear, type Module } from "../../nn/index.js";

/** A layer's weight that pruning works on. */
export interface PrunableWeight {
  /** The layer's dotted name in the model ("features.0"). */
  layer: string;
  module: Module;
  /** The parameter's name in the layer ("weight"). */
  name: string;
}

/** Linear and (non-transposed) convolution layers: the ones pruning works on. */
export const isPrunable = (m: Module): boolean => m instanceof Linear || m instanceof Conv1d || m instanceof Conv2d || m instanceof Conv3d;

/** The model's layers by dotted name; an unknown name is an E_ARG error naming it. */
export function layersByName(op: string, model: Module, names: readonly string[]): [string, Module][] {
  const all = new Map(model.namedModules());
  return names.map((n) => {
    const m = all.get(n);
    if (m === undefined || n === "") {
      const valid = [...all.keys()].filter((k) => k !== "");
      throw new FlambeauError(
        "E_ARG",
        `${op}: the model has no layer "${n}"; layers: ${valid.slice(0, 30).join(", ")}${valid.length > 30 ? ", …" : ""}`,
        op,
      );
    }
    return [n, m];
  });
}

/**
 * The weights to prune: those of the named layers (each must be a Linear or convolution), or
 * by default every Linear and convolution weight. Structured pruning by default leaves out the
 * last such layer, whose output units are the model's classes.
 */
export function prunableWeights(op: string, model: Module, o: { layers?: readonly string[]; structured?: boolean } = {}): PrunableWeight[] {
  if (o.layers !== undefined) {
    return layersByName(op, model, o.layers).map(([layer, module]) => {
      if (!isPrunable(module))
        throw new FlambeauError(
          "E_ARG",
          `${op}: layer "${layer}" is a ${module.constructor.name}; pruning works on Linear and Conv1d/2d/3d weights`,
          op,
        );
      return { layer, module, name: "weight" };
    });
  }
  const found = model
    .namedModules()
    .filter(([, m]) => isPrunable(m))
    .map(([layer, module]) => ({ layer, module, name: "weight" }));
  if (found.length === 0)
    throw new FlambeauError("E_ARG", `${op}: ${model.constructor.name} has no Linear or convolution layer to prune`, op);
  return o.structured && found.length > 1 ? found.slice(0, -1) : found;
}
