// Energy voice-activity detection: frame log-energy against a threshold set per recording
// between its noise floor and its loud speech, then hangover smoothing (short pauses inside a
// turn are filled, short blips dropped). Enough for synthetic speech in mild noise; a learned
// frame classifier would be the next step for real rooms.
import { FlambeauError } from "../../core/errors.js";

export interface VadOptions {
  sampleRate: number;
  /** Frame hop and window, seconds (default 0.01, 0.025). */
  hop?: number;
  win?: number;
  /** Speech is louder than the loud-frame level (95th percentile) minus this many dB (default 35)… */
  belowPeakDb?: number;
  /** …and than the noise floor (10th percentile) plus this many dB (default 10). */
  aboveFloorDb?: number;
  /** Pauses shorter than this are filled (default 0.3 s); speech shorter than this is dropped (default 0.15 s). */
  minSilence?: number;
  minSpeech?: number;
}

/** Speech regions [start, end] in seconds, sorted and disjoint. */
export function energyVad(wave: Float32Array, o: VadOptions): [number, number][] {
  const sr = o.sampleRate;
  const hop = Math.round((o.hop ?? 0.01) * sr);
  const win = Math.round((o.win ?? 0.025) * sr);
  if (!(hop >= 1 && win >= hop)) throw new FlambeauError("E_ARG", `energyVad: bad hop ${o.hop} / window ${o.win} at ${sr} Hz`, "energyVad");
  const n = wave.length < win ? 0 : 1 + Math.floor((wave.length - win) / hop);
  if (n === 0) return [];
  const db = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let s = 0;
    for (let j = f * hop; j < f * hop + win; j++) s += wave[j]! * wave[j]!;
    db[f] = 10 * Math.log10(s / win + 1e-12);
  }
  const sorted = Float64Array.from(db).sort();
  const pct = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))]!;
  const thr = Math.max(pct(0.95) - (o.belowPeakDb ?? 35), pct(0.1) + (o.aboveFloorDb ?? 10));
  const spans: [number, number][] = [];
  for (let f = 0; f < n; f++) {
    if (db[f]! <= thr) continue;
    // A frame stands for the hop it starts, with the window's reach added to the last one.
    const s = (f * hop) / sr;
    const e = (f * hop + win) / sr;
    const last = spans[spans.length - 1];
    if (last && s - last[1] < (o.minSilence ?? 0.3)) last[1] = e;
    else spans.push([s, e]);
  }
  return spans.filter(([s, e]) => e - s >= (o.minSpeech ?? 0.15));
}
