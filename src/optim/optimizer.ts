// The optimizer base (PyTorch's optim/optimizer.py): parameter groups with their options,
// per-parameter state, zeroGrad, and state dicts that index parameters by position.
// Each optimizer is a small class that validates its options and calls a plain update
// function; the base holds everything that is not the update.

import { aten } from "../core/aten.js";
import { noGrad } from "../core/autograd.js";
import { call } from "../core/dispatch.js";
import { isFloating } from "../core/dtype.js";
import { argError, FlambeauError } from "../core/errors.js";
import { tidy } from "../core/memory.js";
import { Tensor } from "../core/tensor.js";

/** The options every optimizer has. */
export interface OptimizerOptions {
  lr: number;
}

/** Keys LR schedulers add to a group (PyTorch's `initial_lr`, `max_lr`, `swa_lr` …). */
export interface SchedulerGroupKeys {
  initialLr?: number;
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
  swaLr?: number;
}

/** A parameter group: its tensors and its own copy of every option (mutable, e.g. `lr` for schedulers). */
export type ParamGroup<O extends OptimizerOptions = OptimizerOptions> = Required<O> & SchedulerGroupKeys & { params: Tensor[] };

/** A group as given to a constructor or `addParamGroup`: options left out take the optimizer's defaults. */
export type ParamGroupInit<O extends OptimizerOptions = OptimizerOptions> = Partial<O> & { params: readonly Tensor[] };

/** What an optimizer optimizes: tensors (one group) or parameter groups. */
export type Params<O extends OptimizerOptions = OptimizerOptions> = readonly Tensor[] | readonly ParamGroupInit<O>[];

/** Per-parameter state: tensors (moments, buffers) and numbers (step counts), under PyTorch's key names. */
export type ParamState = Map<string, Tensor | number>;

/** A JSON-serialisable group option in a state dict. */
export type GroupValue = number | boolean | number[] | null;

/**
 * An optimizer's state, laid out as PyTorch's `optimizer.state_dict()`: parameters are
 * numbered in group order, state keys and group keys are PyTorch's (`exp_avg`,
 * `weight_decay`, `initial_lr` …). The tensors are the optimizer's own (not copies).
 */
export interface OptimizerStateDict {
  state: Map<number, Map<string, Tensor | number>>;
  paramGroups: Array<Record<string, GroupValue> & { params: number[] }>;
}

const ZERO_ = aten("_foreach_zero_");
const DETACH_ = aten("detach_");
const SCHEDULER_KEYS: readonly string[] = ["initialLr", "maxLr", "minLr", "maxMomentum", "baseMomentum", "swaLr"];
// PyTorch implementation switches that appear in its state dicts and mean nothing here.
const TORCH_ONLY_KEYS = new Set(["foreach", "capturable", "differentiable", "fused"]);

const toSnake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toCamel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Throws unless `value` is a finite number ≥ 0 (the check most hyper-parameters need). */
export function checkNonNegative(op: string, name: string, value: unknown): void {
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value))
    argError(op, `${name} must be a finite number ≥ 0, got ${String(value)}`);
}

/** Throws unless `value` is a number in [0, 1). */
export function checkUnitInterval(op: string, name: string, value: unknown): void {
  if (typeof value !== "number" || !(value >= 0 && value < 1)) argError(op, `${name} must be in [0, 1), got ${String(value)}`);
}

export function checkBoolean(op: string, name: string, value: unknown): void {
  if (typeof value !== "boolean") argError(op, `${name} must be a boolean, got ${String(value)}`);
}

