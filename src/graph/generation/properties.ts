// The properties a generated molecule can be asked for, computed by openchemlib for any
// molecule (a data set's own label cannot be computed for a new molecule), and the target
// target range (./target.ts).
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
