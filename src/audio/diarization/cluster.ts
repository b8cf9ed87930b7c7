// Agglomerative clustering of speaker embeddings, average linkage on cosine similarity: the
// two most similar clusters merge while their mean pairwise similarity is above `threshold`,
// so the number of speakers comes out of the data (the threshold is tuned on validation
// recordings). Clusters smaller than `minSize` then join their nearest large cluster: a
// window or two of overlap or noise should not count as a speaker.
import { FlambeauError } from "../../core/errors.js";

export interface ClusterOptions {
  /** Merge while average cosine similarity > threshold (in [-1, 1]). */
  threshold: number;
  /** Clusters with fewer members join the most similar larger one (default 1: keep all). */
  minSize?: number;
}

function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const k = 1 / Math.max(1e-12, Math.sqrt(s));
  return v.map((x) => x * k);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Cluster labels 0…k-1 (numbered by first appearance) of `embeddings`. */
export function agglomerativeCosine(embeddings: readonly Float32Array[], o: ClusterOptions): number[] {
  const n = embeddings.length;
  if (!(o.threshold >= -1 && o.threshold <= 1))
    throw new FlambeauError("E_ARG", `agglomerativeCosine: threshold must be in [-1, 1], got ${o.threshold}`, "agglomerativeCosine");
  if (n === 0) return [];
  const d = embeddings[0]!.length;
  if (embeddings.some((e) => e.length !== d))
    throw new FlambeauError("E_ARG", "agglomerativeCosine: embeddings must all have the same length", "agglomerativeCosine");
  const u = embeddings.map(unit);
  const sim: Float64Array[] = u.map((a) => Float64Array.from(u, (b) => dot(a, b)));
  const size = new Array<number>(n).fill(1);
  const alive = new Array<boolean>(n).fill(true);
  const owner = Array.from({ length: n }, (_, i) => i);
  for (;;) {
    let best = -Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      for (let j = i + 1; j < n; j++)
        if (alive[j] && sim[i]![j]! > best) {
          best = sim[i]![j]!;
          bi = i;
          bj = j;
        }
    }
    if (bi < 0 || best <= o.threshold) break;
    // Lance–Williams update for average linkage: the merged cluster's similarity is the size-weighted mean.
    const [na, nb] = [size[bi]!, size[bj]!];
    for (let k = 0; k < n; k++) {
      if (!alive[k] || k === bi || k === bj) continue;
      const s = (na * sim[bi]![k]! + nb * sim[bj]![k]!) / (na + nb);
      sim[bi]![k] = s;
      sim[k]![bi] = s;
    }
    size[bi] = na + nb;
    alive[bj] = false;
    for (let k = 0; k < n; k++) if (owner[k] === bj) owner[k] = bi;
  }
  const minSize = o.minSize ?? 1;
  const big = [...new Set(owner)].filter((c) => size[c]! >= minSize);
  if (big.length > 0 && big.length < new Set(owner).size) {
    const centroid = (c: number) => {
      const m = new Float32Array(d);
      owner.forEach((w, k) => {
        if (w === c) for (let t = 0; t < d; t++) m[t]! += u[k]![t]!;
      });
      return unit(m);
    };
    const cents = new Map(big.map((c) => [c, centroid(c)]));
    for (let k = 0; k < n; k++) {
      if (size[owner[k]!]! >= minSize) continue;
      let bestC = big[0]!;
      for (const c of big) if (dot(u[k]!, cents.get(c)!) > dot(u[k]!, cents.get(bestC)!)) bestC = c;
      owner[k] = bestC;
    }
  }
  const relabel = new Map<number, number>();
  return owner.map((c) => {
    if (!relabel.has(c)) relabel.set(c, relabel.size);
    return relabel.get(c)!;
  });
}
