// Magnitude pruning of a model: global unstructured (the smallest |w| across every chosen
// weight, PyTorch's global_unstructured with L1), per-layer unstructured (the same fraction of
// each layer's weights, l1_unstructured on each) or structured (the output channels with the
// smallest L1 norm in each layer, ln_structured with dim 0), applied as masks through
// nn.utils.prune so training keeps pruned entries at zero; and the iterative schedule that
// prunes in steps with fine-tuning between them.
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import type { Module } from "../../nn/index.js";
import { globalUnstructured, l1Unstructured, lnStructured } from "../../nn/utils/prune.js";
import { type PrunableWeight, prunableWeights } from "./layers.js";

export interface PruneOptions {
  /** The fraction of weights (unstructured) or of each layer's output channels (structured) to prune, in [0, 1). */
  amount: number;
  /** Prune whole output channels by their L1 norm instead of single weights. */
  structured?: boolean;
  /** Unstructured: the same fraction of every layer's weights, instead of one threshold across all layers. */
  perLayer?: boolean;
  /** The layers to prune by dotted name (default: every Linear and convolution; structured leaves out the last). */
  layers?: readonly string[];
}

export interface IterativePruneOptions extends PruneOptions {
  /** Prune in this many steps (each a fraction of what remains), reaching `amount` at the last. */
  steps?: number;
  /** Trains the masked model after each step (its pruned entries stay zero). */
  fineTune?: (model: Module, step: number) => Promise<void>;
}

/** Checks a pruning fraction: 100 % (or more) and negative amounts are errors naming the value. */
export function checkAmount(op: string, amount: number, what = "amount"): void {
  if (typeof amount !== "number" || Number.isNaN(amount))
    throw new FlambeauError("E_ARG", `${op}: ${what} must be a number, got ${String(amount)}`, op);
  if (amount < 0) throw new FlambeauError("E_ARG", `${op}: ${what} must be ≥ 0, got ${amount}`, op);
  if (amount >= 1)
    throw new FlambeauError(
      "E_ARG",
      `${op}: ${what} must be below 1 (a fraction), got ${amount}: pruning ${Math.round(amount * 100)} % leaves no weight`,
      op,
    );
}

/** One round of pruning; returns the weights it pruned. */
export function pruneModel(model: Module, o: PruneOptions): PrunableWeight[] {
  const op = "pruneModel";
  checkAmount(op, o.amount);
  const targets = prunableWeights(op, model, o);
  if (o.structured) {
    for (const t of targets) {
      const w = t.module.getParameter(`${t.name}_orig`) ?? (t.module as unknown as Record<string, Tensor>)[t.name]!;
      // Rounding must leave at least one channel in each layer.
      if (Math.round(o.amount * w.shape[0]!) >= w.shape[0]!)
        throw new FlambeauError(
          "E_ARG",
          `${op}: amount ${o.amount} would prune all ${w.shape[0]} output channels of layer "${t.layer}"`,
          op,
        );
      lnStructured(t.module, t.name, o.amount, 1, 0);
    }
  } else if (o.perLayer) for (const t of targets) l1Unstructured(t.module, t.name, o.amount);
  else
    globalUnstructured(
      targets.map((t) => [t.module, t.name] as const),
      "l1Unstructured",
      o.amount,
    );
  return targets;
}

/** The fraction pruned at each of `steps` equal steps (of what remains) to reach `amount` in all. */
export const stepAmount = (amount: number, steps: number): number => 1 - (1 - amount) ** (1 / steps);

/**
 * Prunes in `steps` rounds, each removing the same fraction of what is left, calling
 * `fineTune` after each: amount 0.9 in 3 steps prunes 53.6 % of the remaining weights three times.
 * The model keeps its masks (prune.remove via removePruning makes them permanent).
 */
export async function iterativePrune(model: Module, o: IterativePruneOptions): Promise<void> {
  const op = "iterativePrune";
  checkAmount(op, o.amount);
  const steps = o.steps ?? 1;
  if (!Number.isInteger(steps) || steps < 1) throw new FlambeauError("E_ARG", `${op}: steps must be a positive integer, got ${steps}`, op);
  const each = stepAmount(o.amount, steps);
  for (let s = 1; s <= steps; s++) {
    pruneModel(model, { ...o, amount: each });
    await o.fineTune?.(model, s);
  }
}
