// Approximate nearest-neighbour search by a hierarchical navigable small world graph (Malkov &
// Yashunin 2018, "Efficient and robust approximate nearest neighbor search using Hierarchical
// Navigable Small World graphs", Algorithms 1–5) over unit vectors, by inner product (cosine).
// Each point gets a random top layer (exponentially fewer points per layer); a query descends
// greedily through the sparse upper layers and runs a best-first search of width ef on layer 0.
// Neighbours are chosen by the paper's heuristic (Algorithm 4): a candidate is kept only if it
// is closer to the new point than to every neighbour kept so far, which keeps links spread
// across clusters instead of all pointing into the nearest one.
import { FlambeauError } from "../../core/errors.js";
import { Random } from "../../data/random.js";

const OP = "HnswIndex";

export interface HnswOptions {
  /** Links per point on the upper layers (layer 0 keeps 2M); default 16. */
  m?: number;
  /** Search width while building; default 200. */
  efConstruction?: number;
  seed?: number;
}

/** A binary heap of (score, id) ordered by `better` (the root is the best). */
class Heap {
  readonly score: number[] = [];
  readonly id: number[] = [];
  constructor(private readonly better: (a: number, b: number) => boolean) {}
  get size(): number {
    return this.id.length;
  }
  push(s: number, i: number): void {
    this.score.push(s);
    this.id.push(i);
    let k = this.id.length - 1;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!this.better(this.score[k]!, this.score[p]!)) break;
      this.swap(k, p);
      k = p;
    }
  }
  pop(): [number, number] {
    const top: [number, number] = [this.score[0]!, this.id[0]!];
    const ls = this.score.pop()!;
    const li = this.id.pop()!;
    if (this.id.length > 0) {
      this.score[0] = ls;
      this.id[0] = li;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let b = k;
        if (l < this.id.length && this.better(this.score[l]!, this.score[b]!)) b = l;
        if (r < this.id.length && this.better(this.score[r]!, this.score[b]!)) b = r;
        if (b === k) break;
        this.swap(k, b);
        k = b;
      }
    }
    return top;
  }
  private swap(a: number, b: number): void {
    [this.score[a], this.score[b]] = [this.score[b]!, this.score[a]!];
    [this.id[a], this.id[b]] = [this.id[b]!, this.id[a]!];
  }
}

export class HnswIndex {
  readonly dim: number;
  readonly m: number;
  readonly efConstruction: number;
  readonly #data: Float32Array;
  /** links[level][point]: neighbour ids (absent above the point's top layer). */
  readonly #links: (number[] | undefined)[][] = [];
  #entry = -1;
  #top = -1;
  readonly #rng: Random;
  readonly #mL: number;
  size = 0;

  /** Builds the graph over `vectors` [n × dim] (unit rows: the score is their inner product). */
  constructor(vectors: Float32Array, dim: number, o: HnswOptions = {}) {
    this.dim = dim;
    this.m = o.m ?? 16;
    this.efConstruction = o.efConstruction ?? 200;
    if (!Number.isInteger(dim) || dim < 1 || vectors.length % dim !== 0)
      throw new FlambeauError("E_SHAPE", `${OP}: ${vectors.length} values are not rows of dim ${dim}`, OP);
    if (!Number.isInteger(this.m) || this.m < 2) throw new FlambeauError("E_ARG", `${OP}: m must be an integer ≥ 2, got ${this.m}`, OP);
    if (!Number.isInteger(this.efConstruction) || this.efConstruction < 1)
      throw new FlambeauError("E_ARG", `${OP}: efConstruction must be a positive integer, got ${this.efConstruction}`, OP);
    this.#data = vectors;
    this.#rng = new Random(o.seed ?? 0, 4711);
    this.#mL = 1 / Math.log(this.m);
    const n = vectors.length / dim;
    for (let i = 0; i < n; i++) this.#insert(i);
  }

