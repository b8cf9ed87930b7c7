// Landmark fingerprints (Wang 2003, "An Industrial-Strength Audio Search Algorithm"): the
// magnitude spectrogram's local maxima form a sparse constellation that survives noise and
// codecs; each anchor peak is paired with the few peaks that follow it in a target zone, and
// the pair (f1, f2, Δt) packs into a 32-bit hash kept with the anchor's frame. The STFT and
// the neighbourhood maximum run on the engine; choosing and pairing peaks is bookkeeping.
import { FlambeauError } from "../../core/errors.js";
import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { maxPool2d } from "../../core/ops/nn.js";
import { spectrogram } from "../features/stft.js";

export interface LandmarkConfig {
  /** Rate the audio is fingerprinted at (Wang's 8 kHz keeps the band codecs and rooms leave alone). */
  sampleRate: number;
  nFft: number;
  hopLength: number;
  /** A peak is the largest value within ±this many bins … */
  peakFreqRadius: number;
  /** … and ±this many frames. */
  peakTimeRadius: number;
  /** Density control: the strongest peaks kept per second of audio. */
  peaksPerSecond: number;
  /** Peaks quieter than the loudest bin of the recording by more than this many dB are ignored (and any below −30 dB). */
  floorDb: number;
  /** Targets paired with each anchor (the nearest in time within the zone). */
  fanOut: number;
  /** The target zone: frames after the anchor (1 … maxDt) … */
  maxDt: number;
  /** … and bins above or below it. */
  maxDf: number;
}

export const DEFAULT_LANDMARKS: Readonly<LandmarkConfig> = Object.freeze({
  sampleRate: 8000,
  nFft: 512,
  hopLength: 256,
  peakFreqRadius: 8,
  peakTimeRadius: 4,
  peaksPerSecond: 24,
  floorDb: 70,
  fanOut: 6,
  maxDt: 48,
  maxDf: 96,
});

export interface Peak {
  /** Frame (centred at t·hopLength samples). */
  t: number;
  /** FFT bin (f·sampleRate/nFft Hz). */
  f: number;
  /** Log power (dB). */
  db: number;
}

/**
 * Log power (dB) below which no bin is a peak whatever the recording's loudness: a full-scale
 * tone reaches about +40 dB at nFft 512, so this is ~70 dB down. Without it digital silence,
 * flat at its floor, would be all peaks — identical hashes in every track's quiet intro.
 */
const SILENCE_DB = -30;

/** Bits of the 32-bit hash: f1 (10) | f2 (10) | Δt (12), Wang's (f1, f2, Δt) triple. */
const F_BITS = 10;
const DT_BITS = 12;

/** Packs an anchor/target pair into an unsigned 32-bit hash. */
export function landmarkHash(f1: number, f2: number, dt: number): number {
  if (!(f1 >= 0 && f1 < 1 << F_BITS && f2 >= 0 && f2 < 1 << F_BITS && dt > 0 && dt < 1 << DT_BITS))
    throw new FlambeauError(
      "E_ARG",
      `landmarkHash: need 0 ≤ f1, f2 < ${1 << F_BITS} and 0 < dt < ${1 << DT_BITS}, got (${f1}, ${f2}, ${dt})`,
      "landmarkHash",
    );
  return ((f1 << (F_BITS + DT_BITS)) | (f2 << DT_BITS) | dt) >>> 0;
}

/** The (f1, f2, Δt) triple of a hash. */
export function unpackLandmarkHash(h: number): { f1: number; f2: number; dt: number } {
  return { f1: h >>> (F_BITS + DT_BITS), f2: (h >>> DT_BITS) & ((1 << F_BITS) - 1), dt: h & ((1 << DT_BITS) - 1) };
}

export function checkLandmarkConfig(c: LandmarkConfig): void {
  const op = "landmarks";
  const int = (k: keyof LandmarkConfig, lo: number, hi: number) => {
    const v = c[k];
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new FlambeauError("E_ARG", `${op}: ${k} must be an integer in [${lo}, ${hi}], got ${v}`, op);
  };
  int("sampleRate", 4000, 96000);
  int("nFft", 64, 2 * ((1 << F_BITS) - 1));
  int("hopLength", 1, c.nFft);
  int("peakFreqRadius", 0, 256);
  int("peakTimeRadius", 0, 256);
  int("peaksPerSecond", 1, 1000);
  int("fanOut", 1, 64);
  int("maxDt", 1, (1 << DT_BITS) - 1);
  int("maxDf", 0, 1 << F_BITS);
  if (!(c.floorDb > 0)) throw new FlambeauError("E_ARG", `${op}: floorDb must be > 0, got ${c.floorDb}`, op);
}

