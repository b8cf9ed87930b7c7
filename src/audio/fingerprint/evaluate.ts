// Identification under distortion: every excerpt becomes one query per distortion, each query
// is identified against the index, and the answer is right when its top track is the track
// the excerpt came from. Latency is wall time per query (fingerprint + search), the figure a
// user waits for.
import { Random } from "../../data/random.js";
import type { QueryExcerpt } from "./catalog.js";
import { type DistortionName, type DistortionOptions, distortedQuery } from "./distort.js";

export interface Identification {
  track: number;
  /** Where the query starts in the track, in seconds. */
  offset: number;
  score: number;
}

/** Anything that names the track a recording comes from (the landmark index, a learned fingerprint). */
export interface Identifier {
  identify(samples: Float32Array): Identification | null;
}

export interface IdentificationReport {
  /** Top-1 identification rate per distortion. */
  top1: Partial<Record<DistortionName, number>>;
  /** The mean of the per-distortion rates. */
  meanTop1: number;
  /** Share of correct clean/noise/reverb/codec answers whose offset is within 0.5 s of the truth. */
  offsetAccuracy: number;
  queries: number;
  latencyMs: { mean: number; p95: number };
  /** Process CPU time per query (all threads): steadier than wall time on a shared machine. */
  cpuMsMean: number;
}

export async function evaluateIdentification(
  id: Identifier,
  excerpts: readonly QueryExcerpt[],
  distortions: readonly DistortionName[],
  d: DistortionOptions,
  o: { seconds: number; seed: number; log?: (line: string) => void },
): Promise<IdentificationReport> {
  const length = Math.round(o.seconds * d.sampleRate);
  const top1: Partial<Record<DistortionName, number>> = {};
  const times: number[] = [];
  let cpuUs = 0;
  let offHit = 0;
  let offN = 0;
  for (const [k, name] of distortions.entries()) {
    const rng = new Random(o.seed, 44, k);
    let right = 0;
    for (const e of excerpts) {
      const q = await distortedQuery(e.samples, 0, length, name, d, rng);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = id.identify(q.samples);
      times.push(performance.now() - t0);
      const c1 = process.cpuUsage(c0);
      cpuUs += c1.user + c1.system;
      if (r?.track !== e.track) continue;
      right++;
      if (name !== "speed") {
        offN++;
        if (Math.abs(r.offset - e.start) <= 0.5) offHit++;
      }
    }
    top1[name] = excerpts.length ? right / excerpts.length : 0;
    o.log?.(`${name}: top-1 ${(100 * top1[name]!).toFixed(1)}% of ${excerpts.length} queries`);
  }
  const rates = Object.values(top1);
  times.sort((a, b) => a - b);
  return {
    top1,
    meanTop1: rates.reduce((s, v) => s + v, 0) / Math.max(1, rates.length),
    offsetAccuracy: offN ? offHit / offN : 0,
    queries: times.length,
    latencyMs: {
      mean: times.reduce((s, v) => s + v, 0) / Math.max(1, times.length),
      p95: times[Math.min(times.length - 1, Math.floor(times.length * 0.95))] ?? 0,
    },
    cpuMsMean: cpuUs / 1000 / Math.max(1, times.length),
  };
}
