// Communities: k-means on node embeddings (on the engine), Louvain (graphology), and the
// scores that compare them — modularity, and agreement with known groups (ARI, best-matching accuracy).
import { createRequire } from "node:module";
import { FlambeauError } from "../core/errors.js";
import { noGrad, ones, type Tensor, tensor, tidy, zeros } from "../core/index.js";
import { Random } from "../data/random.js";
import { toGraphology } from "./convert.js";
import type { Graph } from "./graph.js";

/** k-means++ seeding then Lloyd iterations, best of a few restarts; the cluster of each row of `x` [N, D]. */
export function kMeans(
  x: Tensor,
  k: number,
  o: { iterations?: number; seed?: number; restarts?: number } = {},
): { labels: Int32Array; inertia: number } {
  const n = x.shape[0]!;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new FlambeauError("E_ARG", `kMeans: k must be in [1, ${n}], got ${k}`, "kMeans");
  const rng = new Random(o.seed ?? 0, 0xc1);
  let best: { labels: Int32Array; inertia: number } | null = null;
  for (let r = 0; r < (o.restarts ?? 4); r++) {
    const run = noGrad(() =>
      tidy(() => {
        const xf = x.float();
        // k-means++: each next centre drawn with probability ∝ squared distance to the nearest one.
        const centres: number[] = [rng.int(n)];
        let d2 = xf.sub(xf.select(0, centres[0]!)).square().sum({ dim: 1 });
        while (centres.length < k) {
          const w = d2.data() as Float32Array;
          let total = 0;
          for (const v of w) total += v;
          let u = rng.nextFloat() * total;
          let pick = n - 1;
          for (let i = 0; i < n; i++) {
            u -= w[i]!;
            if (u <= 0) {
              pick = i;
              break;
            }
          }
          centres.push(pick);
          d2 = d2.minimum(xf.sub(xf.select(0, pick)).square().sum({ dim: 1 }));
        }
        let c = xf.indexSelect(0, tensor(BigInt64Array.from(centres, BigInt)));
        let assign = zeros([n], { dtype: "int64" });
        const sq = xf.square().sum({ dim: 1, keepdim: true });
        for (let it = 0; it < (o.iterations ?? 50); it++) {
          const dist = sq.sub(xf.matmul(c.t()).mul(2)).add(c.square().sum({ dim: 1 }).view(1, -1));
          const next = dist.argmin(1);
          const changed = it === 0 || next.ne(assign).any().itemBool();
          assign = next;
          const counts = zeros([k]).indexAdd(0, assign, ones([n]));
          const sums = zeros([k, xf.shape[1]!]).indexAdd(0, assign, xf);
          // An empty cluster keeps its old centre.
          c = sums.div(counts.clamp(1).view(-1, 1)).where(counts.gt(0).view(-1, 1), c);
          if (!changed) break;
        }
        const inertia = xf.sub(c.indexSelect(0, assign)).square().sum().item();
        return { labels: Int32Array.from(assign.data() as BigInt64Array, Number), inertia };
      }),
    );
    if (!best || run.inertia < best.inertia) best = run;
  }
  return best!;
}

/** Newman's modularity of a partition of an undirected graph (each undirected edge stored both ways, as Graph.toUndirected gives). */
export function modularity(g: Graph, community: ArrayLike<number>): number {
  const d = g.edgeIndex.data() as BigInt64Array;
  const e = g.numEdges;
  const deg = new Float64Array(g.numNodes);
  const inside = new Map<number, number>();
  const total = new Map<number, number>();
  for (let k = 0; k < e; k++) {
    const a = Number(d[k]);
    const b = Number(d[e + k]);
    deg[a]! += 1;
    if (community[a] === community[b]) inside.set(community[a]!, (inside.get(community[a]!) ?? 0) + 1);
  }
  for (let i = 0; i < g.numNodes; i++) total.set(community[i]!, (total.get(community[i]!) ?? 0) + deg[i]!);
  // e counts each undirected edge twice: 2m = e.
  let q = 0;
  for (const [c, t] of total) q += (inside.get(c) ?? 0) / e - (t / e) ** 2;
  return q;
}

