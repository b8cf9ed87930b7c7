// Weight normalisation (PyTorch's nn.utils.weight_norm): weight = g · v / ‖v‖, the norm taken
// over every dimension but `dim`; g and v become the parameters `<name>_g` and `<name>_v`.
import { aten } from "../../core/aten.js";
import { noGrad } from "../../core/autograd.js";
import { callT } from "../../core/dispatch.js";
import { argError } from "../../core/errors.js";
import { tidy } from "../../core/memory.js";
import type { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { install, parameterProperty, setComputed, uninstall } from "./reparam.js";

const NORM_EXCEPT_DIM = aten("norm_except_dim");
const WEIGHT_NORM = aten("_weight_norm");
const dims = new WeakMap<Module, Map<string, number>>();

function compute(m: Module, name: string, dim: number) {
  return callT(WEIGHT_NORM, m.getParameter(`${name}_v`)!, m.getParameter(`${name}_g`)!, dim);
}

/**
 * Re-parametrises module[name] (default "weight") as g · v / ‖v‖. `dim` is the dimension
 * kept by the norm (default 0, one g per output unit); null normalises over the whole tensor.
 * Returns the module.
 */
export function weightNorm<M extends Module>(module: M, name = "weight", dim: number | null = 0): M {
  const op = "weightNorm";
  const w = parameterProperty(op, module, name);
  let d = dim === null ? -1 : dim;
  if (!Number.isInteger(d) || d < -w.ndim || d >= w.ndim) argError(op, `dim must be null or in [${-w.ndim}, ${w.ndim - 1}], got ${dim}`);
  if (dim !== null && d < 0) d += w.ndim;
  const g = noGrad(() => tidy(() => new Parameter(callT(NORM_EXCEPT_DIM, w, 2, d))));
  module.registerParameter(`${name}_g`, g);
  module.registerParameter(`${name}_v`, w);
  setComputed(module, name, compute(module, name, d));
  install(module, name, "weightNorm", (m) => compute(m, name, d));
  if (!dims.has(module)) dims.set(module, new Map());
  dims.get(module)!.set(name, d);
  return module;
}

/** Undoes weightNorm: module[name] becomes a parameter holding the current g · v / ‖v‖. */
export function removeWeightNorm<M extends Module>(module: M, name = "weight"): M {
  const g = module.getParameter(`${name}_g`);
  const v = module.getParameter(`${name}_v`);
  if (g === null || v === null) argError("removeWeightNorm", `weightNorm of "${name}" not found in ${module.constructor.name}`);
  const w = noGrad(() => callT(WEIGHT_NORM, v, g, dims.get(module)?.get(name) ?? 0));
  uninstall("removeWeightNorm", module, name, "weightNorm", w);
  module.unregister(`${name}_g`);
  module.unregister(`${name}_v`);
  w.dispose();
  dims.get(module)?.delete(name);
  return module;
}
