// openchemlib (pure JS, an optional peer dependency): SMILES and molfile parsing, valence
// checks, depiction. Kept apart from molecule.ts so the public declarations do not import
// openchemlib's types.
import type * as OpenChemLib from "openchemlib";
import { FlambeauError } from "../../core/errors.js";
import { requireOptional } from "../../core/optional.js";
import type { Atom, Bond, BondType, Molecule } from "./molecule.js";

// Loaded on first use: openchemlib is several MB of JS, and a heap that size makes V8
// collect native tensors later in every program that imports Flambeau but no molecules.
let ocl: typeof OpenChemLib | undefined;
export const OCL = (): typeof OpenChemLib => {
  ocl ??= requireOptional<typeof OpenChemLib>("openchemlib", "reading molecules (SMILES, molfiles)", "molecules");
  return ocl;
};

export type OclMolecule = InstanceType<typeof OpenChemLib.Molecule>;

// openchemlib's messages start with a GWT class tag ("Class$S19: "); drop it.
const cleanMessage = (e: unknown): string => String((e as Error)?.message ?? e).replace(/^Class\$\S+:\s*/, "");

/** Parses SMILES with openchemlib; `where` (file:line) goes into the error message. */
export function parseSmilesOcl(smiles: string, where = "smiles", o: { coordinates?: boolean } = {}): OclMolecule {
  const s = smiles.trim();
  if (s.length === 0) throw new FlambeauError("E_FORMAT", `${where}: empty SMILES`, "parseSmiles");
  let mol: OclMolecule;
  try {
    // 2-D coordinates (and stereo perception, which needs them) are only wanted for drawing,
    // and they cost most of the parse time.
    mol = o.coordinates ? OCL().Molecule.fromSmiles(s) : OCL().Molecule.fromSmiles(s, { noCoordinates: true, noStereo: true });
  } catch (e) {
    throw new FlambeauError("E_FORMAT", `${where}: malformed SMILES "${s}": ${cleanMessage(e)}`, "parseSmiles");
  }
  if (mol.getAtoms() === 0) throw new FlambeauError("E_FORMAT", `${where}: SMILES "${s}" has no heavy atoms`, "parseSmiles");
  checkValences(mol, `${where}: SMILES "${s}"`);
  return mol;
}

/** Rejects atoms with more bonds than their element allows (openchemlib's validate() is 100× slower and also refuses salts). */
function checkValences(mol: OclMolecule, what: string): void {
  mol.ensureHelperArrays(OCL().Molecule.cHelperRings);
  for (let i = 0; i < mol.getAtoms(); i++)
    if (mol.getFreeValence(i) < 0)
      throw new FlambeauError("E_FORMAT", `${what}: atom valence exceeded at atom ${i + 1} (${mol.getAtomLabel(i)})`, "parseSmiles");
}

/** Reads one molfile (V2000/V3000) block with openchemlib. */
export function parseMolfileOcl(molfile: string, where: string): OclMolecule {
  let mol: OclMolecule;
  try {
    mol = OCL().Molecule.fromMolfile(molfile);
  } catch (e) {
    throw new FlambeauError("E_FORMAT", `${where}: malformed molfile: ${cleanMessage(e)}`, "parseMolfile");
  }
  if (mol.getAtoms() === 0) throw new FlambeauError("E_FORMAT", `${where}: molfile has no heavy atoms`, "parseMolfile");
  checkValences(mol, `${where}: molfile`);
  return mol;
}

/** The heavy-atom graph of an openchemlib molecule. */
export function moleculeFromOcl(mol: OclMolecule, source: string): Molecule {
  mol.ensureHelperArrays(OCL().Molecule.cHelperRings);
  const n = mol.getAtoms();
  const atoms: Atom[] = [];
  for (let i = 0; i < n; i++) {
    atoms.push({
      atomicNo: mol.getAtomicNo(i),
      symbol: mol.getAtomLabel(i),
      formalCharge: mol.getAtomCharge(i),
      aromatic: mol.isAromaticAtom(i),
      inRing: mol.isRingAtom(i),
      hydrogens: mol.getAllHydrogens(i),
      degree: mol.getConnAtoms(i),
    });
  }
  const bonds: Bond[] = [];
  for (let b = 0; b < mol.getBonds(); b++) {
    const order = mol.getBondOrder(b);
    const type: BondType = mol.isAromaticBond(b) ? "aromatic" : order === 3 ? "triple" : order === 2 ? "double" : "single";
    bonds.push({ a: mol.getBondAtom(0, b), b: mol.getBondAtom(1, b), type, inRing: mol.isRingBond(b) });
  }
  return { source, atoms, bonds };
}
