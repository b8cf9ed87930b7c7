// Custom autograd Functions written in TypeScript (PyTorch's torch.autograd.Function): a
// subclass defines static forward(ctx, ...args) and backward(ctx, ...grads), and is called
// with `MyFn.apply(...args)`. The forward runs under noGrad; the outputs get a graph node
// (native/autograd.cc) whose backward calls the subclass's backward synchronously on the JS
// thread. A differentiable backward gives double backward (createGraph) for free.
import { callbackError, noGrad } from "./autograd.js";
import { nativeAutograd } from "./autograd-native.js";
import { FlambeauError } from "./errors.js";
import type { Handle } from "./native.js";
import type { Tensor } from "./tensor.js";
import { isTensor, wrapHandle } from "./tensor-class.js";
import { show } from "./validate.js";

type Phase = "forward" | "backward" | "done";

/**
 * The `ctx` of a custom Function. In forward: `saveForBackward`, `markNonDifferentiable`,
 * `setMaterializeGrads`; in backward: `savedTensors`. `needsInputGrad` tells, per forward
 * argument, whether it was a tensor that requires grad. Other data (shapes, numbers) may be
 * stored as ctx properties; store tensors through `saveForBackward` only (a tensor kept as a
 * property keeps the graph alive, and an output kept so makes a cycle that is never freed).
 */
export class FunctionCtx {
  [key: string]: unknown;
  /** Per forward argument: a tensor that requires grad (PyTorch's needs_input_grad). */
  readonly needsInputGrad: readonly boolean[];
  #phase: Phase = "forward";
  #toSave: (Tensor | null)[] = [];
  #saved: (Tensor | null)[] | null = null;
  #nonDiff: Tensor[] = [];
  #materialize = true;
  readonly #fn: string;

  /** @internal Made by `Function.apply`. */
  constructor(fn: string, needsInputGrad: boolean[]) {
    this.#fn = fn;
    this.needsInputGrad = Object.freeze(needsInputGrad);
  }

  #inForward(what: string): void {
    if (this.#phase !== "forward")
      throw new FlambeauError("E_STATE", `${this.#fn}: ctx.${what} may be called in forward only`, `${this.#fn}.${what}`);
  }

  /** Keeps tensors (inputs, outputs or intermediates) for backward; call once, in forward. */
  saveForBackward(...tensors: (Tensor | null | undefined)[]): void {
    this.#inForward("saveForBackward");
    tensors.forEach((t, i) => {
      if (t != null && (!isTensor(t) || t.disposed))
        throw new FlambeauError(
          "E_ARG",
          `${this.#fn}: saveForBackward argument ${i} must be a Tensor or null, got ${show(t)}`,
          "saveForBackward",
        );
    });
    this.#toSave = tensors.map((t) => t ?? null);
  }

