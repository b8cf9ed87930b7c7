// Atom and bond features (the usual OGB/DeepChem set, one-hot), and the packing of many
// molecules into one disconnected batch (PyG's Batch: node ids offset, a graph id per node).
import { type Tensor, tensor } from "../../core/index.js";
import { Graph } from "../graph.js";
import { BOND_TYPES, type Molecule } from "./molecule.js";

/** Elements with their own column; anything else goes to "other". */
export const ATOM_ELEMENTS = ["C", "N", "O", "S", "F", "Cl", "Br", "I", "P", "B", "Si", "Se"] as const;
const ELEMENT_INDEX = new Map<string, number>(ATOM_ELEMENTS.map((e, i) => [e, i]));
const MAX_DEGREE = 5;
const CHARGES = [-1, 0, 1];
const MAX_H = 4;

/** Column layout of the atom features, for documentation and tests. */
export const ATOM_FEATURE_NAMES: readonly string[] = [
  ...ATOM_ELEMENTS.map((e) => `element=${e}`),
  "element=other",
  ...Array.from({ length: MAX_DEGREE + 1 }, (_, d) => `degree=${d}${d === MAX_DEGREE ? "+" : ""}`),
  ...CHARGES.map((c) => `charge=${c < 0 ? "-" : c > 0 ? "+" : "0"}${c === 0 ? "" : "(or more)"}`),
  "aromatic",
  ...Array.from({ length: MAX_H + 1 }, (_, h) => `hydrogens=${h}${h === MAX_H ? "+" : ""}`),
  "inRing",
];
export const ATOM_FEATURES = ATOM_FEATURE_NAMES.length;
export const BOND_FEATURE_NAMES: readonly string[] = [...BOND_TYPES.map((t) => `bond=${t}`), "inRing"];
export const BOND_FEATURES = BOND_FEATURE_NAMES.length;

/** One row of ATOM_FEATURES values per atom, row-major. */
export function atomFeatures(m: Molecule): Float32Array {
  const out = new Float32Array(m.atoms.length * ATOM_FEATURES);
  const o1 = ATOM_ELEMENTS.length + 1;
  const o2 = o1 + MAX_DEGREE + 1;
  const o3 = o2 + CHARGES.length;
  const o4 = o3 + 1;
  const o5 = o4 + MAX_H + 1;
  m.atoms.forEach((a, i) => {
    const r = i * ATOM_FEATURES;
    out[r + (ELEMENT_INDEX.get(a.symbol) ?? ATOM_ELEMENTS.length)] = 1;
    out[r + o1 + Math.min(a.degree, MAX_DEGREE)] = 1;
    out[r + o2 + Math.max(-1, Math.min(1, a.formalCharge)) + 1] = 1;
    out[r + o3] = a.aromatic ? 1 : 0;
    out[r + o4 + Math.min(a.hydrogens, MAX_H)] = 1;
    out[r + o5] = a.inRing ? 1 : 0;
  });
  return out;
}

/** Both directions of every bond: sources, targets and BOND_FEATURES values per directed edge. */
export function bondArrays(m: Molecule): { src: number[]; dst: number[]; attr: Float32Array } {
  const src: number[] = [];
  const dst: number[] = [];
  const attr = new Float32Array(2 * m.bonds.length * BOND_FEATURES);
  m.bonds.forEach((b, k) => {
    src.push(b.a, b.b);
    dst.push(b.b, b.a);
    for (const e of [2 * k, 2 * k + 1]) {
      attr[e * BOND_FEATURES + BOND_TYPES.indexOf(b.type)] = 1;
      attr[e * BOND_FEATURES + BOND_TYPES.length] = b.inRing ? 1 : 0;
    }
  });
  return { src, dst, attr };
}

/** A molecule as a Graph: x [atoms, ATOM_FEATURES], both bond directions, edgeAttr [2·bonds, BOND_FEATURES]. */
export function moleculeToGraph(m: Molecule): Graph {
  const { src, dst, attr } = bondArrays(m);
  const n = m.atoms.length;
  return new Graph({
    edgeIndex: tensor(BigInt64Array.from([...src, ...dst], BigInt), { shape: [2, src.length] }),
    numNodes: n,
    x: tensor(atomFeatures(m), { shape: [n, ATOM_FEATURES] }),
    edgeAttr: tensor(attr, { shape: [src.length, BOND_FEATURES] }),
    directed: false,
    nodeNames: m.atoms.map((a, i) => `${a.symbol}${i}`),
  });
}

/** Pre-computed arrays of one molecule, so batches are built without re-featurising. */
export interface MoleculeArrays {
  numAtoms: number;
  x: Float32Array;
  src: number[];
  dst: number[];
  edgeAttr: Float32Array;
}

export function moleculeArrays(m: Molecule): MoleculeArrays {
  const { src, dst, attr } = bondArrays(m);
  return { numAtoms: m.atoms.length, x: atomFeatures(m), src, dst, edgeAttr: attr };
}

export interface MoleculeBatch {
  x: Tensor;
  edgeIndex: Tensor;
  edgeAttr: Tensor;
  /** Graph id of every atom [N]. */
  batch: Tensor;
  numGraphs: number;
}

/** Packs molecules into one disconnected graph; call inside tidy() (the tensors are temporaries). */
export function batchMolecules(ms: readonly MoleculeArrays[]): MoleculeBatch {
  let nodes = 0;
  let edges = 0;
  for (const m of ms) {
    nodes += m.numAtoms;
    edges += m.src.length;
  }
  const x = new Float32Array(nodes * ATOM_FEATURES);
  const ei = new BigInt64Array(2 * edges);
  const ea = new Float32Array(edges * BOND_FEATURES);
  const batch = new BigInt64Array(nodes);
  let n0 = 0;
  let e0 = 0;
  ms.forEach((m, g) => {
    x.set(m.x, n0 * ATOM_FEATURES);
    ea.set(m.edgeAttr, e0 * BOND_FEATURES);
    for (let k = 0; k < m.src.length; k++) {
      ei[e0 + k] = BigInt(m.src[k]! + n0);
      ei[edges + e0 + k] = BigInt(m.dst[k]! + n0);
    }
    batch.fill(BigInt(g), n0, n0 + m.numAtoms);
    n0 += m.numAtoms;
    e0 += m.src.length;
  });
  return {
    x: tensor(x, { shape: [nodes, ATOM_FEATURES] }),
    edgeIndex: tensor(ei, { shape: [2, edges] }),
    edgeAttr: tensor(ea, { shape: [edges, BOND_FEATURES] }),
    batch: tensor(batch),
    numGraphs: ms.length,
  };
}
