// Greedy and beam-search decoding over any next-token scorer: `step` maps a batch of prefixes
// (bos first) to one row of log-probabilities each. The captioner's scorer reruns its decoder on
// the whole prefix (captions are short), and tests hand in a table.
import { FlambeauError } from "../../core/errors.js";

/**
 * Log-probabilities of the next token after each prefix (one row of vocabulary size per
 * prefix); `rows[i]` is the input (image) prefix i continues. Prefixes of one call share a length.
 */
export type NextTokenScorer = (prefixes: readonly (readonly number[])[], rows: readonly number[]) => ArrayLike<number>[];

export interface CaptionDecodeOptions {
  bos: number;
  eos: number;
  /** Most tokens generated, eos excluded (default 32). */
  maxLength?: number;
}

export interface CaptionBeamOptions extends CaptionDecodeOptions {
  beamSize?: number;
  /** α of Wu et al.'s length penalty ((5 + |y|) / 6)^α; 0 = raw log-probability (default 0). */
  lengthPenalty?: number;
}

export interface Decoded {
  tokens: number[];
  /** Sum of the chosen tokens' log-probabilities, eos included when it was generated. */
  logProb: number;
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
  return best;
}

/** Greedy decoding of `count` sequences at once, stepped together until all have ended. */
export function greedyCaptions(count: number, step: NextTokenScorer, o: CaptionDecodeOptions): Decoded[] {
  const max = o.maxLength ?? 32;
  const out: Decoded[] = Array.from({ length: count }, () => ({ tokens: [], logProb: 0 }));
  const live = new Set(out.keys());
  for (let t = 0; t <= max && live.size; t++) {
    const rows = [...live];
    const lp = step(
      rows.map((i) => [o.bos, ...out[i]!.tokens]),
      rows,
    );
    rows.forEach((i, r) => {
      const row = lp[r]!;
      const id = t === max ? o.eos : argmax(row);
      if (t < max) out[i]!.logProb += row[id]!;
      if (id === o.eos) live.delete(i);
      else out[i]!.tokens.push(id);
    });
  }
  return out;
}

/**
 * Beam search for one sequence (input `row` of the scorer): each step keeps the `beamSize` best of all one-token
 * extensions; an extension by eos finishes its hypothesis (and takes one of the slots), so a
 * beam of 1 is exactly greedy decoding. Stops when no live hypothesis can still beat the best
 * finished one; returns the best by length-penalised log-probability.
 */
export function beamCaption(step: NextTokenScorer, o: CaptionBeamOptions, row = 0): Decoded {
  const k = o.beamSize ?? 4;
  const alpha = o.lengthPenalty ?? 0;
  const max = o.maxLength ?? 32;
  if (!Number.isInteger(k) || k < 1)
    throw new FlambeauError("E_ARG", `beamCaption: beamSize must be a positive integer, got ${k}`, "beamCaption");
  if (!(alpha >= 0)) throw new FlambeauError("E_ARG", `beamCaption: lengthPenalty must be ≥ 0, got ${alpha}`, "beamCaption");
  const norm = (lp: number, len: number) => lp / ((5 + len) / 6) ** alpha;
  let beams: Decoded[] = [{ tokens: [], logProb: 0 }];
  const finished: (Decoded & { score: number })[] = [];
  for (let t = 0; t <= max && beams.length; t++) {
    const lp = step(
      beams.map((b) => [o.bos, ...b.tokens]),
      beams.map(() => row),
    );
    const cand: { from: number; token: number; logProb: number }[] = [];
    beams.forEach((b, i) => {
      const row = lp[i]!;
      if (t === max) {
        cand.push({ from: i, token: o.eos, logProb: b.logProb });
        return;
      }
      // The k best continuations of each beam hold the k best overall.
      const top = Array.from({ length: row.length }, (_, j) => j)
        .sort((x, y) => row[y]! - row[x]!)
        .slice(0, k);
      for (const token of top) cand.push({ from: i, token, logProb: b.logProb + row[token]! });
    });
    cand.sort((x, y) => y.logProb - x.logProb);
    const next: Decoded[] = [];
    for (const c of cand.slice(0, k)) {
      const tokens = beams[c.from]!.tokens;
      if (c.token === o.eos) finished.push({ tokens, logProb: c.logProb, score: norm(c.logProb, tokens.length + 1) });
      else next.push({ tokens: [...tokens, c.token], logProb: c.logProb });
    }
    beams = next;
    // Log-probabilities only fall as a hypothesis grows; with a length penalty its divisor can grow up to max + 1.
    const best = Math.max(...finished.map((f) => f.score));
    if (beams.length && beams.every((b) => (alpha === 0 ? b.logProb : norm(b.logProb, max + 1)) <= best)) break;
  }
  finished.sort((x, y) => y.score - x.score);
  const top = finished[0] ?? { tokens: beams[0]?.tokens ?? [], logProb: beams[0]?.logProb ?? 0 };
  return { tokens: top.tokens, logProb: top.logProb };
}
