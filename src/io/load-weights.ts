// Weights made elsewhere into a model, by key: a torchvision or Hugging Face checkpoint saved
// as safetensors, a Flambeau model directory, or a state dict. Transfer learning loads what
// matches and reports the rest (timm's and Hugging Face's `from_pretrained` behaviour): a new
// head whose shape differs is skipped and keeps its fresh initialisation. Key maps rename
// checkpoint keys where the two naming schemes differ.

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import type { Module } from "../nn/module.js";
import { load } from "./safetensors.js";

const OP = "loadWeights";

/** One rename: checkpoint keys matching `from` (a prefix string or a RegExp) get `to` instead. */
export type KeyRename = readonly [from: string | RegExp, to: string];

export interface LoadWeightsOptions {
  /** Renames applied in order to every checkpoint key. */
  keyMap?: readonly KeyRename[];
  /** Refuse any missing, unexpected or mis-shaped key (default false: load what matches, report the rest). */
  strict?: boolean;
}

export interface WeightsReport {
  loaded: string[];
  /** Model keys the checkpoint lacks (they keep their current values). */
  missing: string[];
  /** Checkpoint keys the model lacks (after renaming). */
  unexpected: string[];
  /** Keys in both with different shapes (skipped: e.g. a head for another number of classes). */
  mismatched: { key: string; model: number[]; checkpoint: number[] }[];
}

const rename = (key: string, map: readonly KeyRename[]): string => {
  let k = key;
  for (const [from, to] of map) k = typeof from === "string" ? (k.startsWith(from) ? to + k.slice(from.length) : k) : k.replace(from, to);
  return k;
};

/** The safetensors file a source names: the file itself, or a model directory's model.safetensors; `op` names the caller in errors. */
export function weightsFile(source: string, op = OP): string {
  if (!existsSync(source)) throw new FlambeauError("E_IO", `${op}: ${source} does not exist`, op);
  if (!statSync(source).isDirectory()) return source;
  const file = join(source, "model.safetensors");
  if (!existsSync(file)) throw new FlambeauError("E_IO", `${op}: ${source} is a directory without model.safetensors`, op);
  return file;
}

const heads = (keys: Iterable<string>): string => [...new Set([...keys].map((k) => k.split(".")[0]!))].slice(0, 10).join(", ");

/**
 * Copies the checkpoint's tensors into `module` by key and reports what did not match. A
 * checkpoint saved from a DataParallel/DDP wrapper (`module.` before every key) is read as
 * if it were not. Loading nothing at all is an error naming both sides' key prefixes.
 */
export async function loadWeights(
  module: Module,
  source: string | Map<string, Tensor>,
  o: LoadWeightsOptions = {},
): Promise<WeightsReport> {
  const given = typeof source === "string" ? await load(weightsFile(source)) : source;
  const owned = typeof source === "string";
  try {
    let map = o.keyMap ?? [];
    if ([...given.keys()].every((k) => k.startsWith("module."))) map = [["module.", ""], ...map];
    const renamed = new Map<string, Tensor>();
    for (const [k, t] of given) renamed.set(rename(k, map), t);
    const own = module.stateDict();
    const report: WeightsReport = { loaded: [], missing: [], unexpected: [], mismatched: [] };
    const matching = new Map<string, Tensor>();
    for (const [k, t] of own) {
      const src = renamed.get(k);
      if (src === undefined) report.missing.push(k);
      else if (src.shape.join() !== t.shape.join()) report.mismatched.push({ key: k, model: [...t.shape], checkpoint: [...src.shape] });
      else {
        matching.set(k, src);
        report.loaded.push(k);
      }
      t.dispose();
    }
    report.unexpected = [...renamed.keys()].filter((k) => !own.has(k));
    const where = typeof source === "string" ? source : "the state dict";
    if (o.strict && (report.missing.length || report.unexpected.length || report.mismatched.length))
      throw new FlambeauError("E_STATE", `${OP}(${where}): ${describeWeightsReport(report)}`, OP);
    if (matching.size === 0)
      throw new FlambeauError(
        "E_STATE",
        `${OP}: no key of ${where} matches ${module.constructor.name} (model keys start with ${heads(own.keys())}; checkpoint keys with ${heads(renamed.keys())}); give a keyMap`,
        OP,
      );
    module.loadStateDict(matching, { strict: false });
    return report;
  } finally {
    if (owned) for (const t of given.values()) t.dispose();
  }
}

/** One line for logs: counts, and the first few keys of each kind. */
export function describeWeightsReport(r: WeightsReport): string {
  const few = (xs: string[]) => (xs.length > 4 ? `${xs.slice(0, 4).join(", ")} … (${xs.length})` : xs.join(", "));
  const parts = [`${r.loaded.length} tensors loaded`];
  if (r.mismatched.length)
    parts.push(`${r.mismatched.length} skipped for shape (${few(r.mismatched.map((m) => `${m.key} [${m.checkpoint}] vs [${m.model}]`))})`);
  if (r.missing.length) parts.push(`${r.missing.length} missing (${few(r.missing)})`);
  if (r.unexpected.length) parts.push(`${r.unexpected.length} unexpected (${few(r.unexpected)})`);
  return parts.join("; ");
}
