// Statistics of generated against real pieces, after Yang & Lerch 2020 ("On the evaluation of
// generative models in music"): a feature's histogram pooled over each set of pieces, and the
// overlapping area (Σ min(p, q), 1 when the distributions agree) of the two. Features: the
// pitch-class histogram and note durations (log-spaced bins from 10 ms to 4 s), beside notes
// per second, polyphony and the pitch range.
import type { Note } from "./midi.js";

export const DURATION_EDGES: readonly number[] = Array.from({ length: 17 }, (_, i) => 0.01 * 400 ** (i / 16));

/** The overlapping area of two histograms (each normalised to sum 1 first). */
export function overlappingArea(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) sp += p[i]!;
  for (let i = 0; i < q.length; i++) sq += q[i]!;
  if (sp === 0 || sq === 0) return 0;
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.min(p[i]! / sp, q[i]! / sq);
  return s;
}

/** Counts of notes per pitch class (C = 0), every note counted once. */
export function pitchClassCounts(pieces: readonly (readonly Note[])[]): Float64Array {
  const h = new Float64Array(12);
  for (const ns of pieces) for (const n of ns) h[n.pitch % 12]!++;
  return h;
}

/** Counts of note durations in the bins of DURATION_EDGES (shorter or longer ones in the end bins). */
export function durationCounts(pieces: readonly (readonly Note[])[]): Float64Array {
  const h = new Float64Array(DURATION_EDGES.length - 1);
  for (const ns of pieces)
    for (const n of ns) {
      const d = n.end - n.start;
      let b = 0;
      while (b < h.length - 1 && d >= DURATION_EDGES[b + 1]!) b++;
      h[b]!++;
    }
  return h;
}

export interface PieceStats {
  pieces: number;
  notes: number;
  notesPerSecond: number;
  meanDuration: number;
  medianDuration: number;
  /** Mean highest − lowest pitch of a piece. */
  pitchRange: number;
}

export function pieceStats(pieces: readonly (readonly Note[])[]): PieceStats {
  const durs: number[] = [];
  let seconds = 0;
  let range = 0;
  for (const ns of pieces) {
    if (!ns.length) continue;
    let lo = 127;
    let hi = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const n of ns) {
      durs.push(n.end - n.start);
      lo = Math.min(lo, n.pitch);
      hi = Math.max(hi, n.pitch);
      first = Math.min(first, n.start);
      last = Math.max(last, n.end);
    }
    seconds += last - first;
    range += hi - lo;
  }
  durs.sort((a, b) => a - b);
  return {
    pieces: pieces.length,
    notes: durs.length,
    notesPerSecond: durs.length / Math.max(1e-9, seconds),
    meanDuration: durs.reduce((a, b) => a + b, 0) / Math.max(1, durs.length),
    medianDuration: durs.length ? durs[durs.length >> 1]! : 0,
    pitchRange: range / Math.max(1, pieces.filter((p) => p.length).length),
  };
}

/** Overlapping areas of generated pieces' pitch-class and duration histograms with the real pieces'. */
export function compareToReal(real: readonly (readonly Note[])[], generated: readonly (readonly Note[])[]) {
  return {
    pitchClassOA: overlappingArea(pitchClassCounts(real), pitchClassCounts(generated)),
    durationOA: overlappingArea(durationCounts(real), durationCounts(generated)),
  };
}
