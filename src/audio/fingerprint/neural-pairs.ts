// Training pairs for the learned fingerprint (Chang et al. 2021): an index segment, clean, and
// a replica of it as a query would hear it — shifted by up to half a segment hop (a query never
// starts on the index's grid), played up to ±speed fast or slow, through a random room, a
// low-bit-rate codec and real background noise. The noise recordings and rooms are drawn from
// the training side only: evaluation queries use held-out recordings and their own seeds.
import { cat, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import type { Random } from "../../data/random.js";
import { addNoise, reverberateRows, speedPerturb, syntheticRir } from "../augment.js";
import { type SegmentConfig, segmentFeatures, segmentSamples } from "./neural-frontend.js";

export interface PairDistortions {
  /** Training noise recordings at the segment rate. */
  noise: readonly Float32Array[];
  /** Share of replicas with noise, and their SNR range in dB. */
  noiseShare: number;
  snrDb: readonly [number, number];
  /** Share of replicas in a room, and the room's RT60 range in seconds. */
  roomShare: number;
  rt60: readonly [number, number];
  /** Share of replicas played faster or slower, by up to this much (in steps of 0.01). */
  speedShare: number;
  speed: number;
  /** Share of replicas cut from the codec round trip of the track (when there is one). */
  codecShare: number;
  /** Largest shift of the replica against its segment, in seconds. */
  jitterSeconds: number;
}

export const DEFAULT_PAIR_DISTORTIONS: Readonly<Omit<PairDistortions, "noise">> = Object.freeze({
  noiseShare: 0.8,
  snrDb: [0, 15] as const,
  roomShare: 0.5,
  rt60: [0.2, 0.7] as const,
  speedShare: 0.5,
  speed: 0.06,
  codecShare: 0.25,
  jitterSeconds: 0.25,
});

export interface PairSource {
  /** Each track's samples at the segment rate. */
  tracks: readonly Float32Array[];
  /** The same tracks after a low-bit-rate codec round trip (optional). */
  codec?: readonly Float32Array[];
}

/** `n` samples of x from `start` (which may lie outside it): zeros where x has none. */
function window(x: Float32Array, start: number, n: number): Float32Array {
  const out = new Float32Array(n);
  const a = Math.max(0, start);
  const b = Math.min(x.length, start + n);
  if (b > a) out.set(x.subarray(a, b), a - start);
  return out;
}

/** A room's worth of context before the segment, so a replica's reverb carries the tail of what came before. */
const PREROLL_SECONDS = 0.25;

/**
 * One batch: anchors as [track, segment] → { clean, replica } network inputs [B, 1, nMels, frames].
 * Segment k of a track starts at k · segmentHop · hopLength samples, as in the index.
 */
export function pairBatch(
  src: PairSource,
  anchors: readonly (readonly [number, number])[],
  c: SegmentConfig,
  d: PairDistortions,
  rng: Random,
): { clean: Tensor; replica: Tensor } {
  const len = segmentSamples(c);
  const hop = c.segmentHop * c.hopLength;
  const pre = Math.round(PREROLL_SECONDS * c.sampleRate);
  const span = pre + len;
  const maxJitter = Math.round(d.jitterSeconds * c.sampleRate);
  const steps = Math.round(d.speed * 100);
  const clean: Float32Array[] = [];
  // Replica rows grouped by speed factor: one resampling call per factor.
  const bySpeed = new Map<number, { rows: number[]; chunks: Float32Array[] }>();
  anchors.forEach(([t, k], row) => {
    const start = k * hop;
    clean.push(window(src.tracks[t]!, start, len));
    const from = src.codec && rng.nextFloat() < d.codecShare ? src.codec[t]! : src.tracks[t]!;
    const jitter = maxJitter ? rng.int(2 * maxJitter + 1) - maxJitter : 0;
    const pct = steps && rng.nextFloat() < d.speedShare ? (rng.nextFloat() < 0.5 ? -1 : 1) * (1 + rng.int(steps)) : 0;
    const f = 1 + pct / 100;
    // Played at speed f, sample P of the output is sample P·f of the source: the segment's start lands after the preroll.
    const chunk = window(from, start + jitter - Math.round(pre * f), Math.ceil(span * f) + 64);
    const g = bySpeed.get(pct) ?? { rows: [], chunks: [] };
    g.rows.push(row);
    g.chunks.push(chunk);
    bySpeed.set(pct, g);
  });
  return noGrad(() =>
    tidy(() => {
      const order: number[] = [];
      const parts: Tensor[] = [];
      for (const [pct, g] of bySpeed) {
        const x = tensor(concatRows(g.chunks), { shape: [g.chunks.length, g.chunks[0]!.length] });
        const y = pct === 0 ? x : speedPerturb(x, 1 + pct / 100, c.sampleRate);
        parts.push(y.narrow(1, 0, span));
        order.push(...g.rows);
      }
      // Back to anchor order.
      const inv = new Int32Array(order.length);
      order.forEach((row, i) => {
        inv[row] = i;
      });
      let y = cat(parts, 0).indexSelect(0, tensor(inv).to("int64"));
      const b = anchors.length;
      const rooms = anchors.map(() => rng.nextFloat() < d.roomShare);
      if (rooms.some(Boolean)) {
        const rt = rooms.map(() => d.rt60[0] + rng.nextFloat() * (d.rt60[1] - d.rt60[0]));
        const rlen = Math.round(Math.max(...rt) * c.sampleRate);
        const h = new Float32Array(b * rlen);
        rooms.forEach((on, i) => {
          if (on) h.set(syntheticRir(c.sampleRate, rt[i]!, rng).subarray(0, rlen), i * rlen);
          else h[i * rlen] = 1; // no room: the identity filter
        });
        y = reverberateRows(y, tensor(h, { shape: [b, rlen] }));
      }
      if (d.noise.length && d.noiseShare > 0) {
        const nz = new Float32Array(b * span);
        const snr = new Float32Array(b);
        for (let i = 0; i < b; i++) {
          snr[i] = rng.nextFloat() < d.noiseShare ? d.snrDb[0] + rng.nextFloat() * (d.snrDb[1] - d.snrDb[0]) : 200;
          const s = d.noise[rng.int(d.noise.length)]!;
          const o = rng.int(s.length);
          for (let j = 0; j < span; j++) nz[i * span + j] = s[(o + j) % s.length]!;
        }
        y = addNoise(y, tensor(nz, { shape: [b, span] }), tensor(snr));
      }
      return {
        clean: segmentFeatures(tensor(concatRows(clean), { shape: [b, len] }), c),
        replica: segmentFeatures(y.narrow(1, pre, len).contiguous(), c),
      };
    }),
  );
}

function concatRows(rows: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((s, r) => s + r.length, 0));
  let o = 0;
  for (const r of rows) {
    out.set(r, o);
    o += r.length;
  }
  return out;
}
