// Diarization error rate as md-eval and pyannote.metrics compute it. Time is cut at every
// reference, hypothesis and scoring boundary; in each piece of length d with R reference
// and H hypothesis speakers of whom C are paired by the mapping,
//   total += d·R, missed += d·max(0, R−H), false alarm += d·max(0, H−R),
//   confusion += d·(min(R, H) − C),
// so overlapped speech is scored. The mapping is the one-to-one pairing of speakers that
// maximises the time they speak together (Hungarian). The collar here is md-eval's `-c`: the
// seconds left unscored on EACH side of every reference turn boundary; pyannote.metrics'
// `collar` is the whole width, so md-eval `-c 0.25` = pyannote `collar=0.5`.
import { FlambeauError } from "../../core/errors.js";
import { maxWeightAssignment } from "../../train/assignment.js";
import { checkTurns, type SpeakerTurn, speakersOf } from "./turns.js";

export interface DerOptions {
  /** Seconds unscored on each side of each reference boundary (md-eval -c; default 0). */
  collar?: number;
  /** Scored regions [start, end] (default: from the earliest to the latest turn of either side). */
  uem?: readonly (readonly [number, number])[];
}

export interface DerResult {
  /** (missed + falseAlarm + confusion) / total; 0 when nothing is scored and nothing is wrong. */
  der: number;
  /** Scored reference speech: seconds × speakers. */
  total: number;
  missed: number;
  falseAlarm: number;
  confusion: number;
  correct: number;
  /** Hypothesis speaker → reference speaker under the optimal mapping. */
  mapping: Record<string, string>;
}

type Span = [number, number];

