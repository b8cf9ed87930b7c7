// Scene-graph recall (Lu et al. 2016; Xu et al. 2017): the fraction of an image's true
// (subject, predicate, object) triplets found among the K highest-scored predicted ones,
// averaged over the images that have any. A predicted triplet recalls a true one when the
// predicate and both classes agree and each box overlaps its true box with IoU ≥ 0.5. One
// predicted triplet may recall several true ones and a pair may carry several predicates
// (no graph constraint: the generated graphs give a pair up to three relations at once).
// SGDet scores the detector's boxes; PredCls gives the true boxes and classes.
import { FlambeauError } from "../../core/errors.js";
import { boxIou } from "../scenes/metrics.js";

export interface GraphBox {
  category: number;
  /** [x, y, width, height]. */
  box: readonly number[];
}

export interface IndexedTriplet {
  /** Index into the objects. */
  subject: number;
  /** Index into the predicates (RELATIONS). */
  predicate: number;
  object: number;
}

export interface ScoredTriplet extends IndexedTriplet {
  score: number;
}

/**
 * For each true triplet, the rank (0-based) of the first predicted triplet that recalls it,
 * Infinity when none does.
 */
export function recallRanks(
  pred: { objects: readonly GraphBox[]; triplets: readonly ScoredTriplet[] },
  truth: { objects: readonly GraphBox[]; triplets: readonly IndexedTriplet[] },
  iouThreshold = 0.5,
): number[] {
  const ranked = [...pred.triplets].sort((a, b) => b.score - a.score);
  // For each true object, which predicted objects match it (same class, IoU ≥ threshold).
  const match = truth.objects.map((g) => pred.objects.map((p) => p.category === g.category && boxIou(p.box, g.box) >= iouThreshold));
  return truth.triplets.map((t) => {
    const r = ranked.findIndex(
      (p) => p.predicate === t.predicate && match[t.subject]?.[p.subject] === true && match[t.object]?.[p.object] === true,
    );
    return r < 0 ? Number.POSITIVE_INFINITY : r;
  });
}

/** Recall@K for each K of `ks` in one image; null when the image has no true triplet. */
export function tripletRecall(
  pred: { objects: readonly GraphBox[]; triplets: readonly ScoredTriplet[] },
  truth: { objects: readonly GraphBox[]; triplets: readonly IndexedTriplet[] },
  ks: readonly number[],
  iouThreshold = 0.5,
): number[] | null {
  if (truth.triplets.length === 0) return null;
  for (const k of ks)
    if (!Number.isInteger(k) || k < 1) throw new FlambeauError("E_ARG", `tripletRecall: K must be a positive integer, got ${k}`);
  const first = recallRanks(pred, truth, iouThreshold);
  return ks.map((k) => first.filter((r) => r < k).length / truth.triplets.length);
}

/**
 * Mean Recall@K over images (those with true triplets), accumulated image by image, and per
 * predicate the share of its true triplets recalled within the first K of `ks` (over all images).
 */
export class RecallAccumulator {
  readonly #sums: number[];
  #images = 0;
  readonly #hits = new Map<number, number>();
  readonly #totals = new Map<number, number>();
  constructor(readonly ks: readonly number[] = [20, 50]) {
    this.#sums = ks.map(() => 0);
  }
  add(pred: Parameters<typeof tripletRecall>[0], truth: Parameters<typeof tripletRecall>[1]): void {
    const r = tripletRecall(pred, truth, this.ks);
    if (!r) return;
    r.forEach((v, i) => {
      this.#sums[i]! += v;
    });
    this.#images++;
    const first = recallRanks(pred, truth);
    truth.triplets.forEach((t, i) => {
      this.#totals.set(t.predicate, (this.#totals.get(t.predicate) ?? 0) + 1);
      if (first[i]! < this.ks[0]!) this.#hits.set(t.predicate, (this.#hits.get(t.predicate) ?? 0) + 1);
    });
  }
  /** { R20, R50 } (keys R<K>), and the number of images scored. */
  compute(prefix = ""): Record<string, number> {
    const out: Record<string, number> = {};
    this.ks.forEach((k, i) => {
      out[`${prefix}R${k}`] = this.#images ? this.#sums[i]! / this.#images : 0;
    });
    return out;
  }
  /** Per predicate (named by `names`), the share of its true triplets recalled within the first K. */
  byPredicate(names: readonly string[]): Record<string, number> {
    return Object.fromEntries(
      [...this.#totals.keys()].sort((a, b) => a - b).map((p) => [names[p] ?? String(p), (this.#hits.get(p) ?? 0) / this.#totals.get(p)!]),
    );
  }
  get images(): number {
    return this.#images;
  }
}

/**
 * Every (subject, predicate, object) of ordered pairs: the predicate probabilities `probs`
 * ([pairs × P], row p for pairs[p]) times both objects' scores (1 when absent), best first,
 * at most `keep`.
 */
export function rankTriplets(
  scores: readonly number[],
  pairs: readonly (readonly [number, number])[],
  probs: ArrayLike<number>,
  numPredicates: number,
  keep = 100,
): ScoredTriplet[] {
  const out: ScoredTriplet[] = [];
  pairs.forEach(([s, o], p) => {
    const so = (scores[s] ?? 1) * (scores[o] ?? 1);
    for (let r = 0; r < numPredicates; r++) out.push({ subject: s, predicate: r, object: o, score: so * probs[p * numPredicates + r]! });
  });
  out.sort((a, b) => b.score - a.score);
  return out.slice(0, keep);
}

/** All ordered pairs (i, j), i ≠ j, of n objects, row by row. */
export function orderedPairs(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) out.push([i, j]);
  return out;
}
