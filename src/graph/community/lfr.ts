// LFR benchmark graphs (Lancichinetti, Fortunato & Radicchi 2008, "Benchmark graphs for testing
// community detection algorithms"): degrees from a power law of exponent τ1 between a minimum
// (solved so the mean is the asked average) and a maximum, community sizes from a power law of
// exponent τ2 between two bounds summing to n, and each node i keeping (1 − μ) k_i of its edges
// inside its community and μ k_i outside. Nodes are placed at random in communities large enough
// for their internal degree; internal and external edges are each a configuration model, its
// self-loops and repeated pairs removed by swapping ends with random other edges.
import { FlambeauError } from "../../core/errors.js";
import { tensor } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { Graph } from "../graph.js";

export interface LfrOptions {
  /** Mixing μ ∈ [0, 1]: the fraction of each node's edges that leave its community. */
  mu: number;
  nodes?: number;
  /** Exponent of the degree distribution. */
  tau1?: number;
  /** Exponent of the community size distribution. */
  tau2?: number;
  averageDegree?: number;
  maxDegree?: number;
  minCommunity?: number;
  maxCommunity?: number;
  seed?: number;
}

/** The standard parameters (the paper's and networkx's examples): n 1000, τ1 3, τ2 1.5, ⟨k⟩ 20, k_max 50, sizes 20–100. */
export const LFR_DEFAULTS = {
  nodes: 1000,
  tau1: 3,
  tau2: 1.5,
  averageDegree: 20,
  maxDegree: 50,
  minCommunity: 20,
  maxCommunity: 100,
} as const;

export interface LfrGraph {
  /** Undirected (both directions stored); y = community. */
  graph: Graph;
  community: Int32Array;
  /** The degrees drawn (the graph's may fall short by the few edges no swap could place). */
  degree: Int32Array;
  sizes: number[];
  /** The real-valued minimum degree that gives the asked mean. */
  minDegree: number;
  /** Edge ends that could not be wired without a self-loop, a repeated pair or a wrong side. */
  droppedStubs: number;
}

const fail = (msg: string): never => {
  throw new FlambeauError("E_ARG", `lfrBenchmark: ${msg}`, "lfrBenchmark");
};

/** ∫_lo^hi x^(−a) dx. */
function integral(a: number, lo: number, hi: number): number {
  return Math.abs(a - 1) < 1e-12 ? Math.log(hi / lo) : (hi ** (1 - a) - lo ** (1 - a)) / (1 - a);
}

/** Mean of the continuous power law x^(−τ) on [lo, hi]. */
export function powerLawMean(tau: number, lo: number, hi: number): number {
  return integral(tau - 1, lo, hi) / integral(tau, lo, hi);
}

/** Mean of the power law x^(−τ) on [lo, hi] rounded to integers (the degrees drawn are rounded draws). */
export function roundedPowerLawMean(tau: number, lo: number, hi: number): number {
  const z = integral(tau, lo, hi);
  let mean = 0;
  for (let k = Math.round(lo); k <= Math.round(hi); k++) mean += (k * integral(tau, Math.max(lo, k - 0.5), Math.min(hi, k + 0.5))) / z;
  return mean;
}

/**
 * The real lower bound that gives a power law of exponent τ up to `hi`, rounded to integers,
 * the mean `mean` (bisection: the mean grows with the bound).
 */
export function powerLawMinimum(tau: number, mean: number, hi: number): number {
  if (!(mean < hi)) fail(`the average degree ${mean} must be below the maximum degree ${hi}`);
  if (roundedPowerLawMean(tau, 1, hi) > mean) fail(`no minimum degree ≥ 1 gives mean ${mean} with τ1 ${tau} and maximum ${hi}`);
  let lo = 1;
  let up = hi;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + up) / 2;
    if (roundedPowerLawMean(tau, mid, hi) < mean) lo = mid;
    else up = mid;
  }
  return (lo + up) / 2;
}

