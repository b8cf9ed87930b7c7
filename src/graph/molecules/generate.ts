// Training the molecule VGAE on small molecules and sampling new ones. Loss: BCE over every
// atom pair of each molecule (bonded or not), cross-entropy of the element head, and the KL
// term. Graphs are decoded as single bonds (decodeBonds: spanning tree + confident pairs); a
// sample is valid when no atom exceeds its element's valence (hydrogens fill the rest).
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, randn, tensor, tidy } from "../../core/index.js";
import { binaryCrossEntropyWithLogits, crossEntropy } from "../../core/ops/loss.js";
import { AdamW } from "../../optim/index.js";
import { rocAuc } from "../../train/metrics.js";
import { MoleculeVGAE } from "../models/molecule-vgae.js";
import { ATOM_ELEMENTS, ATOM_FEATURES, batchMolecules, moleculeArrays } from "./features.js";
import type { Molecule } from "./molecule.js";
import { OCL } from "./ocl.js";

const ELEMENTS = [...ATOM_ELEMENTS];
const ATOMIC_NO: Record<string, number> = { C: 6, N: 7, O: 8, S: 16, F: 9, Cl: 17, Br: 35, I: 53, P: 15, B: 5, Si: 14, Se: 34 };
// Largest neutral valence RDKit's sanitiser accepts (openchemlib also allows hypervalent
// halogens, which would flatter the validity rate).
const MAX_VALENCE: Record<string, number> = { C: 4, N: 3, O: 2, S: 6, F: 1, Cl: 1, Br: 1, I: 1, P: 5, B: 3, Si: 4, Se: 2 };

export interface VgaeOptions {
  epochs?: number;
  lr?: number;
  batchSize?: number;
  latent?: number;
  seed?: number;
  log?: (s: string) => void;
}

export interface VgaeReport {
  /** Held-out molecules: ROC-AUC of bonded vs non-bonded pairs from the mean latents. */
  reconstructionAuc: number;
  /** Held-out molecules whose bonds (and elements) are all recovered exactly. */
  exactReconstruction: number;
  /** Prior samples that are connected and within every atom's valence. */
  validity: number;
  /** Distinct canonical SMILES among the valid samples. */
  uniqueness: number;
  samples: string[];
  seconds: number;
}

interface Pairs {
  a: number[];
  b: number[];
  y: number[];
}

/** Every unordered atom pair of each molecule, offset as in the batch; y = 1 when bonded. */
function pairsOf(ms: readonly Molecule[]): Pairs {
  const out: Pairs = { a: [], b: [], y: [] };
  let off = 0;
  for (const m of ms) {
    const bonded = new Set(m.bonds.map((b) => `${Math.min(b.a, b.b)},${Math.max(b.a, b.b)}`));
    for (let i = 0; i < m.atoms.length; i++)
      for (let j = i + 1; j < m.atoms.length; j++) {
        out.a.push(off + i);
        out.b.push(off + j);
        out.y.push(bonded.has(`${i},${j}`) ? 1 : 0);
      }
    off += m.atoms.length;
  }
  return out;
}

const ints = (xs: number[]) => tensor(BigInt64Array.from(xs, BigInt));
const elementOf = (m: Molecule) => m.atoms.map((a) => Math.max(0, ELEMENTS.indexOf(a.symbol as (typeof ATOM_ELEMENTS)[number])));

/** Builds a molecule from elements and single bonds; null when disconnected or an atom has more bonds than its element's largest neutral valence. */
export function validMolecule(elements: readonly number[], bonds: readonly [number, number][]): string | null {
  const n = elements.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (const [a, b] of bonds) parent[find(a)] = find(b);
  if (new Set(parent.map((_, i) => find(i))).size !== 1) return null;
  const degree = new Array<number>(n).fill(0);
  for (const [a, b] of bonds) {
    degree[a]!++;
    degree[b]!++;
  }
  if (elements.some((e, i) => degree[i]! > (MAX_VALENCE[ELEMENTS[e]!] ?? 4))) return null;
  const mol = new (OCL().Molecule)(n, bonds.length);
  for (const e of elements) mol.addAtom(ATOMIC_NO[ELEMENTS[e]!] ?? 6);
  for (const [a, b] of bonds) mol.addBond(a, b);
  mol.ensureHelperArrays(OCL().Molecule.cHelperRings);
  return mol.toIsomericSmiles();
}

/**
 * Bonds from pair logits (pairs in i<j row order): the maximum spanning tree (a molecule is
 * connected), then the remaining pairs with p > 0.5, best first, while both atoms have valence
 * left. Tree bonds may still exceed a valence; validMolecule judges that.
 */
