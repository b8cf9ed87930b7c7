// The generator's training corpus from a molecule set: each molecule's largest fragment as
// openchemlib's canonical Kekulé SMILES (no stereo), its canonical key (ID code) and the
// property value. Molecules with tokens the generator does not model (metals, rare charged
// atoms, more than nine open rings) or that the sampling grammar would not write are left out
// and counted.
import { FlambeauError } from "../../core/errors.js";
import { loadMoleculeSet } from "../molecules/datasets.js";
import { OCL, type OclMolecule, parseSmilesOcl } from "../molecules/ocl.js";
import { grammarAccepts } from "./grammar.js";
import { checkProperty } from "./properties.js";
import { SmilesVocabulary } from "./tokens.js";

export interface GenerationCorpus {
  data: string;
  property: string;
  smiles: string[];
  keys: string[];
  values: number[];
  vocab: SmilesVocabulary;
  /** Molecules left out, by reason. */
  dropped: Record<string, number>;
}

/** A parsed molecule's largest fragment (salts and counter-ions removed), in place. */
export function largestFragment(mol: OclMolecule): OclMolecule {
  mol.stripSmallFragments(false);
  mol.ensureHelperArrays(OCL().Molecule.cHelperRings);
  return mol;
}

/** Canonical Kekulé SMILES of a parsed molecule. */
export const kekuleSmiles = (mol: OclMolecule): string => mol.toIsomericSmiles({ kekulizedOutput: true });

// Built-in sets are package files: the slow parse (tens of seconds for 5,000) runs once per process.
const cache = new Map<string, GenerationCorpus>();

export function prepareCorpus(spec: string, property: string, o: { limit?: number; log?: (s: string) => void } = {}): GenerationCorpus {
  const prop = checkProperty(property, "graph-generation");
  const key = JSON.stringify([spec, property, o.limit ?? null]);
  const hit = cache.get(key);
  if (hit) return hit;
  const set = loadMoleculeSet(spec);
  const records = o.limit !== undefined ? set.records.slice(0, o.limit) : set.records;
  const dropped: Record<string, number> = {};
  const drop = (why: string) => {
    dropped[why] = (dropped[why] ?? 0) + 1;
  };
  const rows: { smiles: string; key: string; value: number }[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    const mol = largestFragment(parseSmilesOcl(r.smiles, r.where));
    const k = mol.getIDCode();
    if (seen.has(k)) {
      drop("duplicate");
      continue;
    }
    seen.add(k);
    rows.push({ smiles: kekuleSmiles(mol), key: k, value: prop.compute(mol) });
  }
  const vocab = SmilesVocabulary.fromCorpus(rows.map((r) => r.smiles));
  const why = (r: { smiles: string; value: number }): string | undefined => {
    const ids = vocab.encode(r.smiles);
    if (!ids) return "rare or unsupported token";
    if (!grammarAccepts(ids.map((i) => vocab.info[i]!))) return "outside the sampling grammar";
    return Number.isFinite(r.value) ? undefined : "property not computable";
  };
  const kept = rows.filter((r) => {
    const reason = why(r);
    if (reason) drop(reason);
    return reason === undefined;
  });
  if (kept.length < 2)
    throw new FlambeauError(
      "E_FORMAT",
      `graph-generation: ${spec}: only ${kept.length} usable molecules (need at least 2)`,
      "graph-generation",
    );
  const corpus: GenerationCorpus = {
    data: spec,
    property,
    smiles: kept.map((r) => r.smiles),
    keys: kept.map((r) => r.key),
    values: kept.map((r) => r.value),
    vocab,
    dropped,
  };
  cache.set(key, corpus);
  return corpus;
}
