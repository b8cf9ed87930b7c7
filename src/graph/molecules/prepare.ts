// From a data spec to what training needs: parsed molecules, features, fingerprints, targets,
// class names and the scaffold split (seeded random split when scaffolds cannot fill all three).
import { FlambeauError } from "../../core/errors.js";
import { BUILTIN_MOLECULE_SETS, inferMode, loadMoleculeSet, type MoleculeSet, recordMolecule } from "./datasets.js";
import { moleculeArrays } from "./features.js";
import { morganFingerprint } from "./fingerprint.js";
import type { PreparedMolecules } from "./fit.js";
import { murckoScaffold, randomSplit, type SplitIndices, scaffoldSplit } from "./scaffold.js";

export const FINGERPRINT = Object.freeze({ radius: 2, nBits: 2048 });

export interface MoleculeData extends PreparedMolecules {
  set: MoleculeSet;
  smiles: string[];
  classes: string[];
  split: SplitIndices;
  splitKind: "scaffold" | "random";
}

/** Class names in index order: negatives first for 0/1 and active/inactive style labels. */
export function classNames(labels: readonly string[]): string[] {
  const u = [...new Set(labels)];
  const neg = /^(0|false|no|inactive|negative|non[-_ ]?\w*)$/i;
  return u.sort((a, b) => Number(!neg.test(a)) - Number(!neg.test(b)) || a.localeCompare(b));
}

// Built-in sets are read-only package files: parse them once per process (the demo trains twice).
const builtinCache = new Map<string, MoleculeData>();

export function prepareMolecules(
  spec: string,
  o: { mode?: "classification" | "regression"; seed?: number; limit?: number; classes?: string[]; log?: (s: string) => void } = {},
): MoleculeData {
  const key = JSON.stringify([spec, o.mode ?? null, o.seed ?? 0, o.limit ?? null, o.classes ?? null]);
  const cached = builtinCache.get(key);
  if (cached) return cached;
  const set = loadMoleculeSet(spec);
  if (set.skipped.length) o.log?.(`molecules: ${spec}: skipped ${set.skipped.length} unparsable rows, e.g. ${set.skipped[0]}`);
  if (o.limit !== undefined && o.limit < set.records.length) set.records = set.records.slice(0, o.limit);
  const records = set.records;
  if (records.length < 3) throw new FlambeauError("E_ARG", `molecules: ${spec} has ${records.length} molecules; need at least 3`);
  const mode = o.mode ?? set.mode ?? inferMode(records);
  let classes: string[] = [];
  let targets: number[];
  if (mode === "classification") {
    classes = o.classes ?? classNames(records.map((r) => r.label));
    const index = new Map(classes.map((c, i) => [c, i]));
    targets = records.map((r) => {
      const c = index.get(r.label);
      if (c === undefined)
        throw new FlambeauError(
          "E_FORMAT",
          `molecules: ${r.where}: label "${r.label}" is not one of the model's classes (${classes.join(", ")})`,
        );
      return c;
    });
    if (classes.length < 2 && !o.classes)
      throw new FlambeauError("E_ARG", `molecules: ${spec}: every molecule has label "${classes[0]}"; need two classes`);
  } else {
    targets = records.map((r) => {
      const v = Number(r.label);
      if (r.label.trim() === "" || !Number.isFinite(v))
        throw new FlambeauError("E_FORMAT", `molecules: ${r.where}: label "${r.label}" of "${r.smiles}" is not a number (regression)`);
      return v;
    });
  }
  const mols = records.map(recordMolecule);
  let split = scaffoldSplit(mols.map(murckoScaffold));
  let splitKind: "scaffold" | "random" = "scaffold";
  if (split.val.length === 0 || split.test.length === 0 || split.train.length === 0) {
    split = randomSplit(records.length, o.seed ?? 0);
    splitKind = "random";
  }
  const data: MoleculeData = {
    set,
    mode,
    smiles: records.map((r) => r.smiles),
    arrays: mols.map(moleculeArrays),
    fingerprints: mols.map((m) => morganFingerprint(m, FINGERPRINT)),
    targets,
    numClasses: classes.length,
    classes,
    split,
    splitKind,
  };
  if (spec in BUILTIN_MOLECULE_SETS) builtinCache.set(key, data);
  return data;
}
