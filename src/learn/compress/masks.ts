// Pruning masks across save and load. A pruned model's state dict holds `<name>_orig` and
// `<name>_mask` (PyTorch's keys); folding them gives the plain `<name>` = orig ⊙ mask any
// model of the architecture loads; loadPruned re-creates the masks before loading, so a
// pruned model saved mid-way resumes with the same pruned entries.
import { FlambeauError } from "../../core/errors.js";
import { noGrad, type Tensor, tidy } from "../../core/index.js";
import type { Module } from "../../nn/index.js";
import { customFromMask, remove } from "../../nn/utils/prune.js";

const ORIG = "_orig";
const MASK = "_mask";

/** Splits "features.0.weight" into the layer's dotted name and the parameter's name. */
function splitKey(key: string): [layer: string, name: string] {
  const at = key.lastIndexOf(".");
  return at < 0 ? ["", key] : [key.slice(0, at), key.slice(at + 1)];
}

/** The pruned parameters of a model: "layer.weight" → its module and the parameter's name. */
export function prunedParameters(model: Module): Map<string, { module: Module; name: string }> {
  const out = new Map<string, { module: Module; name: string }>();
  for (const [layer, m] of model.namedModules())
    for (const [b] of m.namedBuffers())
      if (!b.includes(".") && b.endsWith(MASK)) {
        const name = b.slice(0, -MASK.length);
        if (m.getParameter(`${name}${ORIG}`)) out.set(layer ? `${layer}.${name}` : name, { module: m, name });
      }
  return out;
}

/** Copies of the masks of a pruned model, by "layer.weight". */
export function pruningMasks(model: Module): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [key, { module, name }] of prunedParameters(model)) out.set(key, module.getBuffer(`${name}${MASK}`)!.clone());
  return out;
}

/** Applies masks (1 keep, 0 prune) by "layer.weight", combined with any pruning already there. */
export function applyMasks(model: Module, masks: ReadonlyMap<string, Tensor>): void {
  const modules = new Map(model.namedModules());
  for (const [key, mask] of masks) {
    const [layer, name] = splitKey(key);
    const m = modules.get(layer);
    if (m === undefined) throw new FlambeauError("E_ARG", `applyMasks: the model has no layer "${layer}" (mask "${key}")`, "applyMasks");
    tidy(() => customFromMask(m, name, mask));
  }
}

/** Makes every pruning of the model permanent (PyTorch's prune.remove on each pruned parameter). */
export function removePruning(model: Module): void {
  for (const { module, name } of prunedParameters(model).values()) remove(module, name);
}

/** A state dict with every `<k>_orig` / `<k>_mask` pair replaced by `<k>` = orig ⊙ mask. */
export function foldMasks(sd: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [k, v] of sd) {
    if (k.endsWith(MASK) && sd.has(`${k.slice(0, -MASK.length)}${ORIG}`)) continue;
    if (k.endsWith(ORIG)) {
      const base = k.slice(0, -ORIG.length);
      const mask = sd.get(`${base}${MASK}`);
      if (mask !== undefined) {
        out.set(
          base,
          noGrad(() => v.mul(mask)),
        );
        continue;
      }
    }
    out.set(k, v);
  }
  return out;
}

/**
 * Loads a state dict saved from a pruned model: the parameters with `<k>_mask` keys are pruned
 * with those masks first (so the keys match), then every value is loaded.
 */
export function loadPruned(model: Module, sd: ReadonlyMap<string, Tensor>): void {
  const masks = new Map<string, Tensor>();
  for (const [k, v] of sd) if (k.endsWith(MASK) && sd.has(`${k.slice(0, -MASK.length)}${ORIG}`)) masks.set(k.slice(0, -MASK.length), v);
  const already = prunedParameters(model);
  applyMasks(model, new Map([...masks].filter(([k]) => !already.has(k))));
  model.loadStateDict(new Map(sd));
}
