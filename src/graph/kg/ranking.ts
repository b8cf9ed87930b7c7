// Link-prediction ranking metrics for knowledge graphs (Bordes et al. 2013): each test triple
// (h, r, t) asks two queries, (h, r, ?) and (?, r, t); the true entity is ranked against every
// entity by score. "Filtered": the other entities that also make a known true triple (in
// train, valid or test) are removed from the ranking first; "raw" keeps them. Ties are
// resolved by their expectation under a random order: with g entities scored above and u
// tied with the true one, its rank is uniform on g+1 … g+u+1 — a constant scorer gets no credit.
import { FlambeauError } from "../../core/errors.js";
import type { Triples } from "./triples.js";

export const HITS_AT = [1, 3, 10] as const;

/** Entities strictly above, and tied with, the true one in one query (after filtering). */
export interface RankCount {
  greater: number;
  ties: number;
}

export interface RankMetrics {
  mrr: number;
  /** Mean rank. */
  mr: number;
  "hits@1": number;
  "hits@3": number;
  "hits@10": number;
  queries: number;
}

/** The known answers of each query: tails of (h, r) and heads of (r, t). */
export class TripleFilter {
  readonly #tails = new Map<number, Set<number>>();
  readonly #heads = new Map<number, Set<number>>();
  readonly #n: number;
  constructor(numEntities: number, numRelations: number, ...sets: readonly Triples[]) {
    this.#n = numEntities;
    if (numEntities * numRelations > Number.MAX_SAFE_INTEGER)
      throw new FlambeauError("E_ARG", `TripleFilter: ${numEntities} entities × ${numRelations} relations overflow the query keys`);
    for (const s of sets)
      for (let k = 0; k < s.heads.length; k++) {
        add(this.#tails, s.heads[k]! * numRelations + s.relations[k]!, s.tails[k]!);
        add(this.#heads, s.tails[k]! * numRelations + s.relations[k]!, s.heads[k]!);
      }
    this.numRelations = numRelations;
  }
  readonly numRelations: number;
  /** The entities e with (h, r, e) known. */
  tailsOf(h: number, r: number): ReadonlySet<number> | undefined {
    return this.#tails.get(h * this.numRelations + r);
  }
  /** The entities e with (e, r, t) known. */
  headsOf(r: number, t: number): ReadonlySet<number> | undefined {
    return this.#heads.get(t * this.numRelations + r);
  }
  has(h: number, r: number, t: number): boolean {
    return this.tailsOf(h, r)?.has(t) ?? false;
  }
  get numEntities(): number {
    return this.#n;
  }
}

function add(m: Map<number, Set<number>>, key: number, v: number): void {
  let s = m.get(key);
  if (!s) m.set(key, (s = new Set()));
  s.add(v);
}

/** Whether a candidate scored v counts above (1), tied with (0) or below (-1) the answer's s; a NaN answer ranks last. */
const versus = (v: number, s: number, nan: boolean): number => (nan || v > s ? 1 : v === s ? 0 : -1);

/**
 * Raw and filtered counts of one query in one pass: the raw counts over every entity, then the
 * entities in `skip` (the other known answers; usually few) taken back out — instead of a set
 * lookup for each of the tens of thousands of candidates.
 */
export function rankCounts(scores: ArrayLike<number>, answer: number, skip?: ReadonlySet<number>): { raw: RankCount; filtered: RankCount } {
  const s = scores[answer]!;
  const nan = Number.isNaN(s);
  let greater = 0;
  let ties = 0;
  for (let e = 0; e < scores.length; e++) {
    const c = versus(scores[e]!, s, nan);
    if (c > 0) greater++;
    else if (c === 0) ties++;
  }
  // The answer itself never counts (it is "tied" with itself unless its score is NaN).
  const own = versus(s, s, nan);
  if (own > 0) greater--;
  else if (own === 0) ties--;
  const raw = { greater, ties };
  if (skip)
    for (const e of skip) {
      if (e === answer || e < 0 || e >= scores.length) continue;
      const c = versus(scores[e]!, s, nan);
      if (c > 0) greater--;
      else if (c === 0) ties--;
    }
  return { raw, filtered: { greater, ties } };
}

/** Counts above and tied with scores[answer], skipping the entities in `skip` (the answer itself never counts). */
export function rankCount(scores: ArrayLike<number>, answer: number, skip?: ReadonlySet<number>): RankCount {
  return rankCounts(scores, answer, skip).filtered;
}

/** MRR, mean rank and Hits@1/3/10 of rank counts, each the expectation over the tied orders. */
export function rankMetrics(counts: readonly RankCount[]): RankMetrics {
  let rr = 0;
  let mr = 0;
  const hits = HITS_AT.map(() => 0);
  for (const { greater: g, ties: u } of counts) {
    let sum = 0;
    for (let j = g + 1; j <= g + u + 1; j++) sum += 1 / j;
    rr += sum / (u + 1);
    mr += g + 1 + u / 2;
    HITS_AT.forEach((k, i) => {
      hits[i]! += Math.max(0, Math.min(u + 1, k - g)) / (u + 1);
    });
  }
  const n = counts.length || 1;
  return { mrr: rr / n, mr: mr / n, "hits@1": hits[0]! / n, "hits@3": hits[1]! / n, "hits@10": hits[2]! / n, queries: counts.length };
}

/**
 * Scores every entity for a batch of queries: `known` the given entity (the head for tail
 * queries, the tail for head queries), one row of numEntities scores a query.
 */
export type QueryScorer = (known: Int32Array, relations: Int32Array, mode: "head" | "tail") => Float32Array[];

export interface RankingResult {
  filtered: RankMetrics & { head: RankMetrics; tail: RankMetrics };
  raw: RankMetrics & { head: RankMetrics; tail: RankMetrics };
}

/** Filtered and raw ranking metrics of `test` under `scorer`, head and tail queries separately and together. */
export function rankTriples(scorer: QueryScorer, test: Triples, filter: TripleFilter, o: { batchSize?: number } = {}): RankingResult {
  const bs = o.batchSize ?? 32;
  const c = { filtered: { head: [] as RankCount[], tail: [] as RankCount[] }, raw: { head: [] as RankCount[], tail: [] as RankCount[] } };
  for (let from = 0; from < test.heads.length; from += bs) {
    const to = Math.min(test.heads.length, from + bs);
    const h = test.heads.subarray(from, to);
    const r = test.relations.subarray(from, to);
    const t = test.tails.subarray(from, to);
    for (const mode of ["tail", "head"] as const) {
      const rows = scorer(mode === "tail" ? h : t, r, mode);
      rows.forEach((row, k) => {
        if (row.length !== filter.numEntities)
          throw new FlambeauError(
            "E_SHAPE",
            `rankTriples: the scorer gave ${row.length} scores, expected one per entity (${filter.numEntities})`,
          );
        const answer = mode === "tail" ? t[k]! : h[k]!;
        const skip = mode === "tail" ? filter.tailsOf(h[k]!, r[k]!) : filter.headsOf(r[k]!, t[k]!);
        const counts = rankCounts(row, answer, skip);
        c.filtered[mode].push(counts.filtered);
        c.raw[mode].push(counts.raw);
      });
    }
  }
  const both = (m: { head: RankCount[]; tail: RankCount[] }) => ({
    ...rankMetrics([...m.tail, ...m.head]),
    head: rankMetrics(m.head),
    tail: rankMetrics(m.tail),
  });
  return { filtered: both(c.filtered), raw: both(c.raw) };
}

/**
 * The baseline: rank candidates by how often they fill the slot for this relation in training
 * ("most frequent tail (head) per relation") — what a model knows without looking at the entity.
 */
export function relationFrequencyScorer(train: Triples, numEntities: number, numRelations: number): QueryScorer {
  const tailCount = Array.from({ length: numRelations }, () => new Float32Array(numEntities));
  const headCount = Array.from({ length: numRelations }, () => new Float32Array(numEntities));
  for (let k = 0; k < train.heads.length; k++) {
    tailCount[train.relations[k]!]![train.tails[k]!]!++;
    headCount[train.relations[k]!]![train.heads[k]!]!++;
  }
  return (_known, relations, mode) => Array.from(relations, (r) => (mode === "tail" ? tailCount : headCount)[r]!);
}
