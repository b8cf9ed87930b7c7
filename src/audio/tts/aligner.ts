// Phoneme durations for training, without labels: a Gaussian per (speaker, phoneme) over the
// standardised log-mel frames (unit variance: Glow-TTS's prior with an identity flow) and
// monotonic alignment search, trained by hard EM (Viterbi training): align with the current
// means, re-estimate the means from the alignment, repeat. The start is a uniform split. The
// means and the mean durations are also the mean-mel-per-phoneme lookup baseline.
import { monotonicAlignment } from "./align.js";

export interface AlignInput {
  /** [nMels × frames], row-major. */
  mel: Float32Array;
  frames: number;
  ids: number[];
  speaker: number;
}

export interface PhonemeStats {
  nMels: number;
  vocab: number;
  speakers: number;
  /** [speakers × vocab × nMels] means (a speaker's unseen phoneme falls back to all speakers'). */
  means: number[];
  /** [speakers × vocab] mean frames per phoneme. */
  durations: number[];
}

function uniform(n: number, t: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(((i + 1) * t) / n) - Math.floor((i * t) / n));
}

/** Means and mean durations per (speaker, phoneme) given durations. */
export function phonemeStats(
  utts: readonly AlignInput[],
  durs: readonly number[][],
  nMels: number,
  vocab: number,
  speakers: number,
): PhonemeStats {
  const sum = new Float64Array(speakers * vocab * nMels);
  const cnt = new Float64Array(speakers * vocab);
  const gsum = new Float64Array(vocab * nMels);
  const gcnt = new Float64Array(vocab);
  const dsum = new Float64Array(speakers * vocab);
  const dcnt = new Float64Array(speakers * vocab);
  utts.forEach((u, k) => {
    let t0 = 0;
    durs[k]!.forEach((d, i) => {
      const p = u.ids[i]!;
      const sp = u.speaker * vocab + p;
      dsum[sp]! += d;
      dcnt[sp]!++;
      for (let t = t0; t < t0 + d; t++) {
        cnt[sp]!++;
        gcnt[p]!++;
        for (let m = 0; m < nMels; m++) {
          const v = u.mel[m * u.frames + t]!;
          sum[sp * nMels + m]! += v;
          gsum[p * nMels + m]! += v;
        }
      }
      t0 += d;
    });
  });
  const means = new Array<number>(speakers * vocab * nMels).fill(0);
  const durations = new Array<number>(speakers * vocab).fill(0);
  for (let s = 0; s < speakers; s++)
    for (let p = 0; p < vocab; p++) {
      const sp = s * vocab + p;
      for (let m = 0; m < nMels; m++)
        means[sp * nMels + m] = cnt[sp]! > 0 ? sum[sp * nMels + m]! / cnt[sp]! : gcnt[p]! > 0 ? gsum[p * nMels + m]! / gcnt[p]! : 0;
      let gd = 0;
      let gn = 0;
      for (let q = 0; q < speakers; q++) {
        gd += dsum[q * vocab + p]!;
        gn += dcnt[q * vocab + p]!;
      }
      durations[sp] = dcnt[sp]! > 0 ? dsum[sp]! / dcnt[sp]! : gn > 0 ? gd / gn : 5;
    }
  return { nMels, vocab, speakers, means, durations };
}

/** Log-likelihood [n × frames] of each frame under each phoneme's Gaussian (unit variance, constants dropped). */
function logLikelihood(u: AlignInput, st: PhonemeStats): Float64Array {
  const n = u.ids.length;
  const out = new Float64Array(n * u.frames);
  for (let i = 0; i < n; i++) {
    const base = (u.speaker * st.vocab + u.ids[i]!) * st.nMels;
    for (let t = 0; t < u.frames; t++) {
      let s = 0;
      for (let m = 0; m < st.nMels; m++) {
        const v = u.mel[m * u.frames + t]! - st.means[base + m]!;
        s += v * v;
      }
      out[i * u.frames + t] = -0.5 * s;
    }
  }
  return out;
}

/** Durations of every utterance by `iterations` rounds of hard EM, and the final statistics. */
export function trainAligner(
  utts: readonly AlignInput[],
  o: { nMels: number; vocab: number; speakers: number; iterations?: number; log?: (l: string) => void },
): { durations: number[][]; stats: PhonemeStats } {
  let durs = utts.map((u) => uniform(u.ids.length, u.frames));
  let stats = phonemeStats(utts, durs, o.nMels, o.vocab, o.speakers);
  for (let it = 0; it < (o.iterations ?? 6); it++) {
    let ll = 0;
    let frames = 0;
    durs = utts.map((u) => {
      const lp = logLikelihood(u, stats);
      const d = monotonicAlignment(lp, u.ids.length, u.frames);
      let t0 = 0;
      d.forEach((len, i) => {
        for (let t = t0; t < t0 + len; t++) ll += lp[i * u.frames + t]!;
        t0 += len;
      });
      frames += u.frames;
      return d;
    });
    stats = phonemeStats(utts, durs, o.nMels, o.vocab, o.speakers);
    o.log?.(`aligner: EM round ${it + 1}: mean log-likelihood per frame ${(ll / frames).toFixed(2)}`);
  }
  return { durations: durs, stats };
}

/** The lookup baseline: each phoneme's mean mel held for its mean duration → [nMels × frames]. */
export function lookupMel(ids: readonly number[], speaker: number, st: PhonemeStats): { mel: Float32Array; frames: number } {
  const lens = ids.map((p) => Math.max(1, Math.round(st.durations[speaker * st.vocab + p]!)));
  const frames = lens.reduce((a, b) => a + b, 0);
  const mel = new Float32Array(st.nMels * frames);
  let t = 0;
  ids.forEach((p, i) => {
    const base = (speaker * st.vocab + p) * st.nMels;
    for (let r = 0; r < lens[i]!; r++, t++) for (let m = 0; m < st.nMels; m++) mel[m * frames + t] = st.means[base + m]!;
  });
  return { mel, frames };
}