/** Local maxima of the log-power spectrogram (engine max filter), thinned to `peaksPerSecond`. */
export function spectralPeaks(samples: Float32Array, c: LandmarkConfig = DEFAULT_LANDMARKS): Peak[] {
  checkLandmarkConfig(c);
  if (samples.length <= c.nFft / 2)
    throw new FlambeauError("E_SHAPE", `spectralPeaks: need more than ${c.nFft / 2} samples, got ${samples.length}`, "spectralPeaks");
  const { db, isPeak, bins, frames } = noGrad(() =>
    tidy(() => {
      const spec: Tensor = spectrogram(tensor(samples), { nFft: c.nFft, hopLength: c.hopLength, power: 2 });
      const logp = spec.clamp(1e-10).log10().mul(10); // [bins, frames]
      const kf = 2 * c.peakFreqRadius + 1;
      const kt = 2 * c.peakTimeRadius + 1;
      const local = maxPool2d(logp.unsqueeze(0), [kf, kt], { stride: [1, 1], padding: [c.peakFreqRadius, c.peakTimeRadius] }).squeeze(0);
      const floor = Math.max(logp.max().item() - c.floorDb, SILENCE_DB);
      const peak = logp.eq(local).logicalAnd(logp.gt(floor));
      return {
        db: (logp.data() as Float32Array).slice(),
        isPeak: (peak.data() as Uint8Array).slice(),
        bins: logp.shape[0]!,
        frames: logp.shape[1]!,
      };
    }),
  );
  // Density control: the strongest peaks of each one-second block of frames.
  const block = Math.max(1, Math.round(c.sampleRate / c.hopLength));
  const out: Peak[] = [];
  for (let t0 = 0; t0 < frames; t0 += block) {
    const cand: Peak[] = [];
    const t1 = Math.min(frames, t0 + block);
    // Bin 0 (DC) is no landmark: a signal's offset is not its music.
    for (let f = 1; f < bins; f++)
      for (let t = t0; t < t1; t++) {
        const i = f * frames + t;
        if (isPeak[i]) cand.push({ t, f, db: db[i]! });
      }
    const keep = Math.max(1, Math.round((c.peaksPerSecond * (t1 - t0)) / block));
    cand.sort((a, b) => b.db - a.db || a.t - b.t || a.f - b.f);
    out.push(...cand.slice(0, keep));
  }
  return out.sort((a, b) => a.t - b.t || a.f - b.f);
}

export interface Landmarks {
  hashes: Uint32Array;
  /** The anchor frame of each hash. */
  times: Uint32Array;
}

/** Pairs each anchor with its `fanOut` nearest targets in the zone Δt ∈ [1, maxDt], |Δf| ≤ maxDf. */
export function landmarkPairs(peaks: readonly Peak[], c: LandmarkConfig = DEFAULT_LANDMARKS): Landmarks {
  const hashes: number[] = [];
  const times: number[] = [];
  for (let i = 0; i < peaks.length; i++) {
    const a = peaks[i]!;
    let n = 0;
    for (let j = i + 1; j < peaks.length && n < c.fanOut; j++) {
      const b = peaks[j]!;
      const dt = b.t - a.t;
      if (dt > c.maxDt) break;
      if (dt < 1 || Math.abs(b.f - a.f) > c.maxDf) continue;
      hashes.push(landmarkHash(a.f, b.f, dt));
      times.push(a.t);
      n++;
    }
  }
  return { hashes: Uint32Array.from(hashes), times: Uint32Array.from(times) };
}

/** The landmark hashes of a mono recording at `c.sampleRate`. */
export function landmarks(samples: Float32Array, c: LandmarkConfig = DEFAULT_LANDMARKS): Landmarks {
  return landmarkPairs(spectralPeaks(samples, c), c);
}
