// Corpus BLEU as the COCO caption evaluation computes it (pycocoevalcap's bleu_scorer.py, David
// Chiang's implementation of Papineni et al. 2002): whitespace tokens, n-gram counts clipped by
// their maximum count in any reference, the brevity penalty against the *closest* reference
// length per sentence (ties to the shorter one, pycocoevalcap's `option="closest"`), and its
// 1e-15 / 1e-9 smoothing of the precisions so a zero count gives ~0 instead of NaN. It differs
// from sacreBLEU's corpusBleu (seq2seq/bleu.ts), which tokenizes with 13a and smooths with 'exp'.

import { FlambeauError } from "../../core/errors.js";
import { ngramCounts, ngramOrder } from "./ngrams.js";

export interface CocoBleuScore {
  /** BLEU-1 … BLEU-n, each in [0, 1] (pycocoevalcap's `Bleu_1` … `Bleu_4`). */
  bleu: number[];
  /** Per-image BLEU-1 … BLEU-n ([image][order]). */
  perImage: number[][];
  testLen: number;
  refLen: number;
}

const SMALL = 1e-9;
const TINY = 1e-15;

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

/** The reference length closest to `testLen`, the shorter one on a tie. */
function closestLength(refLens: readonly number[], testLen: number): number {
  let best = refLens[0]!;
  for (const l of refLens) {
    const d = Math.abs(l - testLen);
    const bd = Math.abs(best - testLen);
    if (d < bd || (d === bd && l < best)) best = l;
  }
  return best;
}

function checkPairs(op: string, hypotheses: readonly string[], references: readonly (readonly string[])[]): void {
  if (hypotheses.length !== references.length)
    throw new FlambeauError("E_ARG", `${op}: ${hypotheses.length} hypotheses but ${references.length} reference lists`, op);
  if (hypotheses.length === 0) throw new FlambeauError("E_ARG", `${op}: no images to score`, op);
  references.forEach((r, i) => {
    if (r.length === 0) throw new FlambeauError("E_ARG", `${op}: image ${i} has no reference caption`, op);
  });
}

/**
 * BLEU-1…`maxOrder` of one hypothesis per image against that image's references (tokenized
 * text, tokens separated by spaces — pycocoevalcap scores the PTB tokenizer's output).
 */
export function cocoBleu(hypotheses: readonly string[], references: readonly (readonly string[])[], maxOrder = 4): CocoBleuScore {
  checkPairs("cocoBleu", hypotheses, references);
  const n = maxOrder;
  const guess = new Array<number>(n).fill(0);
  const correct = new Array<number>(n).fill(0);
  let testLen = 0;
  let refLen = 0;
  const perImage: number[][] = [];
  hypotheses.forEach((h, i) => {
    const hyp = words(h);
    const refs = references[i]!.map(words);
    const maxRef = new Map<string, number>();
    for (const r of refs) for (const [k, v] of ngramCounts(r, 1, n)) maxRef.set(k, Math.max(maxRef.get(k) ?? 0, v));
    const g = Array.from({ length: n }, (_, k) => Math.max(0, hyp.length - k));
    const c = new Array<number>(n).fill(0);
    for (const [k, v] of ngramCounts(hyp, 1, n)) c[ngramOrder(k) - 1]! += Math.min(v, maxRef.get(k) ?? 0);
    const rl = closestLength(
      refs.map((r) => r.length),
      hyp.length,
    );
    testLen += hyp.length;
    refLen += rl;
    for (let k = 0; k < n; k++) {
      guess[k]! += g[k]!;
      correct[k]! += c[k]!;
    }
    perImage.push(bleuFrom(c, g, hyp.length, rl));
  });
  return { bleu: bleuFrom(correct, guess, testLen, refLen), perImage, testLen, refLen };
}

/** pycocoevalcap's cumulative geometric means with its brevity penalty exp(1 − 1/ratio). */
function bleuFrom(correct: readonly number[], guess: readonly number[], testLen: number, refLen: number): number[] {
  const out: number[] = [];
  let prod = 1;
  for (let k = 0; k < correct.length; k++) {
    prod *= (correct[k]! + TINY) / (guess[k]! + SMALL);
    out.push(prod ** (1 / (k + 1)));
  }
  const ratio = (testLen + TINY) / (refLen + SMALL);
  return ratio < 1 ? out.map((b) => b * Math.exp(1 - 1 / ratio)) : out;
}
