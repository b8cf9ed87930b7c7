// Module: the base of every layer. Parameters and child modules are found from the
// instance's own properties (in declaration order, names converted to PyTorch's
// snake_case: runningMean → running_mean), plus anything registered explicitly (buffers,
// numbered children of containers, RNN weights with computed names).
import { aten } from "../core/aten.js";
import { isGradEnabled } from "../core/autograd.js";
import { type GradientTapFn, gradientTap } from "../core/autograd-function.js";
import { call } from "../core/dispatch.js";
import { FlambeauError } from "../core/errors.js";
import { type DType, noGrad, Tensor } from "../core/index.js";
import { stateDictLoaded } from "./load-hooks.js";
import { Parameter } from "./parameter.js";

// set_data swaps a tensor's storage and dtype but keeps its identity (autograd leaf, grad slot).
const SET_DATA = aten("set_data");
const FLOATING: ReadonlySet<DType> = new Set(["float32", "float64", "float16", "bfloat16"]);

/** camelCase property names → PyTorch's snake_case state-dict names. */
export const snakeCase = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Called after a module's forward with its inputs and output (PyTorch's forward hook). */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => void;
/**
 * Called before a module's forward with its inputs (PyTorch's forward pre-hook); an array
 * returned replaces the inputs (any other return value is ignored).
 */
export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown;

/** What a register*Hook call returns. */
export interface HookHandle {
  remove(): void;
}

/**
 * Called in backward with the gradients of a module's inputs (one entry per forward argument,
 * null where it is not a tensor that requires grad) and of its outputs (PyTorch's full backward
 * hook). A returned array (same length) replaces the input gradients.
 */
export type FullBackwardHook = (
  module: Module,
  gradInput: (Tensor | null)[],
  gradOutput: (Tensor | null)[],
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that only looks returns nothing
) => (Tensor | null)[] | null | undefined | void;

// The two gradient taps of one forward call (PyTorch's BackwardHook). Built in their own
// scope: the graph keeps these closures, so they must hold no tensor of that graph.
function backwardHookTaps(module: Module, hooks: Map<number, FullBackwardHook>, inputPos: number[], nargs: number) {
  let gradOutput: (Tensor | null)[] = [];
  const run = (gradInput: (Tensor | null)[]): (Tensor | null)[] => {
    let gi = gradInput;
    for (const h of [...hooks.values()]) {
      const r = h(module, gi, gradOutput);
      if (r == null) continue;
      if (!Array.isArray(r) || r.length !== gi.length || r.some((g) => g != null && !(g instanceof Tensor)))
        throw new FlambeauError(
          "E_ARG",
          `full backward hook: must return nothing or an array of ${gi.length} Tensors or nulls`,
          "registerFullBackwardHook",
        );
      gi = r;
    }
    return gi;
  };
  const onInput: GradientTapFn = (grads) => {
    const all: (Tensor | null)[] = new Array(nargs).fill(null);
    inputPos.forEach((p, k) => {
      all[p] = grads[k] ?? null;
    });
    const r = run(all);
    gradOutput = [];
    return inputPos.map((p) => r[p] ?? null);
  };
  const onOutput: GradientTapFn = (grads) => {
    gradOutput = grads;
    if (inputPos.length === 0) run(new Array(nargs).fill(null));
    return undefined;
  };
  return { onInput, onOutput };
}

// Runs forward between two gradient taps, so that backward hooks see this call's own
// input and output gradients.
function forwardWithBackwardHooks(
  module: Module,
  hooks: Map<number, FullBackwardHook>,
  forward: (...a: unknown[]) => unknown,
  inputs: unknown[],
): unknown {
  const inputPos = inputs.flatMap((a, i) => (a instanceof Tensor && a.requiresGrad ? [i] : []));
  const taps = backwardHookTaps(module, hooks, inputPos, inputs.length);
  const args = inputs.slice();
  if (inputPos.length > 0) {
    const tapped = gradientTap(
      inputPos.map((i) => inputs[i] as Tensor),
      taps.onInput,
    );
    inputPos.forEach((p, k) => {
      args[p] = tapped[k];
    });
  }
  const out = forward.apply(module, args);
  const outs = out instanceof Tensor ? [out] : Array.isArray(out) ? out.slice() : [];
  const outPos = outs.flatMap((o, i) => (o instanceof Tensor && o.requiresGrad ? [i] : []));
  if (outPos.length === 0) return out;
  const tappedOut = gradientTap(
    outPos.map((i) => outs[i] as Tensor),
    taps.onOutput,
  );
  outPos.forEach((p, k) => {
    outs[p] = tappedOut[k];
  });
  return out instanceof Tensor ? outs[0] : outs;
}

export abstract class Module {
  training = true;
  /**
   * Stays in eval mode whatever `train()` says: a normalisation layer whose parameters are
   * frozen for fine-tuning keeps its running statistics (`nn.utils.freeze` sets it).
   */
  keepEval = false;
  readonly #forwardHooks = new Map<number, ForwardHook>();
  readonly #forwardPreHooks = new Map<number, ForwardPreHook>();
  readonly #backwardHooks = new Map<number, FullBackwardHook>();
  #nextHook = 0;
  readonly #params = new Map<string, Parameter | null>();
  readonly #buffers = new Map<string, { t: Tensor | null; persistent: boolean }>();
  readonly #modules = new Map<string, Module>();

