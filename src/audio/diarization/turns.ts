// A speaker turn: who speaks from when to when (seconds). Reference and hypothesis
// diarizations, RTTM files and the timeline picture all speak in turns.
import { FlambeauError } from "../../core/errors.js";

export interface SpeakerTurn {
  start: number;
  end: number;
  speaker: string;
}

/** Throws unless every turn has finite times with start ≤ end and a speaker name. */
export function checkTurns(op: string, turns: readonly SpeakerTurn[]): void {
  for (const t of turns)
    if (!(Number.isFinite(t.start) && Number.isFinite(t.end) && t.start >= 0 && t.end >= t.start) || !t.speaker)
      throw new FlambeauError("E_ARG", `${op}: bad turn ${JSON.stringify(t)} (need 0 ≤ start ≤ end and a speaker)`, op);
}

/** The speakers named in `turns`, in order of first appearance. */
export function speakersOf(turns: readonly SpeakerTurn[]): string[] {
  return [...new Set(turns.map((t) => t.speaker))];
}

/** Turns sorted by start, with one speaker's overlapping or touching turns (gap ≤ `gap` s) merged. */
export function mergeTurns(turns: readonly SpeakerTurn[], gap = 0): SpeakerTurn[] {
  const sorted = [...turns].sort((a, b) => a.start - b.start || a.end - b.end);
  const last = new Map<string, SpeakerTurn>();
  const out: SpeakerTurn[] = [];
  for (const t of sorted) {
    const prev = last.get(t.speaker);
    if (prev && t.start <= prev.end + gap) prev.end = Math.max(prev.end, t.end);
    else {
      const c = { ...t };
      out.push(c);
      last.set(t.speaker, c);
    }
  }
  return out;
}
