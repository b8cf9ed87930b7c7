// Morgan / ECFP-like circular fingerprints (Rogers & Hahn 2010), computed from the heavy-atom
// graph: each atom starts from a hash of its invariants (element, degree, H count, charge,
// ring membership — RDKit's default set) and, at every radius, re-hashes its own identifier
// with the sorted (bond type, neighbour identifier) pairs; all identifiers are folded into
// nBits. RDKit also drops environments that cover the same bonds; that only changes counts,
// rarely bits, so the bits stay comparable in spirit though not bit-for-bit.
import { FlambeauError } from "../../core/errors.js";
import { BOND_TYPES, type Molecule } from "./molecule.js";

export interface FingerprintOptions {
  /** Neighbourhood radius (2 = ECFP4). Default 2. */
  radius?: number;
  /** Folded length. Default 2048. */
  nBits?: number;
}

/** 32-bit FNV-1a over a list of integers. */
function hashInts(xs: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const x of xs) {
    let v = x | 0;
    for (let k = 0; k < 4; k++) {
      h ^= v & 0xff;
      h = Math.imul(h, 0x01000193);
      v >>>= 8;
    }
  }
  return h >>> 0;
}

/** Atom identifiers at every radius 0..radius: ids[r][atom]. */
export function morganIdentifiers(m: Molecule, radius = 2): number[][] {
  const n = m.atoms.length;
  const nbrs: [number, number][][] = Array.from({ length: n }, () => []);
  for (const b of m.bonds) {
    const t = BOND_TYPES.indexOf(b.type) + 1;
    nbrs[b.a]!.push([t, b.b]);
    nbrs[b.b]!.push([t, b.a]);
  }
  let ids = m.atoms.map((a) => hashInts([a.atomicNo, a.degree, a.hydrogens, a.formalCharge + 8, a.inRing ? 1 : 0]));
  const all = [ids];
  for (let r = 1; r <= radius; r++) {
    const prev = ids;
    ids = prev.map((id, i) => {
      const env = nbrs[i]!.map(([t, j]) => [t, prev[j]!] as const).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
      return hashInts([r, id, ...env.flat()]);
    });
    all.push(ids);
  }
  return all;
}

/** Folded bit vector (0/1 per bit) of a molecule's circular fingerprint. */
export function morganFingerprint(m: Molecule, o: FingerprintOptions = {}): Uint8Array {
  const radius = o.radius ?? 2;
  const nBits = o.nBits ?? 2048;
  if (!Number.isInteger(radius) || radius < 0)
    throw new FlambeauError("E_ARG", `morganFingerprint: radius must be an integer ≥ 0, got ${radius}`, "morganFingerprint");
  if (!Number.isInteger(nBits) || nBits < 1)
    throw new FlambeauError("E_ARG", `morganFingerprint: nBits must be a positive integer, got ${nBits}`, "morganFingerprint");
  const bits = new Uint8Array(nBits);
  for (const ids of morganIdentifiers(m, radius)) for (const id of ids) bits[id % nBits] = 1;
  return bits;
}

/** Tanimoto similarity of two bit vectors (1 for two empty ones). */
export function tanimoto(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new FlambeauError("E_ARG", `tanimoto: lengths differ (${a.length} vs ${b.length})`, "tanimoto");
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    both += a[i]! & b[i]!;
    either += a[i]! | b[i]!;
  }
  return either === 0 ? 1 : both / either;
}