  abstract forward(...args: unknown[]): unknown;

  /**
   * Runs `hook(module, inputs, output)` after every call of this module's forward (feature
   * inspection, activation statistics); `remove()` on the handle detaches it. The hook
   * wraps this instance's forward, so it sees every caller, containers included.
   */
  registerForwardHook(hook: ForwardHook): HookHandle {
    return this.#addHook(this.#forwardHooks, hook);
  }

  /**
   * Runs `hook(module, inputs)` before every call of this module's forward; it may return
   * new inputs. Weight normalisation, spectral normalisation and pruning recompute their
   * weight this way.
   */
  registerForwardPreHook(hook: ForwardPreHook): HookHandle {
    return this.#addHook(this.#forwardPreHooks, hook);
  }

  /**
   * Runs `hook(module, gradInput, gradOutput)` in backward, once per forward call, when the
   * gradients with respect to this module's inputs are computed (PyTorch's
   * register_full_backward_hook). Inputs and outputs pass through an identity autograd node,
   * so the gradients are this call's own, even when an input is also used elsewhere.
   */
  registerFullBackwardHook(hook: FullBackwardHook): HookHandle {
    return this.#addHook(this.#backwardHooks, hook);
  }

  #addHook<H>(hooks: Map<number, H>, hook: H): HookHandle {
    if (typeof hook !== "function") throw new FlambeauError("E_ARG", `${this.constructor.name}: a hook must be a function`);
    const pre = this.#forwardPreHooks;
    const post = this.#forwardHooks;
    const back = this.#backwardHooks;
    const none = () => pre.size === 0 && post.size === 0 && back.size === 0;
    if (none()) {
      const forward = this.forward;
      // Non-enumerable, so parameter and child discovery never see it.
      Object.defineProperty(this, "forward", {
        configurable: true,
        writable: true,
        enumerable: false,
        value: (...args: unknown[]) => {
          let inputs = args;
          for (const h of [...pre.values()]) {
            const r = h(this, inputs);
            if (Array.isArray(r)) inputs = r;
          }
          const output =
            back.size > 0 && isGradEnabled() ? forwardWithBackwardHooks(this, back, forward, inputs) : forward.apply(this, inputs);
          for (const h of [...post.values()]) h(this, inputs, output);
          return output;
        },
      });
    }
    const id = this.#nextHook++;
    hooks.set(id, hook);
    return {
      remove: () => {
        if (hooks.delete(id) && none()) delete (this as { forward?: unknown }).forward;
      },
    };
  }

  /** Registers a parameter under an exact state-dict name (for computed names). */
  registerParameter(name: string, p: Parameter | null): void {
    this.#params.set(name, p);
  }
  /** Registers a buffer (kept across tidy scopes); persistent buffers go into the state dict. */
  registerBuffer(name: string, t: Tensor | null, persistent = true): void {
    t?.keep();
    this.#buffers.set(name, { t, persistent });
  }
  /** Replaces a registered buffer's tensor. */
  setBuffer(name: string, t: Tensor): void {
    const b = this.#buffers.get(name);
    if (!b) throw new FlambeauError("E_ARG", `${this.constructor.name}: no buffer named "${name}"`);
    b.t = t.keep();
  }
  getBuffer(name: string): Tensor | null {
    return this.#buffers.get(name)?.t ?? null;
  }
  registerModule(name: string, m: Module): void {
    this.#modules.set(name, m);
  }
  getParameter(name: string): Parameter | null {
    return this.#params.get(name) ?? null;
  }
  /** Removes a registered parameter, buffer or child module (nn.utils re-parametrisations use it); true if there was one. */
  unregister(name: string): boolean {
    return this.#params.delete(name) || this.#buffers.delete(name) || this.#modules.delete(name);
  }

  /** This module's own parameters (not its children's), with state-dict names. */
  protected ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [k, v] of Object.entries(this)) if (v instanceof Parameter) out.push([snakeCase(k), v]);
    for (const [k, v] of this.#params) if (v) out.push([k, v]);
    return out;
  }
  protected ownBuffers(persistentOnly = false): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, b] of this.#buffers) if (b.t && (!persistentOnly || b.persistent)) out.push([k, b.t]);
    return out;
  }
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of Object.entries(this)) if (v instanceof Module) out.push([snakeCase(k), v]);
    for (const [k, v] of this.#modules) out.push([k, v]);
    return out;
  }
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [k, m] of this.namedChildren()) out.push(...m.namedModules(prefix ? `${prefix}.${k}` : k));
    return out;
  }
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }
  namedParameters(prefix = "", recurse = true): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [p, m] of mods)
      for (const [k, v] of m.ownParameters()) {
        if (seen.has(v)) continue; // shared (tied) parameters are listed once, as in PyTorch
        seen.add(v);
        out.push([p ? `${p}.${k}` : k, v]);
      }
    return out;
  }
  parameters(recurse = true): Parameter[] {
    return this.namedParameters("", recurse).map(([, p]) => p);
  }
  namedBuffers(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules(prefix)) for (const [k, v] of m.ownBuffers()) out.push([p ? `${p}.${k}` : k, v]);
    return out;
  }
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  train(mode = true): this {
    this.training = mode && !this.keepEval;
    for (const c of this.children()) c.train(mode);
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (setToNone) p.grad = null;
      else {
        const g = p.grad;
        if (g) {
          g.zero_();
          g.dispose();
        }
      }
    }
  }
  /** Total number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((a, p) => a + p.numel, 0);
  }

  /**
   * Converts parameters (and their gradients) and floating buffers to `dtype` in place, as
   * PyTorch's `.to()` does through `param.data = …`: the Parameter and buffer objects stay
   * the same, so optimizers and references made before the call keep working.
   */
  to(dtype: DType): this {
    noGrad(() => {
      for (const p of this.parameters()) {
        if (p.dtype === dtype) continue;
        const g = p.grad;
        const data = p.detach().to(dtype);
        call(SET_DATA, p, data);
        data.dispose();
        if (g) {
          p.grad = g.to(dtype);
          g.dispose();
        }
      }
      for (const b of this.buffers()) {
        if (b.dtype === dtype || !FLOATING.has(b.dtype)) continue;
        const data = b.to(dtype);
        call(SET_DATA, b, data);
        data.dispose();
      }
    });
    return this;
  }
  /** Turns gradient tracking of every parameter on or off (freezing layers for transfer learning). */
  requiresGrad_(on = true): this {
    for (const p of this.parameters()) p.requiresGrad_(on);
    return this;
  }

  /** Parameters and persistent buffers by PyTorch's dotted names (detached views). */
  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [p, m] of this.namedModules()) {
      for (const [k, v] of m.ownParameters()) out.set(p ? `${p}.${k}` : k, v.detach());
      for (const [k, v] of m.ownBuffers(true)) out.set(p ? `${p}.${k}` : k, v.detach());
    }
    return out;
  }

  /** Copies values into this module's tensors; strict mode rejects missing, unexpected and mis-shaped keys. */
  loadStateDict(sd: Map<string, Tensor> | Record<string, Tensor>, o: { strict?: boolean } = {}): LoadResult {
    const strict = o.strict ?? true;
    const given = sd instanceof Map ? sd : new Map(Object.entries(sd));
    for (const [k, v] of given)
      if (!(v instanceof Tensor))
        throw new FlambeauError("E_ARG", `loadStateDict: value of "${k}" is not a Tensor (got ${typeof v})`, "loadStateDict");
    for (const [p, m] of this.namedModules()) m.materializeFrom(given, p ? `${p}.` : "");
    const own = this.stateDict();
    const missing: string[] = [];
    const mismatched: string[] = [];
    for (const [k, t] of own) {
      const src = given.get(k);
      if (!src) missing.push(k);
      else if (src.shape.join() !== t.shape.join())
        mismatched.push(`${k}: checkpoint [${src.shape.join(", ")}] vs model [${t.shape.join(", ")}]`);
    }
    const unexpected = [...given.keys()].filter((k) => !own.has(k));
    if (mismatched.length || (strict && (missing.length || unexpected.length))) {
      const parts = [
        missing.length ? `missing keys: ${missing.join(", ")}` : "",
        unexpected.length ? `unexpected keys: ${unexpected.join(", ")}` : "",
        mismatched.length ? `shape mismatches: ${mismatched.join("; ")}` : "",
      ].filter(Boolean);
      throw new FlambeauError("E_STATE", `loadStateDict(${this.constructor.name}): ${parts.join("; ")}`, "loadStateDict");
    }
    noGrad(() => {
      for (const [k, t] of own) {
        const src = given.get(k);
        if (src) t.copy_(src);
      }
    });
    for (const t of own.values()) t.dispose();
    stateDictLoaded(sd, this);
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }

  /** Lazy modules shape their parameters from the state dict about to be loaded (keys under `prefix`). */
  protected materializeFrom(_sd: ReadonlyMap<string, Tensor>, _prefix: string): void {}

  /** The options shown inside the parentheses when printed. */
  /** Frees every parameter and buffer now (a loaded predictor's model when it is let go). */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
    for (const b of this.buffers()) b.dispose();
  }

  extraRepr(): string {
    return "";
  }
  toString(): string {
    const children = this.namedChildren();
    const extra = this.extraRepr();
    if (children.length === 0) return `${this.constructor.name}(${extra})`;
    const lines = extra ? extra.split("\n") : [];
    for (const [k, m] of children) lines.push(`(${k}): ${m.toString().replace(/\n/g, "\n  ")}`);
    return `${this.constructor.name}(\n  ${lines.join("\n  ")}\n)`;
  }
}

/** A number as Python's repr prints a float (1e-05, 0.1, 1.0): printed modules match PyTorch's. */
export function pyFloat(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [m, e] = n.toExponential().split("e");
    const exp = Number(e);
    return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return Number.isInteger(n) ? `${n}.0` : String(n);
}
export const pyBool = (b: boolean): string => (b ? "True" : "False");
