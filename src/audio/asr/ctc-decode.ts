// CTC decoding of per-frame log-probabilities [T, C] (label 0 the blank): greedy (best path,
// repeats merged, blanks dropped) and prefix beam search (Hannun et al. 2014), which sums
// over all alignments of a prefix and can fold in a character language model:
// score = log P_ctc + α·log P_lm + β·(characters). A grammar (grammar.ts) restricts the
// prefixes to those that can still become one of its sentences, and the result to a whole one.
import { FlambeauError } from "../../core/errors.js";
import { CTC_BLANK, CTC_CHARS, decodeLabels } from "./alphabet.js";
import { type CharNgramLM, LM_EOS } from "./char-lm.js";
import type { GrammarConstraint } from "./grammar.js";

function checkFrames(op: string, logProbs: Float32Array, frames: number, classes: number): void {
  if (!Number.isInteger(frames) || frames < 0 || !Number.isInteger(classes) || classes < 2 || logProbs.length < frames * classes)
    throw new FlambeauError("E_ARG", `${op}: need ${frames} frames × ${classes} classes, got ${logProbs.length} values`, op);
}

/** Best-path decoding: argmax per frame, repeats merged, blanks removed → labels. */
export function ctcGreedyLabels(logProbs: Float32Array, frames: number, classes: number): number[] {
  checkFrames("ctcGreedy", logProbs, frames, classes);
  const out: number[] = [];
  let prev = -1;
  for (let t = 0; t < frames; t++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logProbs[t * classes + c]! > logProbs[t * classes + best]!) best = c;
    if (best !== prev && best !== CTC_BLANK) out.push(best);
    prev = best;
  }
  return out;
}

/** Best-path decoding to text. */
export const ctcGreedyDecode = (logProbs: Float32Array, frames: number, classes: number): string =>
  decodeLabels(ctcGreedyLabels(logProbs, frames, classes));

export interface BeamSearchOptions {
  /** Prefixes kept after each frame (default 16). */
  beam?: number;
  lm?: CharNgramLM | null;
  /** α: weight of the language model's log-probability (default 0: no LM). */
  lmWeight?: number;
  /** β: bonus per emitted character, countering the LM's preference for short outputs (default 0). */
  charBonus?: number;
  /** Per frame, only labels with log-probability above this are extended (default log 1e-3; no limit under a grammar). */
  pruneLogProb?: number;
  /** Per frame, at most this many labels are extended (default 8; all under a grammar). */
  maxCandidates?: number;
  /** Only sentences of this grammar (a JSGF or FSG word graph) are spelled. */
  grammar?: GrammarConstraint | null;
}