/** The union of spans, sorted and disjoint. */
function union(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const [s, e] of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** `spans` minus the union of `holes`, both as sorted disjoint spans. */
function subtract(spans: readonly Span[], holes: readonly Span[]): Span[] {
  const hs = [...holes].sort((a, b) => a[0] - b[0]);
  const out: Span[] = [];
  for (const [s0, e0] of spans) {
    let s = s0;
    for (const [h0, h1] of hs) {
      if (h1 <= s || h0 >= e0) continue;
      if (h0 > s) out.push([s, h0]);
      s = Math.max(s, h1);
      if (s >= e0) break;
    }
    if (s < e0) out.push([s, e0]);
  }
  return out;
}

/** DER of `hypothesis` against `reference` (see the file header for the conventions). */
export function diarizationErrorRate(reference: readonly SpeakerTurn[], hypothesis: readonly SpeakerTurn[], o: DerOptions = {}): DerResult {
  checkTurns("diarizationErrorRate(reference)", reference);
  checkTurns("diarizationErrorRate(hypothesis)", hypothesis);
  const collar = o.collar ?? 0;
  if (!(Number.isFinite(collar) && collar >= 0))
    throw new FlambeauError("E_ARG", `diarizationErrorRate: collar must be ≥ 0 seconds, got ${collar}`, "diarizationErrorRate");
  const all = [...reference, ...hypothesis];
  let uem: Span[];
  if (o.uem) {
    for (const [s, e] of o.uem)
      if (!(Number.isFinite(s) && Number.isFinite(e) && e >= s))
        throw new FlambeauError("E_ARG", `diarizationErrorRate: bad uem region [${s}, ${e}]`, "diarizationErrorRate");
    uem = union(o.uem.map(([s, e]) => [s, e] as Span));
  } else uem = all.length ? [[Math.min(...all.map((t) => t.start)), Math.max(...all.map((t) => t.end))]] : [];
  const holes: Span[] = [];
  if (collar > 0) for (const t of reference) holes.push([t.start - collar, t.start + collar], [t.end - collar, t.end + collar]);
  const scored = subtract(uem, holes);

  const refSpk = speakersOf(reference);
  const hypSpk = speakersOf(hypothesis);
  const ri = new Map(refSpk.map((s, i) => [s, i]));
  const hi = new Map(hypSpk.map((s, i) => [s, i]));
  // A sweep over every boundary: per piece, who is active on each side.
  const cuts = new Set<number>();
  for (const t of all) cuts.add(t.start).add(t.end);
  for (const [s, e] of scored) cuts.add(s).add(e);
  const times = [...cuts].sort((a, b) => a - b);
  type Ev = { t: number; side: 0 | 1; who: number; d: 1 | -1 };
  const evs: Ev[] = [];
  for (const t of reference)
    if (t.end > t.start)
      evs.push({ t: t.start, side: 0, who: ri.get(t.speaker)!, d: 1 }, { t: t.end, side: 0, who: ri.get(t.speaker)!, d: -1 });
  for (const t of hypothesis)
    if (t.end > t.start)
      evs.push({ t: t.start, side: 1, who: hi.get(t.speaker)!, d: 1 }, { t: t.end, side: 1, who: hi.get(t.speaker)!, d: -1 });
  evs.sort((a, b) => a.t - b.t);
  const active = [new Int32Array(refSpk.length), new Int32Array(hypSpk.length)] as const;
  const pieces: { d: number; r: number[]; h: number[] }[] = [];
  let e = 0;
  let k = 0;
  for (let i = 0; i + 1 < times.length; i++) {
    const a = times[i]!;
    const b = times[i + 1]!;
    while (e < evs.length && evs[e]!.t <= a) {
      const ev = evs[e++]!;
      active[ev.side][ev.who]! += ev.d;
    }
    while (k < scored.length && scored[k]![1] <= a) k++;
    if (k >= scored.length || scored[k]![0] > a) continue;
    const r: number[] = [];
    const h: number[] = [];
    active[0].forEach((c, j) => c > 0 && r.push(j));
    active[1].forEach((c, j) => c > 0 && h.push(j));
    if (r.length || h.length) pieces.push({ d: b - a, r, h });
  }
  const co = refSpk.map(() => new Array<number>(hypSpk.length).fill(0));
  for (const p of pieces) for (const r of p.r) for (const h of p.h) co[r]![h]! += p.d;
  const match = maxWeightAssignment(co);
  const hypToRef = new Int32Array(hypSpk.length).fill(-1);
  match.forEach((h, r) => {
    if (h >= 0) hypToRef[h] = r;
  });
  let total = 0;
  let missed = 0;
  let falseAlarm = 0;
  let confusion = 0;
  let correct = 0;
  for (const p of pieces) {
    const R = p.r.length;
    const H = p.h.length;
    let C = 0;
    for (const h of p.h) if (hypToRef[h]! >= 0 && p.r.includes(hypToRef[h]!)) C++;
    total += p.d * R;
    missed += p.d * Math.max(0, R - H);
    falseAlarm += p.d * Math.max(0, H - R);
    confusion += p.d * (Math.min(R, H) - C);
    correct += p.d * C;
  }
  const errors = missed + falseAlarm + confusion;
  const mapping: Record<string, string> = {};
  hypToRef.forEach((r, h) => {
    if (r >= 0 && co[r]![h]! > 0) mapping[hypSpk[h]!] = refSpk[r]!;
  });
  return {
    der: total > 0 ? errors / total : errors > 0 ? Number.POSITIVE_INFINITY : 0,
    total,
    missed,
    falseAlarm,
    confusion,
    correct,
    mapping,
  };
}

/** DER pooled over many recordings: the components are summed before dividing (as md-eval does). */
export function pooledDer(results: readonly DerResult[]): Omit<DerResult, "mapping"> {
  const s = { total: 0, missed: 0, falseAlarm: 0, confusion: 0, correct: 0 };
  for (const r of results) {
    s.total += r.total;
    s.missed += r.missed;
    s.falseAlarm += r.falseAlarm;
    s.confusion += r.confusion;
    s.correct += r.correct;
  }
  const err = s.missed + s.falseAlarm + s.confusion;
  return { der: s.total > 0 ? err / s.total : err > 0 ? Number.POSITIVE_INFINITY : 0, ...s };
}
