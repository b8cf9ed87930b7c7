// A molecule as the graph a GNN reads: heavy atoms (hydrogens folded into a count, as RDKit
// and PyG's from_smiles do) and bonds. Parsing comes from openchemlib (ocl.ts); everything
// after the parse is plain data, so this file's declarations never name openchemlib's types
// (an optional package a user may not have installed).
import { moleculeFromOcl, parseSmilesOcl } from "./ocl.js";

export interface Atom {
  /** Atomic number (6 = C). */
  atomicNo: number;
  symbol: string;
  formalCharge: number;
  aromatic: boolean;
  inRing: boolean;
  /** Implicit + explicit hydrogens. */
  hydrogens: number;
  /** Heavy-atom neighbours. */
  degree: number;
}

export type BondType = "single" | "double" | "triple" | "aromatic";
export const BOND_TYPES: readonly BondType[] = ["single", "double", "triple", "aromatic"];

export interface Bond {
  a: number;
  b: number;
  type: BondType;
  inRing: boolean;
}

export interface Molecule {
  /** The input string (SMILES) or a name for molfile records. */
  source: string;
  atoms: Atom[];
  bonds: Bond[];
}

/** SMILES → heavy-atom graph; malformed input is an E_FORMAT error naming `where` and the string. */
export function moleculeFromSmiles(smiles: string, where = "smiles"): Molecule {
  return moleculeFromOcl(parseSmilesOcl(smiles, where), smiles.trim());
}

/** An SVG drawing of a SMILES string (openchemlib's depiction). */
export function moleculeSvg(smiles: string, width = 220, height = 160, id = "mol"): string {
  return parseSmilesOcl(smiles, "smiles", { coordinates: true }).toSVG(width, height, id);
}

/** Canonical SMILES (openchemlib's canonicalisation), for de-duplication and display. */
export function canonicalSmiles(smiles: string): string {
  return parseSmilesOcl(smiles, "smiles", { coordinates: true }).toIsomericSmiles();
}