/** The contingency table of two partitions: joint counts and each partition's cluster sizes. */
function contingency(a: ArrayLike<number>, b: ArrayLike<number>) {
  const pair = new Map<string, number>();
  const ca = new Map<number, number>();
  const cb = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    pair.set(`${a[i]},${b[i]}`, (pair.get(`${a[i]},${b[i]}`) ?? 0) + 1);
    ca.set(a[i]!, (ca.get(a[i]!) ?? 0) + 1);
    cb.set(b[i]!, (cb.get(b[i]!) ?? 0) + 1);
  }
  return { pair, ca, cb };
}

/** Adjusted Rand index of two partitions (1 = identical, ≈0 = chance). */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const { pair, ca, cb } = contingency(a, b);
  const c2 = (v: number) => (v * (v - 1)) / 2;
  let index = 0;
  for (const v of pair.values()) index += c2(v);
  let sa = 0;
  let sb = 0;
  for (const v of ca.values()) sa += c2(v);
  for (const v of cb.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/**
 * Normalized mutual information of two partitions, I(a; b) / mean(H(a), H(b)) (natural logs;
 * the arithmetic normalisation, scikit-learn's default). Two single-cluster partitions score 1.
 */
export function normalizedMutualInfo(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new FlambeauError("E_ARG", `normalizedMutualInfo: partitions of ${n} and ${b.length} nodes`);
  const { pair, ca, cb } = contingency(a, b);
  const entropy = (m: Map<number, number>) => [...m.values()].reduce((h, c) => h - (c / n) * Math.log(c / n), 0);
  const ha = entropy(ca);
  const hb = entropy(cb);
  if (ha === 0 && hb === 0) return 1;
  let mi = 0;
  for (const [key, c] of pair) {
    const [x, y] = key.split(",").map(Number) as [number, number];
    mi += (c / n) * Math.log((c * n) / (ca.get(x)! * cb.get(y)!));
  }
  return Math.max(0, mi / ((ha + hb) / 2));
}

/** Fraction of nodes whose cluster maps to their true group under the best one-to-one matching (two or three groups). */
export function matchedAccuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  const ks = [...new Set(Array.from(pred))];
  const ts = [...new Set(Array.from(truth))];
  const perms = (xs: number[]): number[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
  if (ks.length > 6) throw new FlambeauError("E_ARG", `matchedAccuracy: ${ks.length} clusters is too many to match exhaustively`);
  let best = 0;
  for (const p of perms(ts.length >= ks.length ? ts : [...ts, ...Array.from({ length: ks.length - ts.length }, (_, i) => -1 - i)])) {
    const map = new Map(ks.map((k, i) => [k, p[i]]));
    let hit = 0;
    for (let i = 0; i < pred.length; i++) if (map.get(pred[i]!) === truth[i]) hit++;
    best = Math.max(best, hit / pred.length);
  }
  return best;
}

type Louvain = {
  detailed(
    g: unknown,
    o?: { rng?: () => number; resolution?: number },
  ): { communities: Record<string, number>; modularity: number; count: number };
};
const louvainImpl = createRequire(import.meta.url)("graphology-communities-louvain") as Louvain;

/** Louvain communities (graphology-communities-louvain), seeded. */
export function louvain(
  g: Graph,
  o: { seed?: number; resolution?: number } = {},
): { labels: Int32Array; modularity: number; count: number } {
  const gg = toGraphology(g.directed ? g.toUndirected() : g);
  const rng = new Random(o.seed ?? 0, 0x10);
  const r = louvainImpl.detailed(gg, { rng: () => rng.nextFloat(), resolution: o.resolution ?? 1 });
  const labels = Int32Array.from({ length: g.numNodes }, (_, i) => r.communities[g.nodeNames?.[i] ?? String(i)]!);
  return { labels, modularity: r.modularity, count: r.count };
}