  #dot(a: number, q: Float32Array, qo: number): number {
    const d = this.dim;
    const x = this.#data;
    let s = 0;
    for (let k = 0, ao = a * d; k < d; k++) s += x[ao + k]! * q[qo + k]!;
    return s;
  }

  /** Algorithm 2: the ef best points of layer `level` reachable from `entries` (best first). */
  #searchLayer(q: Float32Array, qo: number, entries: readonly number[], ef: number, level: number): { id: number[]; score: number[] } {
    const seen = new Set<number>(entries);
    const candidates = new Heap((a, b) => a > b); // best first
    const found = new Heap((a, b) => a < b); // worst first, so it can be trimmed
    for (const e of entries) {
      const s = this.#dot(e, q, qo);
      candidates.push(s, e);
      found.push(s, e);
    }
    while (candidates.size > 0) {
      const [s, c] = candidates.pop();
      if (found.size >= ef && s < found.score[0]!) break;
      for (const nb of this.#links[level]![c] ?? []) {
        if (seen.has(nb)) continue;
        seen.add(nb);
        const sn = this.#dot(nb, q, qo);
        if (found.size < ef || sn > found.score[0]!) {
          candidates.push(sn, nb);
          found.push(sn, nb);
          if (found.size > ef) found.pop();
        }
      }
    }
    const id: number[] = [];
    const score: number[] = [];
    while (found.size > 0) {
      const [s, i] = found.pop();
      id.push(i);
      score.push(s);
    }
    return { id: id.reverse(), score: score.reverse() };
  }

  /** Algorithm 4 without extension: candidates (best first) kept when closer to the point than to any kept neighbour. */
  #selectNeighbors(candidates: { id: number[]; score: number[] }, max: number): number[] {
    const kept: number[] = [];
    for (let k = 0; k < candidates.id.length && kept.length < max; k++) {
      const c = candidates.id[k]!;
      const s = candidates.score[k]!;
      if (kept.every((r) => this.#dot(r, this.#data, c * this.dim) < s)) kept.push(c);
    }
    // Fill up with the nearest pruned ones, so sparse regions still get max links (keepPrunedConnections).
    for (let k = 0; k < candidates.id.length && kept.length < max; k++) if (!kept.includes(candidates.id[k]!)) kept.push(candidates.id[k]!);
    return kept;
  }

  #insert(p: number): void {
    const level = Math.floor(-Math.log(1 - this.#rng.nextFloat()) * this.#mL);
    for (let l = this.#links.length; l <= level; l++) this.#links.push([]);
    this.size++;
    if (this.#entry < 0) {
      for (let l = 0; l <= level; l++) this.#links[l]![p] = [];
      this.#entry = p;
      this.#top = level;
      return;
    }
    const qo = p * this.dim;
    let ep = [this.#entry];
    for (let l = this.#top; l > level; l--) ep = this.#searchLayer(this.#data, qo, ep, 1, l).id.slice(0, 1);
    for (let l = Math.min(level, this.#top); l >= 0; l--) {
      const w = this.#searchLayer(this.#data, qo, ep, this.efConstruction, l);
      const max = l === 0 ? 2 * this.m : this.m;
      const neighbours = this.#selectNeighbors(w, this.m);
      this.#links[l]![p] = neighbours;
      for (const nb of neighbours) {
        const list = this.#links[l]![nb]!;
        list.push(p);
        if (list.length > max) {
          const no = nb * this.dim;
          const scored = list.map((x) => ({ x, s: this.#dot(x, this.#data, no) })).sort((a, b) => b.s - a.s);
          this.#links[l]![nb] = this.#selectNeighbors({ id: scored.map((e) => e.x), score: scored.map((e) => e.s) }, max);
        }
      }
      ep = w.id;
    }
    for (let l = this.#top + 1; l <= level; l++) this.#links[l]![p] = [];
    if (level > this.#top) {
      this.#top = level;
      this.#entry = p;
    }
  }

  /** The k points of largest inner product with `query` [dim], best first, searching with width ef (≥ k; default max(64, k)). */
  search(query: Float32Array, k: number, ef?: number): { ids: number[]; scores: number[] } {
    if (query.length !== this.dim)
      throw new FlambeauError("E_SHAPE", `${OP}: the query has ${query.length} values, the index ${this.dim}`, OP);
    if (this.size === 0) throw new FlambeauError("E_STATE", `${OP}: the index is empty`, OP);
    if (!Number.isInteger(k) || k < 1) throw new FlambeauError("E_ARG", `${OP}: k must be a positive integer, got ${k}`, OP);
    const width = Math.max(ef ?? 64, k);
    let ep = [this.#entry];
    for (let l = this.#top; l > 0; l--) ep = this.#searchLayer(query, 0, ep, 1, l).id.slice(0, 1);
    const w = this.#searchLayer(query, 0, ep, width, 0);
    return { ids: w.id.slice(0, k), scores: w.score.slice(0, k) };
  }
}
