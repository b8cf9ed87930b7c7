// Held-out evaluation of relation extraction as Mintz et al. 2009 and Riedel et al. 2010 do it:
// every candidate pair of the held-out packages gets one extracted triple, its likeliest relation
// other than "none" with that probability as the confidence; the triples are ranked by
// confidence and precision@N is the share of the N best that the knowledge base holds
// (the pair's relation there is the one extracted). Beside it, macro-F1 over the relations
// (none excluded, as SemEval-2010 task 8 and TACRED score), a pair predicted by its argmax.
import { FlambeauError } from "../../core/errors.js";

const OP = "relation metrics";

/** One candidate pair: class probabilities (class 0 = none) and its knowledge-base class. */
export interface PairScore {
  probs: ArrayLike<number>;
  gold: number;
}

export interface Triple {
  /** Index of the pair. */
  pair: number;
  relation: number;
  confidence: number;
  correct: boolean;
}

/** Each pair's likeliest relation other than none (class 0), best first (ties: earlier pair first). */
export function rankTriples(pairs: readonly PairScore[]): Triple[] {
  const out = pairs.map((p, i): Triple => {
    let r = 1;
    for (let c = 2; c < p.probs.length; c++) if (p.probs[c]! > p.probs[r]!) r = c;
    return { pair: i, relation: r, confidence: p.probs[r]!, correct: p.gold === r };
  });
  return out.sort((a, b) => b.confidence - a.confidence || a.pair - b.pair);
}

/** Correct triples among the `n` best over min(n, triples) (NaN when there are none). */
export function precisionAt(ranked: readonly Triple[], n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new FlambeauError("E_ARG", `${OP}: N must be a positive integer, got ${n}`, OP);
  const k = Math.min(n, ranked.length);
  if (k === 0) return Number.NaN;
  let hit = 0;
  for (let i = 0; i < k; i++) if (ranked[i]!.correct) hit++;
  return hit / k;
}

export const argmax = (xs: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
};

/** Per-class F1 of `classes` and their mean; a class with neither gold nor predicted examples is left out of the mean. */
export function macroF1(
  pred: readonly number[],
  gold: readonly number[],
  classes: readonly number[],
): { macroF1: number; perClass: number[] } {
  if (pred.length !== gold.length) throw new FlambeauError("E_ARG", `${OP}: ${pred.length} predictions for ${gold.length} gold labels`, OP);
  const perClass = classes.map((c) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    pred.forEach((p, i) => {
      if (p === c && gold[i] === c) tp++;
      else if (p === c) fp++;
      else if (gold[i] === c) fn++;
    });
    return tp + fp + fn === 0 ? Number.NaN : (2 * tp) / (2 * tp + fp + fn);
  });
  const seen = perClass.filter((f) => !Number.isNaN(f));
  return { macroF1: seen.length ? seen.reduce((a, b) => a + b, 0) / seen.length : Number.NaN, perClass };
}

export interface RelationScores {
  pairs: number;
  /** Pairs the knowledge base relates (gold ≠ none). */
  related: number;
  p100: number;
  p500: number;
  /** Macro-F1 over the relations (none excluded), in %. */
  macroF1: number;
  perRelationF1: Record<string, number>;
}

/** P@100, P@500 (in %) and macro-F1 of scored pairs; `relations[0]` is none. */
export function relationScores(pairs: readonly PairScore[], relations: readonly string[]): RelationScores {
  const ranked = rankTriples(pairs);
  const positive = relations.map((_, i) => i).slice(1);
  const f = macroF1(
    pairs.map((p) => argmax(p.probs)),
    pairs.map((p) => p.gold),
    positive,
  );
  const pct = (x: number) => (Number.isNaN(x) ? x : 100 * x);
  return {
    pairs: pairs.length,
    related: pairs.filter((p) => p.gold !== 0).length,
    p100: pct(precisionAt(ranked, 100)),
    p500: pct(precisionAt(ranked, 500)),
    macroF1: pct(f.macroF1),
    perRelationF1: Object.fromEntries(positive.map((c, k) => [relations[c]!, pct(f.perClass[k]!)])),
  };
}

/** One held-out candidate of a hypernym set: its synset, a system's score for "hypernym", whether the system extracts the pair, and whether it is a hypernym. */
export interface CandidateScore {
  group: string;
  score: number;
  extracted: boolean;
  gold: boolean;
}

export interface ExtractionScores {
  /** Held-out synsets with at least one candidate. */
  synsets: number;
  /** Of those, synsets with a hypernym among their candidates (the gloss names one). */
  answerable: number;
  candidates: number;
  /** Candidate pairs (term, candidate) that WordNet holds as (synset, hypernym). */
  goldPairs: number;
  extracted: number;
  precision: number;
  recall: number;
  f1: number;
  /** Picking the hypernym per synset. */
  p1: number;
}

/**
 * Extraction of (term, hypernym) pairs, in %: precision = correct extracted pairs / extracted
 * pairs; recall = correct extracted pairs / gold pairs (candidates that are hypernyms: a hypernym
 * the gloss does not name cannot be extracted and is not counted); F1 their harmonic mean
 * (0 when nothing correct is extracted). P@1 = over answerable synsets, the share whose
 * best-scored candidate is a hypernym; candidates tied at the top share the credit (a constant
 * score gets the expected accuracy of a uniform random pick).
 */
export function extractionScores(xs: readonly CandidateScore[]): ExtractionScores {
  const groups = new Map<string, CandidateScore[]>();
  for (const x of xs) {
    const g = groups.get(x.group);
    if (g) g.push(x);
    else groups.set(x.group, [x]);
  }
  let answerable = 0;
  let hits = 0;
  for (const g of groups.values()) {
    if (!g.some((x) => x.gold)) continue;
    answerable++;
    const best = Math.max(...g.map((x) => x.score));
    const top = g.filter((x) => x.score === best);
    hits += top.filter((x) => x.gold).length / top.length;
  }
  const goldPairs = xs.filter((x) => x.gold).length;
  const extracted = xs.filter((x) => x.extracted).length;
  const correct = xs.filter((x) => x.extracted && x.gold).length;
  const pct = (a: number, b: number) => (b ? (100 * a) / b : Number.NaN);
  return {
    synsets: groups.size,
    answerable,
    candidates: xs.length,
    goldPairs,
    extracted,
    precision: pct(correct, extracted),
    recall: pct(correct, goldPairs),
    f1: correct ? pct(2 * correct, extracted + goldPairs) : 0,
    p1: pct(hits, answerable),
  };
}