const NEG = Number.NEGATIVE_INFINITY;
function lse(a: number, b: number): number {
  if (a === NEG) return b;
  if (b === NEG) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

interface Beam {
  /** log P(prefix, ending in blank) and log P(prefix, ending in its last label). */
  pb: number;
  pnb: number;
  /** Accumulated LM + character-bonus score of the prefix. */
  lm: number;
  last: number;
  /** The text the prefix spells (spaces collapsed, no leading space). */
  text: string;
}

/** CTC prefix beam search with an optional character LM → text. */
export function ctcBeamDecode(logProbs: Float32Array, frames: number, classes: number, o: BeamSearchOptions = {}): string {
  checkFrames("ctcBeamSearch", logProbs, frames, classes);
  const beam = o.beam ?? 16;
  if (!Number.isInteger(beam) || beam < 1)
    throw new FlambeauError("E_ARG", `ctcBeamSearch: beam must be a positive integer, got ${beam}`, "ctcBeamSearch");
  if (classes > CTC_CHARS.length + 1)
    throw new FlambeauError(
      "E_ARG",
      `ctcBeamSearch: ${classes} classes, but the alphabet has ${CTC_CHARS.length + 1} (blank, space, a–z, ')`,
      "ctcBeamSearch",
    );
  const alpha = o.lm ? (o.lmWeight ?? 0) : 0;
  const beta = o.charBonus ?? 0;
  // Under a grammar every label it allows stays a candidate: pruning by the frame's own
  // likelihood would cut the grammar's only paths exactly where the acoustics are unsure.
  const prune = o.pruneLogProb ?? (o.grammar ? Number.NEGATIVE_INFINITY : Math.log(1e-3));
  const maxCands = o.maxCandidates ?? (o.grammar ? classes : 8);
  const chars = [...CTC_CHARS];
  let beams = new Map<string, Beam>([["", { pb: 0, pnb: NEG, lm: 0, last: -1, text: "" }]]);
  const total = (b: Beam) => lse(b.pb, b.pnb) + b.lm;
  const order = Array.from({ length: classes - 1 }, (_, i) => i + 1);
  for (let t = 0; t < frames; t++) {
    const row = t * classes;
    const next = new Map<string, Beam>();
    // Extends `b` by `label` into the prefix `key` (created with its LM score when new); null
    // when the grammar forbids the character there.
    const child = (key: string, b: Beam, label: number): Beam | null => {
      let e = next.get(key);
      if (!e) {
        // The LM sees the text the prefix spells: a space at the start or after a space adds nothing.
        const ch = chars[label - 1]!;
        const noop = ch === " " && (b.text === "" || b.text.endsWith(" "));
        if (!noop && o.grammar && !o.grammar.allows(b.text, ch)) return null;
        const step = noop ? 0 : (alpha !== 0 ? alpha * o.lm!.logProb(b.text, ch) : 0) + beta;
        e = { pb: NEG, pnb: NEG, lm: b.lm + step, last: label, text: noop ? b.text : b.text + ch };
        next.set(key, e);
      }
      return e;
    };
    // Labels worth extending at this frame: the likeliest first, until they cover 99.9 % of the
    // non-blank mass or fall below the threshold (the frame's best is always kept).
    order.sort((a, b) => logProbs[row + b]! - logProbs[row + a]!);
    const cands: number[] = [];
    for (const c of order) {
      if (cands.length >= maxCands || (cands.length > 0 && logProbs[row + c]! < prune)) break;
      cands.push(c);
    }
    const pBlank = logProbs[row + CTC_BLANK]!;
    for (const [prefix, b] of beams) {
      const both = lse(b.pb, b.pnb);
      // Blank: the prefix is unchanged and now ends in blank.
      let s = next.get(prefix);
      if (!s) next.set(prefix, (s = { pb: NEG, pnb: NEG, lm: b.lm, last: b.last, text: b.text }));
      s.pb = lse(s.pb, both + pBlank);
      for (const c of cands) {
        const p = logProbs[row + c]!;
        if (c === b.last) {
          // Repeat without a blank between: the same prefix; after a blank: a doubled letter.
          s.pnb = lse(s.pnb, b.pnb + p);
          const e = child(prefix + chars[c - 1]!, b, c);
          if (e) e.pnb = lse(e.pnb, b.pb + p);
        } else {
          const e = child(prefix + chars[c - 1]!, b, c);
          if (e) e.pnb = lse(e.pnb, both + p);
        }
      }
    }
    beams = next.size <= beam ? next : new Map([...next.entries()].sort((x, y) => total(y[1]) - total(x[1])).slice(0, beam));
  }
  let best = "";
  let bestScore = NEG;
  // Under a grammar only whole sentences qualify, unless no beam reached one (then the best prefix).
  const whole = o.grammar ? [...beams.values()].filter((b) => o.grammar!.complete(b.text)) : [];
  for (const b of whole.length > 0 ? whole : beams.values()) {
    const text = b.text.trimEnd();
    const s = total(b) + (alpha !== 0 ? alpha * o.lm!.logProb(text, LM_EOS) : 0);
    if (s > bestScore) {
      bestScore = s;
      best = text;
    }
  }
  return decodeLabels([...best].map((ch) => CTC_CHARS.indexOf(ch) + 1));
}
