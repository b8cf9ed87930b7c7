// Activation checkpointing (PyTorch's torch.utils.checkpoint, re-entrant form), built on the
// custom Function: forward runs fn without keeping its activations; backward runs fn again
// with the RNG state of the forward restored (so dropout draws the same mask) and
// back-propagates through the recomputed graph.
import { backward, enableGrad, isGradEnabled } from "./autograd.js";
import { AutogradFunction, type FunctionCtx } from "./autograd-function.js";
import { FlambeauError } from "./errors.js";
import { zeros } from "./ops/creation.js";
import { getRngState, setRngState } from "./runtime.js";
import type { Tensor } from "./tensor.js";
import { isTensor } from "./tensor-class.js";
import { checkFunction, show } from "./validate.js";

type Fn = (...args: unknown[]) => Tensor | Tensor[];

class CheckpointFunction extends AutogradFunction {
  // `anchored`: the last argument is an empty leaf that only keeps the node in the graph.
  static override forward(ctx: FunctionCtx, fn: Fn, anchored: boolean, ...args: unknown[]): Tensor | Tensor[] {
    ctx.fn = fn;
    ctx.anchored = anchored;
    ctx.args = args.map((a) => (isTensor(a) ? null : a));
    // The RNG state is saved with the inputs (the graph node owns it), not as a ctx property:
    // a caller may dispose the forward's tensors before backward (the Trainer does).
    ctx.saveForBackward(getRngState(), ...args.map((a) => (isTensor(a) ? a : null)));
    return fn(...(anchored ? args.slice(0, -1) : args));
  }

  static override backward(ctx: FunctionCtx, ...grads: (Tensor | null)[]): (Tensor | null)[] {
    const fn = ctx.fn as Fn;
    const [rng, ...saved] = ctx.savedTensors;
    const all = (ctx.args as unknown[]).map((a, i) => {
      const t = saved[i];
      return t == null ? a : t.detach().requiresGrad_(t.requiresGrad);
    });
    const args = ctx.anchored ? all.slice(0, -1) : all;
    const now = getRngState();
    let out: Tensor | Tensor[];
    setRngState(rng!);
    try {
      out = enableGrad(() => fn(...args));
    } finally {
      setRngState(now);
    }
    const outs = isTensor(out) ? [out] : out;
    const live = outs.map((o, i) => [o, grads[i]] as const).filter(([o, g]) => o.requiresGrad && g != null);
    if (live.length === 0) return [null, null, ...all.map(() => null)];
    // Accumulates into the leaves fn closes over (parameters) and into the detached inputs.
    backward(
      live.map(([o]) => o),
      live.map(([, g]) => g as Tensor),
      { createGraph: isGradEnabled() },
    );
    return [null, null, ...all.map((a, i) => (isTensor(a) && a.requiresGrad && i < args.length ? a.grad : null))];
  }
}

/**
 * Runs `fn(...args)` without keeping its intermediate activations, and recomputes them in
 * backward (with the forward's RNG state, so dropout agrees): memory for compute. Gradients
 * equal those of calling fn directly, for the tensor arguments and for the parameters fn uses.
 * Unlike PyTorch's re-entrant checkpoint, parameters get their gradients even when no tensor
 * argument requires grad (checkpoint(layer, data) works). fn must be deterministic apart from
 * the CPU RNG, and the result supports backward(), not grad() with respect to parameters
 * inside fn (the recomputed graph accumulates into .grad, as in PyTorch).
 */
export function checkpoint<A extends unknown[], R extends Tensor | Tensor[]>(fn: (...args: A) => R, ...args: A): R {
  checkFunction("checkpoint", fn);
  args.forEach((a, i) => {
    if (isTensor(a) && a.disposed) throw new FlambeauError("E_DISPOSED", `checkpoint: argument ${i} was disposed`, "checkpoint");
  });
  // With no tensor argument that requires grad the node would not be recorded and the
  // parameters fn uses would get no gradient (PyTorch's re-entrant checkpoint warns and drops
  // them): an empty leaf that requires grad keeps the node in the graph.
  const needsAnchor = isGradEnabled() && !args.some((a) => isTensor(a) && a.requiresGrad);
  const call = needsAnchor ? [...args, zeros([0]).requiresGrad_(true)] : args;
  const out = CheckpointFunction.apply(fn as unknown as Fn, needsAnchor, ...call);
  if (!isTensor(out) && !Array.isArray(out))
    throw new FlambeauError("E_ARG", `checkpoint: fn must return a Tensor or an array of Tensors, got ${show(out)}`, "checkpoint");
  return out as R;
}
