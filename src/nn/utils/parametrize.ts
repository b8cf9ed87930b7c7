// Parametrizations (PyTorch's nn.utils.parametrize): module[name] is computed on every read
// as p_n(…p_1(original)), where `original` is the parameter `parametrizations.<name>.original`
// (PyTorch's state-dict key) and each p_i is a module. A parametrization with a
// rightInverse(x) sets `original` so that the first read gives back the old value.
import { noGrad } from "../../core/autograd.js";
import { argError } from "../../core/errors.js";
import { tidy } from "../../core/memory.js";
import type { Tensor } from "../../core/tensor.js";
import { ModuleDict } from "../container.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { parameterProperty } from "./reparam.js";

/** A module mapping the original tensor to the parametrized one; rightInverse is optional. */
export type Parametrization = Module & { forward(x: Tensor): Tensor; rightInverse?(x: Tensor): Tensor };

/** The chain of parametrizations of one tensor, holding `original`. */
export class ParametrizationList extends Module {
  readonly original: Parameter;
  readonly #chain: Parametrization[] = [];
  constructor(first: Parametrization, original: Parameter) {
    super();
    this.original = original;
    this.append(first);
  }
  append(p: Parametrization): void {
    this.registerModule(String(this.#chain.length), p);
    this.#chain.push(p);
  }
  get length(): number {
    return this.#chain.length;
  }
  forward(): Tensor {
    let x: Tensor = this.original;
    for (const p of this.#chain) x = p.forward(x) as Tensor;
    return x;
  }
}

function dictOf(module: Module): ModuleDict | null {
  const found = module.namedChildren().find(([k]) => k === "parametrizations");
  return found && found[1] instanceof ModuleDict ? found[1] : null;
}

/** Whether module has parametrizations (of `name`, if given). */
export function isParametrized(module: Module, name?: string): boolean {
  const d = dictOf(module);
  return d !== null && (name === undefined ? d.keys().length > 0 : d.keys().includes(name));
}

/** Adds `parametrization` to module[name] (a parameter property); a second call chains another. Returns the module. */
export function registerParametrization<M extends Module>(module: M, name: string, parametrization: Parametrization): M {
  const op = "registerParametrization";
  if (!(parametrization instanceof Module) || typeof parametrization.forward !== "function")
    argError(op, "parametrization must be a Module whose forward maps the original tensor to the new one");
  if (isParametrized(module, name)) {
    (dictOf(module)!.get(name) as ParametrizationList).append(parametrization);
    return module;
  }
  const w = parameterProperty(op, module, name);
  const original =
    typeof parametrization.rightInverse === "function"
      ? noGrad(() => tidy(() => new Parameter(parametrization.rightInverse!(w), w.requiresGrad)))
      : w;
  let dict = dictOf(module);
  if (dict === null) {
    dict = new ModuleDict();
    module.registerModule("parametrizations", dict);
  }
  const list = new ParametrizationList(parametrization, original);
  dict.set(name, list);
  // A getter, not enumerable: parameter discovery does not see it, every read recomputes.
  Object.defineProperty(module, name, { configurable: true, enumerable: false, get: () => list.forward() });
  return module;
}

/**
 * Removes the parametrizations of module[name]: the parameter becomes the parametrized
 * value (leaveParametrized, default) or the original. Returns the module.
 */
export function removeParametrizations<M extends Module>(module: M, name: string, leaveParametrized = true): M {
  const d = dictOf(module);
  if (d === null || !d.keys().includes(name))
    argError("removeParametrizations", `${module.constructor.name} has no parametrization of "${name}"`);
  const list = d.get(name) as ParametrizationList;
  const value = leaveParametrized ? noGrad(() => tidy(() => new Parameter(list.forward(), list.original.requiresGrad))) : list.original;
  delete (module as unknown as Record<string, unknown>)[name];
  (module as unknown as Record<string, unknown>)[name] = value;
  d.unregister(name);
  if (d.keys().length <= 1 && d.keys().every((k) => k === name)) module.unregister("parametrizations");
  return module;
}
