// Speech-to-text metrics as jiwer computes them: word and character error rates are the
// Levenshtein distances (substitutions + deletions + insertions) summed over the corpus,
// divided by the total number of reference words / characters.
import { FlambeauError } from "../../core/errors.js";

/** Levenshtein distance between two token sequences (unit costs). */
export function editDistance<T>(ref: readonly T[], hyp: readonly T[]): number {
  const m = hyp.length;
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1);
  for (let i = 1; i <= ref.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    [prev, cur] = [cur, prev];
  }
  return prev[m]!;
}

/** Lower case, apostrophes kept, every other non-letter a space, runs of spaces collapsed. */
export function normalizeTranscript(s: string): string {
  return s
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/[^a-z']+/g, " ")
    .trim();
}

const words = (s: string): string[] => (s.length === 0 ? [] : s.split(" "));

export interface AsrScores {
  /** Word error rate: word edits / reference words over the corpus. */
  wer: number;
  /** Character error rate: character edits (spaces included) / reference characters. */
  cer: number;
  wordErrors: number;
  refWords: number;
  charErrors: number;
  refChars: number;
  utterances: number;
}

/** Corpus WER and CER of hypotheses against references (both normalised first). */
export function asrScores(refs: readonly string[], hyps: readonly string[]): AsrScores {
  if (refs.length !== hyps.length)
    throw new FlambeauError("E_ARG", `asrScores: ${refs.length} references but ${hyps.length} hypotheses`, "asrScores");
  let wordErrors = 0;
  let refWords = 0;
  let charErrors = 0;
  let refChars = 0;
  refs.forEach((r0, i) => {
    const r = normalizeTranscript(r0);
    const h = normalizeTranscript(hyps[i]!);
    wordErrors += editDistance(words(r), words(h));
    refWords += words(r).length;
    charErrors += editDistance([...r], [...h]);
    refChars += r.length;
  });
  return {
    wer: refWords > 0 ? wordErrors / refWords : 0,
    cer: refChars > 0 ? charErrors / refChars : 0,
    wordErrors,
    refWords,
    charErrors,
    refChars,
    utterances: refs.length,
  };
}

/** Corpus word error rate. */
export const wordErrorRate = (refs: readonly string[], hyps: readonly string[]): number => asrScores(refs, hyps).wer;
/** Corpus character error rate. */
export const charErrorRate = (refs: readonly string[], hyps: readonly string[]): number => asrScores(refs, hyps).cer;
