// openchemlib's verdict on generated strings: a sample is valid when it parses, every atom is
// within its valence (parseSmilesOcl's check) and it is one molecule; valid samples get their
// canonical key and property value.
import { parseSmilesOcl } from "../molecules/ocl.js";
import type { ScoredSample } from "./metrics.js";
import { checkProperty } from "./properties.js";

export interface ScoredSmiles {
  smiles: string;
  key: string;
  value: number;
}

/** Scores one string; null when it is missing, malformed, over a valence or more than one fragment. */
export function scoreSmiles(smiles: string | null, property: string): ScoredSmiles | null {
  if (smiles === null || smiles.includes(".")) return null;
  const prop = checkProperty(property, "graph-generation");
  try {
    const mol = parseSmilesOcl(smiles, "generated");
    const value = prop.compute(mol);
    return Number.isFinite(value) ? { smiles, key: mol.getIDCode(), value } : null;
  } catch {
    return null;
  }
}

export const scoreAll = (smiles: readonly (string | null)[], property: string): ScoredSample[] =>
  smiles.map((s) => {
    const r = scoreSmiles(s, property);
    return r && { key: r.key, value: r.value };
  });