/** A draw from the continuous power law x^(−τ) on [lo, hi] (inverse CDF). */
function drawPowerLaw(tau: number, lo: number, hi: number, rng: Random): number {
  const u = rng.nextFloat();
  if (Math.abs(tau - 1) < 1e-12) return lo * (hi / lo) ** u;
  const a = 1 - tau;
  return (lo ** a + u * (hi ** a - lo ** a)) ** (1 / a);
}

/** Community sizes from the power law, rounded, summing to n exactly (the last size fitted, else a fresh draw). */
function communitySizes(n: number, tau2: number, lo: number, hi: number, rng: Random): number[] {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const sizes: number[] = [];
    let sum = 0;
    while (sum < n) {
      const s = Math.round(drawPowerLaw(tau2, lo, hi, rng));
      sizes.push(s);
      sum += s;
    }
    const last = sizes[sizes.length - 1]! - (sum - n);
    if (last >= lo) {
      sizes[sizes.length - 1] = last;
      return sizes;
    }
  }
  return fail(`no community sizes in [${lo}, ${hi}] sum to ${n}`);
}

/**
 * Pairs shuffled stubs into edges, then repairs the ones `ok` rejects (or that repeat a pair in
 * `taken`) by swapping an end with a random other edge; what no swap fixes is dropped.
 */
function wire(
  stubs: number[],
  ok: (a: number, b: number) => boolean,
  taken: Set<number>,
  n: number,
  rng: Random,
): { edges: number[]; dropped: number } {
  rng.shuffle(stubs);
  const m = stubs.length >> 1;
  const key = (a: number, b: number) => (a < b ? a * n + b : b * n + a);
  const valid = new Uint8Array(m);
  const bad: number[] = [];
  for (let i = 0; i < m; i++) {
    const a = stubs[2 * i]!;
    const b = stubs[2 * i + 1]!;
    if (a !== b && ok(a, b) && !taken.has(key(a, b))) {
      taken.add(key(a, b));
      valid[i] = 1;
    } else bad.push(i);
  }
  const fits = (a: number, b: number) => a !== b && ok(a, b) && !taken.has(key(a, b));
  for (const i of bad) {
    for (let t = 0; t < 100 && !valid[i] && m > 1; t++) {
      const j = rng.int(m);
      if (j === i) continue;
      const a = stubs[2 * i]!;
      const b = stubs[2 * i + 1]!;
      const flip = rng.nextFloat() < 0.5;
      const c = stubs[2 * j + (flip ? 1 : 0)]!;
      const d = stubs[2 * j + (flip ? 0 : 1)]!;
      // (a, b) + (c, d) → (a, c) + (b, d): every node keeps its degree.
      if (valid[j]) taken.delete(key(c, d));
      if (fits(a, c) && fits(b, d) && key(a, c) !== key(b, d)) {
        taken.add(key(a, c));
        taken.add(key(b, d));
        stubs[2 * i + 1] = c;
        stubs[2 * j] = b;
        stubs[2 * j + 1] = d;
        valid[i] = 1;
        valid[j] = 1;
      } else if (valid[j]) taken.add(key(c, d));
    }
  }
  const edges: number[] = [];
  for (let i = 0; i < m; i++) if (valid[i]) edges.push(stubs[2 * i]!, stubs[2 * i + 1]!);
  return { edges, dropped: stubs.length - edges.length };
}