  /** The tensors given to saveForBackward, in backward (an error if modified in place since). */
  get savedTensors(): (Tensor | null)[] {
    if (this.#saved === null)
      throw new FlambeauError("E_STATE", `${this.#fn}: ctx.savedTensors is available in backward only`, "savedTensors");
    return this.#saved;
  }

  /** Marks outputs that have no gradient (indices, masks); their grads arrive as zeros. */
  markNonDifferentiable(...outputs: Tensor[]): void {
    this.#inForward("markNonDifferentiable");
    outputs.forEach((t, i) => {
      if (!isTensor(t))
        throw new FlambeauError(
          "E_ARG",
          `${this.#fn}: markNonDifferentiable argument ${i} must be a Tensor, got ${show(t)}`,
          "markNonDifferentiable",
        );
    });
    this.#nonDiff.push(...outputs);
  }

  /** Whether missing output gradients reach backward as zeros (default true) or as null. */
  setMaterializeGrads(on: boolean): void {
    this.#inForward("setMaterializeGrads");
    if (typeof on !== "boolean")
      throw new FlambeauError("E_ARG", `${this.#fn}: setMaterializeGrads expects a boolean, got ${show(on)}`, "setMaterializeGrads");
    this.#materialize = on;
  }

  /** @internal Ends forward: what native needs, and drops the references to tensors. */
  static finishForward(ctx: FunctionCtx, outputs: Tensor[]): { saved: (Handle | null)[]; nonDiff: number[]; materialize: boolean } {
    const saved = ctx.#toSave.map((t) => (t === null ? null : t.handle));
    const nonDiff: number[] = [];
    for (const t of ctx.#nonDiff) {
      const k = outputs.indexOf(t);
      if (k < 0)
        throw new FlambeauError(
          "E_ARG",
          `${ctx.#fn}: markNonDifferentiable was given a tensor that forward did not return`,
          "markNonDifferentiable",
        );
      nonDiff.push(k);
    }
    ctx.#toSave = [];
    ctx.#nonDiff = [];
    ctx.#phase = "done";
    return { saved, nonDiff, materialize: ctx.#materialize };
  }

  /** @internal Runs `body` with the saved tensors visible. */
  static withSaved<T>(ctx: FunctionCtx, saved: (Tensor | null)[], body: () => T): T {
    ctx.#saved = saved;
    ctx.#phase = "backward";
    try {
      return body();
    } finally {
      ctx.#saved = null;
      ctx.#phase = "done";
    }
  }
}

/** What a custom Function's backward may return: one gradient per forward argument (null for none). */
export type BackwardResult = Tensor | null | undefined | (Tensor | null | undefined)[];

/** The static side of a custom Function class. */
export interface FunctionClass {
  readonly name: string;
  forward(ctx: FunctionCtx, ...args: never[]): Tensor | Tensor[];
  backward(ctx: FunctionCtx, ...grads: Tensor[]): BackwardResult;
}

type ForwardArgs<F> = F extends { forward(ctx: FunctionCtx, ...args: infer A): unknown } ? A : never;
type ForwardResult<F> = F extends { forward(ctx: FunctionCtx, ...args: never[]): infer R } ? R : never;

/**
 * Base class of custom autograd Functions, as in PyTorch:
 *
 * ```ts
 * class MyExp extends fl.autograd.Function {
 *   static override forward(ctx: fl.autograd.FunctionCtx, x: fl.Tensor) {
 *     const y = x.exp();
 *     ctx.saveForBackward(y);
 *     return y;
 *   }
 *   static override backward(ctx: fl.autograd.FunctionCtx, g: fl.Tensor) {
 *     const [y] = ctx.savedTensors;
 *     return g.mul(y!);
 *   }
 * }
 * const y = MyExp.apply(x);
 * ```
 *
 * forward gets the arguments of apply (tensors and any other values) and returns a Tensor or
 * an array of Tensors; backward gets one gradient per output and returns one gradient per
 * forward argument (null for non-tensors and for inputs without gradient; a single Tensor when
 * forward has one argument). Not supported: markDirty (in-place forward), forward-mode AD (jvp),
 * vmap. The backward runs synchronously inside backward()/grad(); an exception it throws
 * becomes a FlambeauError of that call, with the original as `cause`.
 */
// biome-ignore lint/complexity/noStaticOnlyClass: PyTorch's shape: subclasses define static forward/backward, called as MyFn.apply(...)
export class AutogradFunction {
  static forward(_ctx: FunctionCtx, ..._args: never[]): Tensor | Tensor[] {
    throw new FlambeauError("E_STATE", "autograd.Function: a subclass must define static forward(ctx, ...args)", "autograd.Function");
  }
  static backward(_ctx: FunctionCtx, ..._grads: Tensor[]): BackwardResult {
    throw new FlambeauError("E_STATE", "autograd.Function: this Function's backward is not implemented", "autograd.Function");
  }

  /** Runs forward and records one node in the autograd graph whose backward is this class's. */
  static apply<F extends FunctionClass>(this: F, ...args: ForwardArgs<F>): ForwardResult<F> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being applied
    return applyFunction(this, args as unknown[]) as ForwardResult<F>;
  }
}

function applyFunction(cls: FunctionClass, args: unknown[]): Tensor | Tensor[] {
  const fname = cls.name || "CustomFunction";
  if (cls === (AutogradFunction as unknown) || cls.forward === AutogradFunction.forward)
    throw new FlambeauError(
      "E_STATE",
      `${fname}.apply: subclass autograd.Function and define static forward and backward`,
      `${fname}.apply`,
    );
  const tensorPos: number[] = [];
  args.forEach((a, i) => {
    if (isTensor(a)) {
      if (a.disposed) throw new FlambeauError("E_DISPOSED", `${fname}.apply: argument ${i} was disposed`, `${fname}.apply`);
      tensorPos.push(i);
    }
  });
  const ctx = new FunctionCtx(
    fname,
    args.map((a) => isTensor(a) && a.requiresGrad),
  );
  const out = noGrad(() => (cls.forward as (ctx: FunctionCtx, ...a: unknown[]) => unknown)(ctx, ...args));
  const single = isTensor(out);
  const outs = single ? [out] : out;
  if (!Array.isArray(outs) || outs.length === 0 || !outs.every((t) => isTensor(t) && !t.disposed))
    throw new FlambeauError(
      "E_ARG",
      `${fname}.forward must return a Tensor or a non-empty array of Tensors, got ${show(out)}`,
      `${fname}.forward`,
    );
  const { saved, nonDiff, materialize } = FunctionCtx.finishForward(ctx, outs as Tensor[]);
  const backward = makeBackward(cls, fname, ctx, args.length, tensorPos);
  let wrapped: Handle[];
  try {
    wrapped = nativeAutograd.fnWrap(
      `${fname}Backward`,
      tensorPos.map((i) => (args[i] as Tensor).handle),
      (outs as Tensor[]).map((t) => t.handle),
      saved,
      nonDiff,
      materialize,
      backward,
    );
  } catch (e) {
    throw new FlambeauError("E_NATIVE", e instanceof Error ? e.message : String(e), `${fname}.apply`);
  }
  const res = wrapped.map(wrapHandle);
  return single ? res[0]! : res;
}

// Built in its own scope so that the closure the graph keeps holds no output tensor (which
// would make a cycle through the node that neither GC nor refcounting frees).
function makeBackward(
  cls: FunctionClass,
  fname: string,
  ctx: FunctionCtx,
  nargs: number,
  tensorPos: number[],
): (grads: (Handle | null)[], saved: (Handle | null)[]) => (Handle | null)[] {
  const where = `${fname}.backward`;
  return (gradHandles, savedHandles) => {
    const grads = gradHandles.map((h) => (h === null ? null : wrapHandle(h)));
    const saved = savedHandles.map((h) => (h === null ? null : wrapHandle(h)));
    let r: unknown;
    try {
      r = FunctionCtx.withSaved(ctx, saved, () => (cls.backward as (ctx: FunctionCtx, ...g: unknown[]) => unknown)(ctx, ...grads));
    } catch (e) {
      throw callbackError(where, e);
    }
    if (r instanceof Promise) throw new FlambeauError("E_ARG", `${where} must be synchronous (it returned a Promise)`, where);
    let list: unknown[];
    if (Array.isArray(r)) list = r;
    else if (nargs === 1 || r == null) list = [r];
    else
      throw new FlambeauError(
        "E_ARG",
        `${where} must return an array of ${nargs} gradients (one per forward argument), got ${show(r)}`,
        where,
      );
    // Extra trailing nulls are allowed, as in PyTorch.
    if (list.length < nargs || list.slice(nargs).some((g) => g != null))
      throw new FlambeauError("E_ARG", `${where} returned ${list.length} gradients, expected ${nargs} (one per forward argument)`, where);
    list.forEach((g, i) => {
      if (g == null) return;
      if (!isTensor(g)) throw new FlambeauError("E_ARG", `${where}: gradient ${i} must be a Tensor or null, got ${show(g)}`, where);
      if (!tensorPos.includes(i))
        throw new FlambeauError("E_ARG", `${where}: gradient ${i} is a Tensor but forward argument ${i} is not a tensor`, where);
    });
    return tensorPos.map((i) => (list[i] == null ? null : (list[i] as Tensor).handle));
  };
}

/** What a gradient tap hands its gradients to; a returned array replaces them. */
export type GradientTapFn = (grads: (Tensor | null)[]) => (Tensor | null)[] | undefined;

// Identity on tensors whose backward hands their gradients to a callback (PyTorch's
// BackwardHookFunction, used by module full backward hooks).
class GradientTap extends AutogradFunction {
  static override forward(ctx: FunctionCtx, onGrad: GradientTapFn, ...ts: Tensor[]): Tensor[] {
    ctx.onGrad = onGrad;
    return ts;
  }
  static override backward(ctx: FunctionCtx, ...grads: Tensor[]): (Tensor | null)[] {
    const r = (ctx.onGrad as GradientTapFn)(grads);
    return [null, ...(r ?? grads)];
  }
}

/**
 * @internal Passes `tensors` through an identity node whose backward calls `onGrad` with their
 * gradients (which it may replace). The callback is kept by the graph: it must not hold
 * tensors of that graph, or the graph is never freed.
 */
export function gradientTap(tensors: Tensor[], onGrad: GradientTapFn): Tensor[] {
  return GradientTap.apply(onGrad, ...tensors);
}