export function decodeBonds(n: number, logits: ArrayLike<number>, elements: readonly number[]): [number, number][] {
  const at = (i: number, j: number) => {
    const [a, b] = i < j ? [i, j] : [j, i];
    return logits[a * n - (a * (a + 1)) / 2 + (b - a - 1)]!;
  };
  const bonds: [number, number][] = [];
  const inTree = new Array<boolean>(n).fill(false);
  const best = new Array<number>(n).fill(Number.NEGATIVE_INFINITY);
  const from = new Array<number>(n).fill(-1);
  if (n > 0) inTree[0] = true;
  for (let j = 1; j < n; j++) {
    best[j] = at(0, j);
    from[j] = 0;
  }
  for (let step = 1; step < n; step++) {
    let v = -1;
    for (let j = 0; j < n; j++) if (!inTree[j] && (v < 0 || best[j]! > best[v]!)) v = j;
    inTree[v] = true;
    bonds.push(from[v]! < v ? [from[v]!, v] : [v, from[v]!]);
    for (let j = 0; j < n; j++)
      if (!inTree[j] && at(v, j) > best[j]!) {
        best[j] = at(v, j);
        from[j] = v;
      }
  }
  const degree = new Array<number>(n).fill(0);
  const taken = new Set(bonds.map(([a, b]) => a * n + b));
  for (const [a, b] of bonds) {
    degree[a]!++;
    degree[b]!++;
  }
  const cap = (i: number) => MAX_VALENCE[ELEMENTS[elements[i]!]!] ?? 4;
  const extra: [number, number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (!taken.has(i * n + j) && at(i, j) > 0) extra.push([at(i, j), i, j]);
  extra.sort((x, y) => y[0] - x[0]);
  for (const [, i, j] of extra)
    if (degree[i]! < cap(i) && degree[j]! < cap(j)) {
      bonds.push([i, j]);
      degree[i]!++;
      degree[j]!++;
    }
  return bonds;
}

export function trainMoleculeVgae(train: Molecule[], test: Molecule[], o: VgaeOptions = {}): { model: MoleculeVGAE; report: VgaeReport } {
  if (train.length < 2) throw new FlambeauError("E_ARG", `trainMoleculeVgae: needs at least 2 training molecules, got ${train.length}`);
  const t0 = performance.now();
  const seed = o.seed ?? 0;
  manualSeed(seed);
  const model = new MoleculeVGAE({ inChannels: ATOM_FEATURES, hidden: 64, latent: o.latent ?? 16, elements: ELEMENTS.length });
  const opt = new AdamW(model.parameters(), { lr: o.lr ?? 5e-3, weightDecay: 0 });
  const bs = o.batchSize ?? 64;
  const arrays = train.map(moleculeArrays);
  for (let epoch = 1; epoch <= (o.epochs ?? 30); epoch++) {
    let total = 0;
    model.train();
    for (let s = 0; s < train.length; s += bs) {
      const ms = train.slice(s, s + bs);
      const p = pairsOf(ms);
      total += tidy(() => {
        opt.zeroGrad();
        const batch = batchMolecules(arrays.slice(s, s + bs));
        const { mu, logstd } = model.encode(batch.x, batch.edgeIndex);
        const z = model.latent(mu, logstd);
        const y = tensor(Float32Array.from(p.y));
        // Bonds are rare among pairs: weight them up to balance the two kinds.
        const pos = Math.max(
          1,
          p.y.reduce((a, v) => a + v, 0),
        );
        const recon = binaryCrossEntropyWithLogits(model.pairLogits(z, ints(p.a), ints(p.b)), y, {
          posWeight: tensor([(p.y.length - pos) / pos]),
        });
        const atoms = crossEntropy(model.atomLogits(z), ints(ms.flatMap(elementOf)));
        const kl = mu.pow(2).add(logstd.mul(2).exp()).sub(logstd.mul(2)).sub(1).sum({ dim: 1 }).mean().mul(0.5);
        const loss = recon.add(atoms).add(kl.mul(1 / 16));
        loss.backward();
        opt.step();
        return loss.item();
      });
    }
    if (epoch % 10 === 0) o.log?.(`vgae: epoch ${epoch} loss ${(total / Math.ceil(train.length / bs)).toFixed(4)}`);
  }
  model.eval();
  // Reconstruction of held-out molecules from their mean latents.
  const p = pairsOf(test);
  const { scores, elementsOk } = noGrad(() =>
    tidy(() => {
      const batch = batchMolecules(test.map(moleculeArrays));
      const { mu } = model.encode(batch.x, batch.edgeIndex);
      const s = Array.from(model.pairLogits(mu, ints(p.a), ints(p.b)).data() as Float32Array);
      const el = Array.from(model.atomLogits(mu).argmax(1).data() as BigInt64Array, Number);
      return { scores: s, elementsOk: el };
    }),
  );
  let exact = 0;
  let k = 0;
  let atom = 0;
  for (const m of test) {
    const n = m.atoms.length;
    const pairs = (n * (n - 1)) / 2;
    const els = elementsOk.slice(atom, atom + n);
    const decoded = new Set(decodeBonds(n, scores.slice(k, k + pairs), els).map(([a, b]) => `${a},${b}`));
    const truth = new Set(m.bonds.map((b) => `${Math.min(b.a, b.b)},${Math.max(b.a, b.b)}`));
    let ok = decoded.size === truth.size && [...truth].every((t) => decoded.has(t));
    elementOf(m).forEach((e, i) => {
      if (els[i] !== e) ok = false;
    });
    if (ok) exact++;
    k += pairs;
    atom += m.atoms.length;
  }
  // Prior samples with the training molecules' sizes.
  const samples: string[] = [];
  const nSamples = 200;
  let valid = 0;
  for (let s = 0; s < nSamples; s++) {
    const n = train[s % train.length]!.atoms.length;
    const smiles = noGrad(() =>
      tidy(() => {
        const z = randn([n, model.hyper.latent]);
        const els = Array.from(model.atomLogits(z).argmax(1).data() as BigInt64Array, Number);
        const a: number[] = [];
        const b: number[] = [];
        for (let i = 0; i < n; i++)
          for (let j = i + 1; j < n; j++) {
            a.push(i);
            b.push(j);
          }
        const l = a.length ? (model.pairLogits(z, ints(a), ints(b)).data() as Float32Array) : new Float32Array(0);
        return validMolecule(els, decodeBonds(n, l, els));
      }),
    );
    if (smiles !== null) {
      valid++;
      samples.push(smiles);
    }
  }
  return {
    model,
    report: {
      reconstructionAuc: rocAuc(scores, p.y),
      exactReconstruction: exact / Math.max(1, test.length),
      validity: valid / nSamples,
      uniqueness: samples.length ? new Set(samples).size / samples.length : 0,
      samples: [...new Set(samples)].slice(0, 20),
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