export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions> {
  /** The class name, used in error messages. */
  readonly name: string;
  /** The options a group gets for the keys it does not set. */
  readonly defaults: Readonly<Required<O>>;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first step. */
  readonly state = new Map<Tensor, ParamState>();

  protected constructor(name: string, params: Params<O>, defaults: Required<O>) {
    this.name = name;
    this.validate(defaults);
    this.defaults = Object.freeze({ ...defaults });
    if (params.length === 0) argError(name, "got an empty parameter list");
    const groups = params.every((p) => p instanceof Tensor) ? [{ params: params as readonly Tensor[] } as ParamGroupInit<O>] : params;
    for (const g of groups) {
      if (g instanceof Tensor) argError(name, "mix of tensors and parameter groups: pass either Tensor[] or groups {params, …}[]");
      this.addParamGroup(g as ParamGroupInit<O>);
    }
  }

  /** Checks a group's options (after defaults are filled in); throws naming the bad value. */
  protected abstract validate(options: Required<O>): void;

  /** Performs one update of every parameter that has a gradient. */
  abstract step(): void;

  /** Adds a group (e.g. layers unfrozen while fine-tuning); options it leaves out take the defaults. */
  addParamGroup(group: ParamGroupInit<O>): void {
    const name = this.name;
    if (group === null || typeof group !== "object" || !Array.isArray(group.params))
      argError(name, "a parameter group must be an object with a `params` array of tensors");
    const allowed = new Set(["params", ...Object.keys(this.defaults), ...SCHEDULER_KEYS]);
    for (const k of Object.keys(group)) {
      if (!allowed.has(k)) argError(name, `unknown option "${k}" in a parameter group (valid: ${[...allowed].join(", ")})`);
    }
    const params = [...group.params];
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    for (const [i, p] of params.entries()) {
      if (!(p instanceof Tensor)) argError(name, `params[${i}] is not a Tensor (got ${typeof p})`);
      if (!isFloating(p.dtype)) argError(name, `params[${i}] has dtype ${p.dtype}; only floating-point tensors can be optimized`);
      if (!p.isLeaf)
        argError(name, `params[${i}] is not a leaf tensor (it was computed from others); optimize the leaves, e.g. nn.Parameters`);
      if (seen.has(p))
        argError(name, `params[${i}] appears twice (in this group or an earlier one); each parameter must be in one group once`);
      seen.add(p);
    }
    const merged = { ...this.defaults, ...group, params } as ParamGroup<O>;
    this.validate(merged);
    this.paramGroups.push(merged);
  }

  /** Clears the gradients: drops them (setToNone, the default) or fills them with zeros. */
  zeroGrad(setToNone = true): void {
    if (setToNone) {
      for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
      return;
    }
    tidy(() => {
      const grads: Tensor[] = [];
      for (const g of this.paramGroups)
        for (const p of g.params) {
          const gr = p.grad;
          if (gr === null) continue;
          // A gradient built with createGraph is part of a graph; zeroing it in place must not record.
          if (gr.requiresGrad) call(DETACH_, gr);
          grads.push(gr);
        }
      if (grads.length > 0) noGrad(() => call(ZERO_, grads));
    });
  }

  /** The state as PyTorch lays it out (see OptimizerStateDict); tensors are shared, not copied. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, GroupValue> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === "params" || v === undefined) continue;
        packed[toSnake(k)] = Array.isArray(v) ? [...(v as number[])] : (v as GroupValue);
      }
      const ids = g.params.map((p) => {
        const i = index.size;
        index.set(p, i);
        return i;
      });
      return Object.assign(packed, { params: ids });
    });
    const state = new Map<number, Map<string, Tensor | number>>();
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state.set(i, new Map(s));
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state dict from `stateDict()` (of this or an identically grouped optimizer).
   * Tensors are copied (cast to each parameter's dtype); the previous state tensors are disposed
   * unless `sd` holds them.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const name = this.name;
    if (sd === null || typeof sd !== "object" || !(sd.state instanceof Map) || !Array.isArray(sd.paramGroups))
      argError(name, "loadStateDict: expected { state: Map, paramGroups: [] } as returned by stateDict()");
    if (sd.paramGroups.length !== this.paramGroups.length)
      argError(
        name,
        `loadStateDict: the state dict has ${sd.paramGroups.length} parameter groups, this optimizer ${this.paramGroups.length}`,
      );
    const byIndex: Tensor[] = [];
    const groups = this.paramGroups.map((g, gi) => {
      const saved = sd.paramGroups[gi]!;
      if (!Array.isArray(saved.params) || saved.params.length !== g.params.length)
        argError(name, `loadStateDict: group ${gi} has ${saved.params?.length} parameters in the state dict, ${g.params.length} here`);
      saved.params.forEach((id, k) => (byIndex[id] = g.params[k]!));
      const merged: Record<string, unknown> = { ...g };
      for (const [k, v] of Object.entries(saved)) {
        if (k === "params" || TORCH_ONLY_KEYS.has(k)) continue;
        merged[toCamel(k)] = Array.isArray(v) ? [...v] : v;
      }
      merged.params = g.params;
      this.validate(merged as Required<O>);
      return merged as ParamGroup<O>;
    });
    const incoming = new Set<Tensor>();
    for (const s of sd.state.values()) for (const v of s.values()) if (v instanceof Tensor) incoming.add(v);
    const state = new Map<Tensor, ParamState>();
    noGrad(() => {
      for (const [id, s] of sd.state) {
        const p = byIndex[id];
        if (p === undefined) argError(name, `loadStateDict: state for parameter ${id}, which no group lists`);
        const copy: ParamState = new Map();
        for (const [k, v] of s) {
          if (typeof v === "number") copy.set(k, v);
          else if (v instanceof Tensor) {
            if (v.shape.join() !== p.shape.join())
              argError(
                name,
                `loadStateDict: state "${k}" of parameter ${id} has shape [${v.shape.join(", ")}], the parameter [${p.shape.join(", ")}]`,
              );
            copy.set(k, tidy(() => (v.dtype === p.dtype ? v.clone() : v.to(p.dtype))).keep());
          } else argError(name, `loadStateDict: state "${k}" of parameter ${id} is neither a tensor nor a number`);
        }
        state.set(p, copy);
      }
    });
    this.disposeState(incoming);
    groups.forEach((g, i) => (this.paramGroups[i] = g));
    for (const [p, s] of state) this.state.set(p, s);
  }

  /** Frees the state tensors (the optimizer starts afresh on its next step). */
  dispose(): void {
    this.disposeState(new Set());
  }

  private disposeState(spare: Set<Tensor>): void {
    for (const s of this.state.values()) for (const v of s.values()) if (v instanceof Tensor && !spare.has(v)) v.dispose();
    this.state.clear();
  }

  /** Runs an update without autograd, disposing every temporary (gradient handles included). */
  protected update(fn: () => void): void {
    noGrad(() => tidy(fn));
  }

  /** The group's parameters that have a gradient, and those gradients (handles owned by the caller's tidy). */
  protected withGrads(group: ParamGroup<O>): { params: Tensor[]; grads: Tensor[] } {
    const params: Tensor[] = [];
    const grads: Tensor[] = [];
    for (const p of group.params) {
      const g = p.grad;
      if (g === null) continue;
      params.push(p);
      grads.push(g);
    }
    return { params, grads };
  }

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = new Map();
      this.state.set(p, s);
    }
    return s;
  }
}

/** Reads a tensor from a parameter's state (the optimizer put it there). */
export function stateTensor(s: ParamState, key: string): Tensor {
  const v = s.get(key);
  if (!(v instanceof Tensor))
    throw new FlambeauError(
      "E_STATE",
      `optimizer state "${key}" is missing or not a tensor (was the state dict loaded from another optimizer?)`,
    );
  return v;
}
