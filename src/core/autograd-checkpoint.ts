// Activation checkpointing (PyTorch's torch.utils.checkpoint, re-entrant form), built on the
// custom Function: forward runs fn without keeping its activations; backward runs fn again
// with the RNG state of the forward restored (so dropout draws the same mask) and
// back-propagates through the recomputed graph.
import { backward, enableGrad, isGradEnabled } from "./autograd.js";
import { AutogradFunction, type FunctionCtx } from "./autograd-function.js";
import { FlambeauError } from "./errors.js";
import { getRngState, setRngState } from "./runtime.js";
import type { Tensor } from "./tensor.js";
import { isTensor } from "./tensor-class.js";
import { checkFunction, show } from "./validate.js";

type Fn = (...args: unknown[]) => Tensor | Tensor[];

class CheckpointFunction extends AutogradFunction {
  static override forward(ctx: FunctionCtx, fn: Fn, ...args: unknown[]): Tensor | Tensor[] {
    ctx.fn = fn;
    ctx.rng = getRngState();
    ctx.args = args.map((a) => (isTensor(a) ? null : a));
    ctx.saveForBackward(...args.map((a) => (isTensor(a) ? a : null)));
    return fn(...args);
  }

  static override backward(ctx: FunctionCtx, ...grads: (Tensor | null)[]): (Tensor | null)[] {
    const fn = ctx.fn as Fn;
    const saved = ctx.savedTensors;
    const args = (ctx.args as unknown[]).map((a, i) => {
      const t = saved[i];
      return t == null ? a : t.detach().requiresGrad_(t.requiresGrad);
    });
    const now = getRngState();
    let out: Tensor | Tensor[];
    setRngState(ctx.rng as Tensor);
    try {
      out = enableGrad(() => fn(...args));
    } finally {
      setRngState(now);
    }
    const outs = isTensor(out) ? [out] : out;
    const live = outs.map((o, i) => [o, grads[i]] as const).filter(([o, g]) => o.requiresGrad && g != null);
    if (live.length === 0) throw new FlambeauError("E_STATE", "checkpoint: none of the recomputed outputs requires grad", "checkpoint");
    // Accumulates into the leaves fn closes over (parameters) and into the detached inputs.
    backward(
      live.map(([o]) => o),
      live.map(([, g]) => g as Tensor),
      { createGraph: isGradEnabled() },
    );
    return [null, ...args.map((a) => (isTensor(a) && a.requiresGrad ? a.grad : null))];
  }
}

/**
 * Runs `fn(...args)` without keeping its intermediate activations, and recomputes them in
 * backward (with the forward's RNG state, so dropout agrees): memory for compute. Gradients
 * equal those of calling fn directly, for the tensor arguments and for the parameters fn uses.
 * As in PyTorch's re-entrant checkpoint, at least one tensor argument must require grad (or no
 * gradient reaches the parameters fn uses), fn must be deterministic apart from the CPU RNG,
 * and the result supports backward(), not grad() with respect to parameters inside fn.
 */
export function checkpoint<A extends unknown[], R extends Tensor | Tensor[]>(fn: (...args: A) => R, ...args: A): R {
  checkFunction("checkpoint", fn);
  args.forEach((a, i) => {
    if (isTensor(a) && a.disposed) throw new FlambeauError("E_DISPOSED", `checkpoint: argument ${i} was disposed`, "checkpoint");
  });
  const out = CheckpointFunction.apply(fn as unknown as Fn, ...args);
  if (!isTensor(out) && !Array.isArray(out))
    throw new FlambeauError("E_ARG", `checkpoint: fn must return a Tensor or an array of Tensors, got ${show(out)}`, "checkpoint");
  return out as R;
}
