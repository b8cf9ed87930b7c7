// Nearest-neighbour indexes over embedding rows: exact (one matmul + topk per chunk of
// queries, on the engine) and approximate (HNSW from hnswlib-node) for large galleries.
import type * as Hnsw from "hnswlib-node";
import { argError } from "../../core/errors.js";
import { cat, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { requireOptional } from "../../core/optional.js";

export type Metric = "cosine" | "l2";

export interface SearchResult {
  /** int64 [Q, k] gallery rows, best first. */
  indices: Tensor;
  /** [Q, k] cosine similarity, or negative squared distance for l2: larger is closer. */
  scores: Tensor;
}

export interface SearchOptions {
  /** Gallery row of each query to leave out (the query itself, when queries come from the gallery). */
  exclude?: readonly number[];
}

export interface NeighborIndex {
  readonly size: number;
  search(queries: Tensor, k: number, o?: SearchOptions): SearchResult;
  dispose(): void;
}

function checkRows(op: string, x: Tensor, dim?: number): void {
  if (x.ndim !== 2) argError(op, `expects rows [N, D], got [${x.shape.join(", ")}]`);
  if (dim !== undefined && x.shape[1] !== dim) argError(op, `queries have ${x.shape[1]} dims, the gallery ${dim}`);
}
function checkK(op: string, k: number, size: number, o: SearchOptions, q: number): number {
  const avail = size - (o.exclude ? 1 : 0);
  if (!Number.isInteger(k) || k < 1 || k > avail) argError(op, `k must be an integer in [1, ${avail}], got ${k}`);
  if (o.exclude && o.exclude.length !== q) argError(op, `exclude needs one row per query (${q}), got ${o.exclude.length}`);
  return k;
}

export const normalizeRows = (x: Tensor): Tensor => x.div(x.norm(2, { dim: [1], keepdim: true }).clamp(1e-12, Number.POSITIVE_INFINITY));

const CHUNK = 512;

/** Exact search: the score of every gallery row, best k by topk. */
export class ExactIndex implements NeighborIndex {
  readonly #gallery: Tensor;
  readonly #sqNorms: Tensor;
  readonly metric: Metric;
  constructor(gallery: Tensor, o: { metric?: Metric } = {}) {
    checkRows("ExactIndex", gallery);
    this.metric = o.metric ?? "cosine";
    this.#gallery = noGrad(() => (this.metric === "cosine" ? normalizeRows(gallery.float()) : gallery.float().contiguous())).keep();
    this.#sqNorms = noGrad(() => this.#gallery.square().sum({ dim: 1 })).keep();
  }
  get size(): number {
    return this.#gallery.shape[0]!;
  }
  search(queries: Tensor, k: number, o: SearchOptions = {}): SearchResult {
    checkRows("ExactIndex.search", queries, this.#gallery.shape[1]);
    const q = queries.shape[0]!;
    checkK("ExactIndex.search", k, this.size, o, q);
    const idx: Tensor[] = [];
    const val: Tensor[] = [];
    for (let s = 0; s < q; s += CHUNK) {
      const n = Math.min(CHUNK, q - s);
      noGrad(() =>
        tidy(() => {
          const qs = queries.narrow(0, s, n).float();
          let scores =
            this.metric === "cosine"
              ? normalizeRows(qs).matmul(this.#gallery.t())
              : qs
                  .matmul(this.#gallery.t())
                  .mul(2)
                  .sub(this.#sqNorms)
                  .sub(qs.square().sum({ dim: 1, keepdim: true }));
          if (o.exclude) {
            const ex = tensor(
              BigInt64Array.from(o.exclude.slice(s, s + n), (r) => BigInt(r)),
              { shape: [n, 1] },
            );
            scores = scores.scatter(1, ex, Number.NEGATIVE_INFINITY);
          }
          const top = scores.topk(k, 1);
          idx.push(top.indices.keep());
          val.push(top.values.keep());
        }),
      );
    }
    return { indices: join(idx), scores: join(val) };
  }
  dispose(): void {
    this.#gallery.dispose();
    this.#sqNorms.dispose();
  }
}

function join(ts: Tensor[]): Tensor {
  if (ts.length === 1) return ts[0]!;
  const out = cat(ts, 0);
  for (const t of ts) t.dispose();
  return out;
}

export interface HnswOptions {
  metric?: Metric;
  /** Graph degree (hnswlib's M). */
  m?: number;
  efConstruction?: number;
  /** Search breadth; raised to k when smaller. */
  ef?: number;
  seed?: number;
}

/** Approximate search on an HNSW graph (Malkov & Yashunin 2018), via hnswlib-node. */
export class HnswIndex implements NeighborIndex {
  readonly #index: Hnsw.HierarchicalNSW;
  readonly #ef: number;
  readonly size: number;
  readonly metric: Metric;
  constructor(gallery: Tensor, o: HnswOptions = {}) {
    checkRows("HnswIndex", gallery);
    const { HierarchicalNSW } = requireOptional<typeof Hnsw>("hnswlib-node", "approximate search (HNSW)", "HnswIndex");
    this.metric = o.metric ?? "cosine";
    const [n, d] = gallery.shape as [number, number];
    this.size = n;
    this.#ef = o.ef ?? 64;
    this.#index = new HierarchicalNSW(this.metric === "cosine" ? "cosine" : "l2", d);
    this.#index.initIndex({ maxElements: n, m: o.m ?? 16, efConstruction: o.efConstruction ?? 200, randomSeed: o.seed ?? 100 });
    const rows = gallery.float().contiguous().data() as Float32Array;
    for (let i = 0; i < n; i++) this.#index.addPoint(Array.from(rows.subarray(i * d, (i + 1) * d)), i);
  }
  search(queries: Tensor, k: number, o: SearchOptions = {}): SearchResult {
    checkRows("HnswIndex.search", queries, this.#index.getNumDimensions());
    const [q, d] = queries.shape as [number, number];
    checkK("HnswIndex.search", k, this.size, o, q);
    this.#index.setEf(Math.max(this.#ef, k + 1));
    const rows = queries.float().contiguous().data() as Float32Array;
    const ids = new BigInt64Array(q * k);
    const sc = new Float32Array(q * k);
    for (let i = 0; i < q; i++) {
      const ex = o.exclude?.[i];
      const r = this.#index.searchKnn(
        Array.from(rows.subarray(i * d, (i + 1) * d)),
        k,
        ex === undefined ? undefined : (label) => label !== ex,
      );
      // hnswlib returns distances (1 − cos or squared L2), nearest first.
      for (let j = 0; j < k; j++) {
        ids[i * k + j] = BigInt(r.neighbors[j] ?? -1);
        const dist = r.distances[j] ?? Number.POSITIVE_INFINITY;
        sc[i * k + j] = this.metric === "cosine" ? 1 - dist : -dist;
      }
    }
    return { indices: tensor(ids, { shape: [q, k] }), scores: tensor(sc, { shape: [q, k] }) };
  }
  dispose(): void {}
}

/** Galleries at least this large get an HNSW index when `approximate` is "auto". */
export const HNSW_THRESHOLD = 50_000;

export function buildIndex(gallery: Tensor, o: { metric?: Metric; approximate?: boolean | "auto" } = {}): NeighborIndex {
  const approx = o.approximate ?? "auto";
  const useHnsw = approx === true || (approx === "auto" && gallery.shape[0]! >= HNSW_THRESHOLD);
  return useHnsw ? new HnswIndex(gallery, { metric: o.metric }) : new ExactIndex(gallery, { metric: o.metric });
}
