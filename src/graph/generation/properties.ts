// The properties a generated molecule can be asked for, computed by openchemlib for any
// molecule (a data set's own label cannot be computed for a new molecule), and the target
// range syntax "LO:HI".
import { FlambeauError } from "../../core/errors.js";
import { OCL, type OclMolecule } from "../molecules/ocl.js";

export interface MoleculeProperty {
  readonly description: string;
  compute(mol: OclMolecule): number;
}

export const MOLECULE_PROPERTIES: Readonly<Record<string, MoleculeProperty>> = Object.freeze({
  logp: { description: "octanol/water logP (openchemlib's increment method)", compute: (m) => new (OCL().MoleculeProperties)(m).logP },
  tpsa: {
    description: "topological polar surface area in Å² (Ertl, openchemlib)",
    compute: (m) => new (OCL().MoleculeProperties)(m).polarSurfaceArea,
  },
  mw: { description: "molecular weight in g/mol", compute: (m) => m.getMolweight() },
});

export type PropertyName = keyof typeof MOLECULE_PROPERTIES;

export function checkProperty(name: string, op: string): MoleculeProperty {
  const p = MOLECULE_PROPERTIES[name];
  if (!p)
    throw new FlambeauError("E_ARG", `${op}: unknown property "${name}"; properties: ${Object.keys(MOLECULE_PROPERTIES).join(", ")}`, op);
  return p;
}

export interface TargetRange {
  lo: number;
  hi: number;
}

/** "1:3" → { lo: 1, hi: 3 }; a range must be two finite numbers, low ≤ high. */
export function parseTarget(text: string, op: string): TargetRange {
  const m = /^\s*(-?[\d.]+(?:e-?\d+)?)\s*:\s*(-?[\d.]+(?:e-?\d+)?)\s*$/i.exec(text);
  const lo = m ? Number(m[1]) : Number.NaN;
  const hi = m ? Number(m[2]) : Number.NaN;
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    throw new FlambeauError("E_ARG", `${op}: target must be a range LO:HI of two numbers (e.g. 1:3), got "${text}"`, op);
  if (lo > hi)
    throw new FlambeauError("E_ARG", `${op}: target range "${text}" is reversed (low ${lo} > high ${hi}); write ${hi}:${lo}`, op);
  return { lo, hi };
}

export const inRange = (v: number, t: TargetRange): boolean => v >= t.lo && v <= t.hi;

export const formatTarget = (t: TargetRange): string => `${t.lo}:${t.hi}`;