/** An LFR benchmark graph with its planted communities (seeded). */
export function lfrBenchmark(o: LfrOptions): LfrGraph {
  const n = o.nodes ?? LFR_DEFAULTS.nodes;
  const tau1 = o.tau1 ?? LFR_DEFAULTS.tau1;
  const tau2 = o.tau2 ?? LFR_DEFAULTS.tau2;
  const avg = o.averageDegree ?? LFR_DEFAULTS.averageDegree;
  const kmax = o.maxDegree ?? LFR_DEFAULTS.maxDegree;
  const cmin = o.minCommunity ?? LFR_DEFAULTS.minCommunity;
  const cmax = o.maxCommunity ?? LFR_DEFAULTS.maxCommunity;
  const mu = o.mu;
  if (!(mu >= 0 && mu <= 1)) fail(`mu must be in [0, 1], got ${mu}`);
  if (!Number.isInteger(n) || n < 2) fail(`nodes must be an integer ≥ 2, got ${n}`);
  if (!(tau1 > 1) || !(tau2 > 0)) fail(`need τ1 > 1 and τ2 > 0, got ${tau1} and ${tau2}`);
  if (!(cmin >= 2 && cmin <= cmax && cmin <= n)) fail(`community sizes [${cmin}, ${cmax}] do not fit ${n} nodes`);
  if (!(kmax < n)) fail(`maximum degree ${kmax} must be below the node count ${n}`);
  if (Math.round((1 - mu) * kmax) >= cmax)
    fail(`a node of degree ${kmax} keeps ${Math.round((1 - mu) * kmax)} edges inside, more than the largest community (${cmax}) allows`);
  const rng = new Random(o.seed ?? 0, 0x1f2);
  const kmin = powerLawMinimum(tau1, avg, kmax);
  const degree = Int32Array.from({ length: n }, () => Math.round(drawPowerLaw(tau1, kmin, kmax, rng)));
  const inner = degree.map((k) => Math.round((1 - mu) * k));
  const sizes = communitySizes(n, tau2, cmin, cmax, rng);

  // Placement: a free node joins a random community whose size exceeds its internal degree; an
  // overfull community sends a random member back to the free list.
  const members: number[][] = sizes.map(() => []);
  const free = Array.from(rng.permutation(n));
  for (let it = 0; free.length > 0; it++) {
    if (it > 100 * n) fail(`could not place ${free.length} nodes in communities large enough for their internal degrees`);
    const v = free.pop()!;
    const c = rng.int(sizes.length);
    if (inner[v]! >= sizes[c]!) {
      free.push(v);
      continue;
    }
    members[c]!.push(v);
    if (members[c]!.length > sizes[c]!) {
      const out = rng.int(members[c]!.length);
      free.push(members[c]![out]!);
      members[c]![out] = members[c]![members[c]!.length - 1]!;
      members[c]!.pop();
    }
  }
  const community = new Int32Array(n);
  members.forEach((m, c) => {
    for (const v of m) community[v] = c;
  });

  const taken = new Set<number>();
  const src: number[] = [];
  let dropped = 0;
  for (const m of members) {
    // An odd stub count cannot pair up: move one end of a member between inside and outside.
    let sum = 0;
    for (const v of m) sum += inner[v]!;
    if (sum % 2 === 1) {
      const v = m.find((u) => inner[u]! < degree[u]!) ?? m.find((u) => inner[u]! > 0)!;
      inner[v]! += inner[v]! < degree[v]! ? 1 : -1;
    }
    const stubs: number[] = [];
    for (const v of m) for (let s = 0; s < inner[v]!; s++) stubs.push(v);
    const r = wire(stubs, () => true, taken, n, rng);
    src.push(...r.edges);
    dropped += r.dropped;
  }
  const outer: number[] = [];
  for (let v = 0; v < n; v++) for (let s = inner[v]!; s < degree[v]!; s++) outer.push(v);
  const r = wire(outer, (a, b) => community[a] !== community[b], taken, n, rng);
  for (const x of r.edges) src.push(x);
  dropped += r.dropped;

  const e = src.length;
  const ei = new BigInt64Array(2 * e);
  for (let k = 0; k < e; k += 2) {
    ei[k] = BigInt(src[k]!);
    ei[k + 1] = BigInt(src[k + 1]!);
    ei[e + k] = BigInt(src[k + 1]!);
    ei[e + k + 1] = BigInt(src[k]!);
  }
  const graph = new Graph({
    edgeIndex: tensor(ei, { shape: [2, e] }),
    numNodes: n,
    y: tensor(BigInt64Array.from(community, (c) => BigInt(c))),
    directed: false,
  });
  return { graph, community, degree, sizes, minDegree: kmin, droppedStubs: dropped };
}
