// How much of a model is zero: per layer (each pruned or prunable weight) and over every
// parameter, as torch users print `100 * (w == 0).sum() / w.numel()` per layer.
import { noGrad, type Tensor, tidy } from "../../core/index.js";
import type { Module } from "../../nn/index.js";
import { isPrunable } from "./layers.js";
import { foldMasks } from "./masks.js";

export interface LayerSparsity {
  /** "features.0.weight". */
  name: string;
  total: number;
  zeros: number;
  /** zeros / total. */
  sparsity: number;
}

export interface SparsityReport {
  layers: LayerSparsity[];
  /** Every parameter of the model (pruned ones as orig ⊙ mask). */
  parameters: number;
  nonzero: number;
  sparsity: number;
}

const zerosOf = (t: Tensor): number => noGrad(() => tidy(() => t.numel - Number(t.countNonzero().item())));

/** Zeros of every weight of `layers` (dotted names of weights; default: those of Linear / convolution layers) and overall. */
export function sparsity(model: Module, layers?: readonly string[]): SparsityReport {
  const sd = foldMasks(model.stateDict());
  const params = new Set(model.namedParameters().map(([k]) => k.replace(/_orig$/, "")));
  const prunable = new Set(
    layers ??
      model
        .namedModules()
        .filter(([, m]) => isPrunable(m))
        .map(([n]) => (n ? `${n}.weight` : "weight")),
  );
  const out: LayerSparsity[] = [];
  let total = 0;
  let zeros = 0;
  for (const [k, t] of sd) {
    if (!params.has(k)) continue;
    const z = zerosOf(t);
    total += t.numel;
    zeros += z;
    if (prunable.has(k)) out.push({ name: k, total: t.numel, zeros: z, sparsity: t.numel ? z / t.numel : 0 });
  }
  for (const t of sd.values()) t.dispose();
  return { layers: out, parameters: total, nonzero: total - zeros, sparsity: total ? zeros / total : 0 };
}

/** One line per layer: "features.0.weight  50.0 % of 800". */
export const formatSparsity = (r: SparsityReport): string =>
  [
    ...r.layers.map((l) => `${l.name.padEnd(28)} ${(100 * l.sparsity).toFixed(1).padStart(5)} % of ${l.total}`),
    `${"all parameters".padEnd(28)} ${(100 * r.sparsity).toFixed(1).padStart(5)} % of ${r.parameters}`,
  ].join("\n");
