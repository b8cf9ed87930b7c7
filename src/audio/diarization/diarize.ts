// The diarization pipeline: energy VAD → sliding windows over the speech → one x-vector per
// window (centred on the training embeddings' mean) → agglomerative clustering with the
// tuned cosine threshold → every 10 ms of speech takes the label of the nearest window centre
// → speaker turns. One speaker per instant: overlapped speech is given to one of its speakers.
import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { type FrontendConfig, logMel } from "../data/frontend.js";
import { agglomerativeCosine } from "./cluster.js";
import { mergeTurns, type SpeakerTurn } from "./turns.js";
import { energyVad, type VadOptions } from "./vad.js";
import type { XVector } from "./xvector.js";

export interface DiarizerConfig extends FrontendConfig {
  /** Embedding window and hop, seconds. */
  window: number;
  hop: number;
  threshold: number;
  minSize: number;
  /** Mean training embedding, subtracted before the cosine. */
  center: number[];
  vad: Omit<VadOptions, "sampleRate">;
}

export type Span = [number, number];

/** Windows of `window` s every `hop` s inside each speech span; a span shorter than a window is one window. */
export function windowsOf(speech: readonly Span[], window: number, hop: number): Span[] {
  const out: Span[] = [];
  for (const [s, e] of speech) {
    if (e - s <= window) {
      out.push([s, e]);
      continue;
    }
    const n = Math.ceil((e - s - window) / hop) + 1;
    // Spread the windows so the last one ends at the span's end.
    const step = (e - s - window) / (n - 1);
    for (let i = 0; i < n; i++) out.push([s + i * step, s + i * step + window]);
  }
  return out;
}

/** One embedding per window (the same-length windows in one batch). */
export function embedWindows(model: XVector, wave: Float32Array, windows: readonly Span[], c: DiarizerConfig): Float32Array[] {
  const sr = c.sampleRate;
  const cuts = windows.map(([s, e]) => [Math.round(s * sr), Math.min(wave.length, Math.round(e * sr))] as const);
  const out = new Array<Float32Array>(windows.length);
  const byLen = new Map<number, number[]>();
  cuts.forEach(([a, b], i) => {
    const len = Math.max(c.winLength, b - a);
    byLen.set(len, [...(byLen.get(len) ?? []), i]);
  });
  for (const [len, idx] of byLen)
    for (let k = 0; k < idx.length; k += 32) {
      const part = idx.slice(k, k + 32);
      const flat = new Float32Array(part.length * len);
      part.forEach((i, j) => flat.set(wave.subarray(cuts[i]![0], cuts[i]![0] + len), j * len));
      const emb = noGrad(() =>
        tidy(() => {
          const e: Tensor = model.embed(logMel(tensor(flat, { shape: [part.length, len] }), c));
          return e.contiguous().data() as Float32Array;
        }),
      );
      const d = emb.length / part.length;
      part.forEach((i, j) => {
        const v = emb.slice(j * d, (j + 1) * d);
        for (let t = 0; t < d; t++) v[t]! -= c.center[t] ?? 0;
        out[i] = v;
      });
    }
  return out;
}

/** Speaker turns from the windows' cluster labels: each 10 ms of speech goes to the nearest window centre. */
export function labelsToTurns(speech: readonly Span[], windows: readonly Span[], labels: readonly number[], step = 0.01): SpeakerTurn[] {
  const turns: SpeakerTurn[] = [];
  const centres = windows.map(([s, e]) => (s + e) / 2);
  for (const [s, e] of speech) {
    const mine = windows.flatMap((w, i) => (w[0] < e && w[1] > s ? [i] : []));
    if (mine.length === 0) continue;
    for (let t = s; t < e; t += step) {
      const mid = Math.min(e, t + step / 2);
      let best = mine[0]!;
      for (const i of mine) if (Math.abs(centres[i]! - mid) < Math.abs(centres[best]! - mid)) best = i;
      turns.push({ start: t, end: Math.min(e, t + step), speaker: `spk${labels[best]}` });
    }
  }
  return mergeTurns(turns, 1e-6);
}

export interface DiarizationOutput {
  turns: SpeakerTurn[];
  speakers: number;
  speech: Span[];
  windows: Span[];
  labels: number[];
}

/** The speech, windows and embeddings of one recording (what threshold tuning reuses). */
export function analyse(
  model: XVector,
  wave: Float32Array,
  c: DiarizerConfig,
): { speech: Span[]; windows: Span[]; embeddings: Float32Array[] } {
  const speech = energyVad(wave, { ...c.vad, sampleRate: c.sampleRate });
  const windows = windowsOf(speech, c.window, c.hop);
  return { speech, windows, embeddings: embedWindows(model, wave, windows, c) };
}

/** Clusters analysed windows into turns at `threshold`. */
export function clusterTurns(a: ReturnType<typeof analyse>, threshold: number, minSize: number): DiarizationOutput {
  const labels = agglomerativeCosine(a.embeddings, { threshold, minSize });
  return {
    turns: labelsToTurns(a.speech, a.windows, labels),
    speakers: new Set(labels).size,
    speech: a.speech,
    windows: a.windows,
    labels,
  };
}

/** Who speaks when in one recording (mono, at the config's sample rate). */
export function diarize(model: XVector, wave: Float32Array, c: DiarizerConfig): DiarizationOutput {
  return clusterTurns(analyse(model, wave, c), c.threshold, c.minSize);
}
