// Parameter groups chosen by name, for discriminative (per-layer-group) learning rates:
// fine-tuning moves a pre-trained backbone less than a new head (ULMFiT, Howard & Ruder 2018:
// each layer group below the top at lr / 2.6). PyTorch users build the same groups by hand
// from `model.backbone.parameters()`; names and patterns also work from the command line.

import { FlambeauError } from "../core/errors.js";
import type { Module } from "../nn/module.js";
import { matchParameters, type NamePatterns } from "../nn/utils/freeze.js";
import type { OptimizerOptions, ParamGroupInit } from "./optimizer.js";

/** A group by name: the patterns of its parameters and its own options (`lr`, `weightDecay` …). */
export type NamedGroup<O extends OptimizerOptions = OptimizerOptions> = Partial<O> & { params: NamePatterns };

/**
 * Parameter groups for an optimizer from name patterns: each parameter joins the first group
 * whose patterns match it; parameters no group matches form a last group with the optimizer's
 * defaults. A pattern that matches nothing is an error naming it.
 */
export function paramGroupsByName<O extends OptimizerOptions = OptimizerOptions>(
  module: Module,
  groups: readonly NamedGroup<O>[],
): ParamGroupInit<O>[] {
  if (!Array.isArray(groups) || groups.length === 0)
    throw new FlambeauError("E_ARG", "paramGroupsByName: give at least one group { params: patterns, …options }", "paramGroupsByName");
  const taken = new Set<string>();
  const out: ParamGroupInit<O>[] = [];
  for (const g of groups) {
    const { params, ...options } = g;
    const hits = matchParameters(module, params, "paramGroupsByName").filter(([n]) => !taken.has(n));
    for (const [n] of hits) taken.add(n);
    if (hits.length > 0) out.push({ ...(options as Partial<O>), params: hits.map(([, p]) => p) });
  }
  const rest = module.namedParameters().filter(([n]) => !taken.has(n));
  if (rest.length > 0) out.push({ params: rest.map(([, p]) => p) } as unknown as ParamGroupInit<O>);
  return out;
}

/**
 * ULMFiT's discriminative rates: `layers` from the bottom (input side) to the top; the top
 * group gets `lr`, each group below it `lr / decay` of the one above (decay 2.6 in the paper).
 * Parameters in no group (a new head) get `lr`.
 */
export function discriminativeLr<O extends OptimizerOptions = OptimizerOptions>(
  module: Module,
  layers: readonly NamePatterns[],
  o: { lr: number; decay?: number },
): ParamGroupInit<O>[] {
  const decay = o.decay ?? 2.6;
  if (!(o.lr > 0) || !(decay >= 1))
    throw new FlambeauError("E_ARG", `discriminativeLr: lr must be > 0 and decay ≥ 1, got lr ${o.lr}, decay ${decay}`, "discriminativeLr");
  const groups = layers.map((params, i) => ({ params, lr: o.lr / decay ** (layers.length - i) }) as NamedGroup<O>);
  return paramGroupsByName<O>(module, groups).map((g, i) => (i < layers.length ? g : { ...g, lr: o.lr }));
}
