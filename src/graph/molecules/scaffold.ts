// Bemis–Murcko scaffolds and the scaffold split (DeepChem's ScaffoldSplitter): molecules that
// share a ring framework land in the same split, so the test set asks for new chemotypes, not
// near-copies of training molecules. Scaffold = largest fragment with every non-ring terminal
// atom pruned until only rings and the linkers between them remain (side chains and exocyclic
// atoms go, as in Bemis & Murcko's original definition). Computed on our own heavy-atom
// graph: openchemlib's canonical SMILES would cost ~10 ms a molecule.
import { FlambeauError } from "../../core/errors.js";
import { permutation } from "../../data/random.js";
import { morganIdentifiers } from "./fingerprint.js";
import type { Molecule } from "./molecule.js";

/** Atom indices of the Murcko framework of the largest connected fragment (empty without rings). */
export function murckoAtoms(m: Molecule): number[] {
  const n = m.atoms.length;
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const b of m.bonds) {
    adj[b.a]!.push(b.b);
    adj[b.b]!.push(b.a);
  }
  // Largest fragment (salts and solvents do not define a chemotype).
  const comp = new Int32Array(n).fill(-1);
  let best: number[] = [];
  for (let s = 0; s < n; s++) {
    if (comp[s]! >= 0) continue;
    const members = [s];
    comp[s] = s;
    for (let k = 0; k < members.length; k++)
      for (const j of adj[members[k]!]!)
        if (comp[j]! < 0) {
          comp[j] = s;
          members.push(j);
        }
    if (members.length > best.length) best = members;
  }
  const alive = new Set(best);
  const deg = new Map(best.map((i) => [i, adj[i]!.length]));
  const queue = best.filter((i) => !m.atoms[i]!.inRing && deg.get(i)! <= 1);
  while (queue.length) {
    const i = queue.pop()!;
    if (!alive.delete(i)) continue;
    for (const j of adj[i]!)
      if (alive.has(j)) {
        deg.set(j, deg.get(j)! - 1);
        if (!m.atoms[j]!.inRing && deg.get(j)! <= 1) queue.push(j);
      }
  }
  return [...alive].sort((a, b) => a - b);
}

/**
 * A canonical key of the Murcko framework: the sorted circular identifiers of its atoms
 * (element, aromaticity, bond types; charges and hydrogens ignored) at radius up to 6, so
 * two molecules share a key when their ring systems and linkers are the same. "" without rings.
 */
export function murckoScaffold(m: Molecule): string {
  const keep = murckoAtoms(m);
  if (keep.length === 0) return "";
  const index = new Map(keep.map((a, k) => [a, k]));
  const atoms = keep.map((i) => ({ ...m.atoms[i]!, formalCharge: 0, hydrogens: 0, degree: 0 }));
  const bonds = m.bonds.filter((b) => index.has(b.a) && index.has(b.b)).map((b) => ({ ...b, a: index.get(b.a)!, b: index.get(b.b)! }));
  for (const b of bonds) {
    atoms[b.a]!.degree++;
    atoms[b.b]!.degree++;
  }
  const ids = morganIdentifiers({ source: m.source, atoms, bonds }, Math.min(6, atoms.length));
  return `${atoms.length}:${ids[ids.length - 1]!.slice()
    .sort((a, b) => a - b)
    .map((v) => v.toString(36))
    .join(".")}`;
}

export interface SplitIndices {
  train: number[];
  val: number[];
  test: number[];
}

/**
 * Deterministic scaffold split: scaffold groups sorted largest first (ties by first index)
 * fill train, then val, then test; a group never straddles two splits.
 */
export function scaffoldSplit(scaffolds: readonly string[], frac: readonly [number, number, number] = [0.8, 0.1, 0.1]): SplitIndices {
  const sum = frac[0] + frac[1] + frac[2];
  if (frac.some((f) => f < 0) || Math.abs(sum - 1) > 1e-6)
    throw new FlambeauError("E_ARG", `scaffoldSplit: fractions must be ≥ 0 and sum to 1, got [${frac.join(", ")}]`, "scaffoldSplit");
  const groups = new Map<string, number[]>();
  scaffolds.forEach((s, i) => {
    const g = groups.get(s);
    if (g) g.push(i);
    else groups.set(s, [i]);
  });
  const ordered = [...groups.values()].sort((a, b) => b.length - a.length || a[0]! - b[0]!);
  const n = scaffolds.length;
  const out: SplitIndices = { train: [], val: [], test: [] };
  for (const g of ordered) {
    if (out.train.length + g.length <= frac[0] * n) out.train.push(...g);
    else if (out.val.length + g.length <= frac[1] * n) out.val.push(...g);
    else out.test.push(...g);
  }
  return out;
}

/** Seeded random split (the data module's seeded permutation) with the same fractions. */
export function randomSplit(n: number, seed: number, frac: readonly [number, number, number] = [0.8, 0.1, 0.1]): SplitIndices {
  const idx = Array.from(permutation(n, seed));
  const a = Math.round(frac[0] * n);
  const b = a + Math.round(frac[1] * n);
  return { train: idx.slice(0, a), val: idx.slice(a, b), test: idx.slice(b) };
}
