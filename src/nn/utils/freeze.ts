// Freezing for transfer learning (Yosinski et al. 2014; ULMFiT's recipe, Howard & Ruder 2018):
// parameters chosen by name pattern stop receiving gradients (optimizers skip a parameter
// without a gradient, so they can stay in the optimizer and be unfrozen later), and a
// normalisation layer whose parameters are all frozen keeps its running statistics: on a
// small target set, re-estimating a frozen backbone's BatchNorm statistics undoes much of
// what pre-training learnt (fast.ai's default; torchvision's FrozenBatchNorm2d does the same).

import { FlambeauError } from "../../core/errors.js";
import type { Module } from "../module.js";
import type { Parameter } from "../parameter.js";

/** Name patterns as PyTorch users write them (fnmatch): `*` any run of characters, dots included; `?` one character. */
export type NamePatterns = string | readonly string[];

const globOf = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );

const listOf = (patterns: NamePatterns): string[] => (typeof patterns === "string" ? [patterns] : [...patterns]);

/** A few parameter names, to show in an error. */
function sampleNames(names: readonly string[]): string {
  const tops = [...new Set(names.map((n) => n.split(".")[0]!))];
  return tops.length > 12 ? `${tops.slice(0, 12).join(", ")}, …` : tops.join(", ");
}

/**
 * The named parameters whose names match any of `patterns`. A pattern that matches no
 * parameter is an error naming it and the model's top-level names (a typo would otherwise
 * silently train everything).
 */
export function matchParameters(module: Module, patterns: NamePatterns, op = "matchParameters"): [string, Parameter][] {
  const list = listOf(patterns);
  if (list.length === 0) throw new FlambeauError("E_ARG", `${op}: give at least one name pattern`, op);
  const named = module.namedParameters();
  const picked = new Set<string>();
  for (const pattern of list) {
    if (typeof pattern !== "string" || pattern === "")
      throw new FlambeauError("E_ARG", `${op}: patterns must be non-empty strings, got ${JSON.stringify(pattern)}`, op);
    const re = globOf(pattern);
    const hits = named.filter(([n]) => re.test(n));
    if (hits.length === 0)
      throw new FlambeauError(
        "E_ARG",
        `${op}: pattern "${pattern}" matches no parameter of ${module.constructor.name}; its parameters start with: ${sampleNames(named.map(([n]) => n))}`,
        op,
      );
    for (const [n] of hits) picked.add(n);
  }
  return named.filter(([n]) => picked.has(n));
}

/**
 * Sets each normalisation layer's `keepEval` to whether all of its own parameters are frozen;
 * returns the layers whose `keepEval` it cleared.
 */
function syncNormLayers(module: Module): Module[] {
  const released: Module[] = [];
  for (const [, m] of module.namedModules()) {
    const own = m.namedParameters("", false);
    if (!m.namedBuffers().some(([k]) => k === "running_mean") || own.length === 0) continue;
    const was = m.keepEval;
    m.keepEval = own.every(([, p]) => !p.requiresGrad);
    if (m.keepEval) m.training = false;
    else if (was) released.push(m);
  }
  return released;
}

/**
 * Freezes the parameters matching `patterns` (`"backbone.*"`, `["conv1.*", "layer1.*"]`):
 * no gradient, and normalisation layers left wholly frozen stay in eval mode. Returns the
 * frozen names.
 */
export function freeze(module: Module, patterns: NamePatterns): string[] {
  const hits = matchParameters(module, patterns, "freeze");
  for (const [, p] of hits) p.requiresGrad_(false);
  syncNormLayers(module);
  return hits.map(([n]) => n);
}

/** Unfreezes the parameters matching `patterns` (all by default); their normalisation layers train again. */
export function unfreeze(module: Module, patterns: NamePatterns = "*"): string[] {
  const hits = matchParameters(module, patterns, "unfreeze");
  for (const [, p] of hits) p.requiresGrad_(true);
  // A normalisation layer released while its model is in train mode trains; any other
  // module keeps the mode it has (a submodule put in eval by hand stays in eval).
  for (const m of syncNormLayers(module)) if (module.training) m.training = true;
  return hits.map(([n]) => n);
}

/** The names of the parameters that do not require a gradient. */
export const frozenParameters = (module: Module): string[] =>
  module
    .namedParameters()
    .filter(([, p]) => !p.requiresGrad)
    .map(([n]) => n);
