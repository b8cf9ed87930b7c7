// What weight norm, spectral norm and pruning share (PyTorch's hook-based re-parametrisations):
// the module's parameter `name` is taken out of its parameters, stored under new names, and
// a forward pre-hook recomputes `module[name]` (a plain tensor) from them before each forward.
import { argError } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { HookHandle, Module } from "../module.js";
import { Parameter } from "../parameter.js";

export type ReparamKind = "weightNorm" | "spectralNorm" | "prune";

interface Reparam {
  kind: ReparamKind;
  handle: HookHandle;
}
const registry = new WeakMap<Module, Map<string, Reparam>>();

/** The re-parametrisation of module[name], if any. */
export function reparamOf(module: Module, name: string): ReparamKind | undefined {
  return registry.get(module)?.get(name)?.kind;
}

/** Whether some parameter of module (not its children) is re-parametrised by `kind`. */
export function hasReparam(module: Module, kind: ReparamKind): boolean {
  for (const r of registry.get(module)?.values() ?? []) if (r.kind === kind) return true;
  return false;
}

/** The Parameter held in the property `name` of module (the form the layers' weights take). */
export function parameterProperty(op: string, module: Module, name: string): Parameter {
  if (typeof name !== "string") argError(op, `name must be a string, got ${String(name)}`);
  const kind = reparamOf(module, name);
  if (kind !== undefined) argError(op, `${module.constructor.name}.${name} is already re-parametrised by ${kind}`);
  const p = (module as unknown as Record<string, unknown>)[name];
  if (!(p instanceof Parameter))
    argError(
      op,
      `${module.constructor.name} has no parameter property "${name}"${module.getParameter(name) ? " (registered parameters such as RNN weights are not supported)" : ""}`,
    );
  return p;
}

/** Sets module[name] to a computed tensor (not a Parameter, so not listed among the parameters). */
export function setComputed(module: Module, name: string, value: Tensor): void {
  (module as unknown as Record<string, unknown>)[name] = value;
}

/** Installs the pre-hook that recomputes module[name]; `compute` runs before every forward. */
export function install(module: Module, name: string, kind: ReparamKind, compute: (m: Module) => Tensor): void {
  const handle = module.registerForwardPreHook((m) => {
    setComputed(m, name, compute(m));
  });
  let byName = registry.get(module);
  if (byName === undefined) {
    byName = new Map();
    registry.set(module, byName);
  }
  byName.set(name, { kind, handle });
}

/** Removes the hook of module[name] (checking it is of `kind`) and makes `value` the parameter again. */
export function uninstall(op: string, module: Module, name: string, kind: ReparamKind, value: Tensor): Parameter {
  const r = registry.get(module)?.get(name);
  if (r === undefined || r.kind !== kind) argError(op, `${kind} of "${name}" not found in ${module.constructor.name}`);
  r.handle.remove();
  registry.get(module)!.delete(name);
  const p = new Parameter(value);
  // Re-added last, as PyTorch registers the parameter anew: state-dict keys come in its order.
  delete (module as unknown as Record<string, unknown>)[name];
  (module as unknown as Record<string, unknown>)[name] = p;
  return p;
}
