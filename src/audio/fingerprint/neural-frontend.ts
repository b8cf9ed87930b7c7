// The learned fingerprint's input (Chang et al. 2021): one-second log-mel segments at 8 kHz,
// one every half second. Frames are uncentred, so a segment is a fixed stretch of samples and
// the same segment comes out whether it is cut from a whole track's spectrogram (the index)
// or computed from that stretch alone (a training pair, a query). Each segment is scaled by
// its own loudest bin: a recording's level says nothing about which track it is.
import { FlambeauError } from "../../core/errors.js";
import { noGrad, stack, type Tensor, tensor, tidy } from "../../core/index.js";
import { amplitudeToDB } from "../features/db.js";
import { MelSpectrogram } from "../features/mel.js";

export interface SegmentConfig {
  sampleRate: number;
  nFft: number;
  hopLength: number;
  nMels: number;
  /** Lowest mel band edge in Hz (below it a room's boom and hum say little). */
  fMin: number;
  /** Frames in one segment (32 at a 250-sample hop: one second at 8 kHz). */
  segmentFrames: number;
  /** Frames from one segment to the next (16: half a second). */
  segmentHop: number;
  /** Dynamic range kept below each segment's loudest bin, in dB. */
  rangeDb: number;
}

export const DEFAULT_SEGMENTS: Readonly<SegmentConfig> = Object.freeze({
  sampleRate: 8000,
  nFft: 512,
  hopLength: 250,
  nMels: 32,
  fMin: 100,
  segmentFrames: 32,
  segmentHop: 16,
  rangeDb: 80,
});

/** Samples one segment spans: its frames' windows end to end. */
export const segmentSamples = (c: SegmentConfig): number => (c.segmentFrames - 1) * c.hopLength + c.nFft;

/** Seconds from one segment to the next. */
export const segmentHopSeconds = (c: SegmentConfig): number => (c.segmentHop * c.hopLength) / c.sampleRate;

/** Segments a recording of `n` samples holds (0 when it is shorter than one). */
export function segmentCount(n: number, c: SegmentConfig): number {
  const frames = n < c.nFft ? 0 : 1 + Math.floor((n - c.nFft) / c.hopLength);
  return frames < c.segmentFrames ? 0 : 1 + Math.floor((frames - c.segmentFrames) / c.segmentHop);
}

const mels = new Map<string, MelSpectrogram>();

function melOf(c: SegmentConfig): MelSpectrogram {
  const key = `${c.sampleRate}/${c.nFft}/${c.hopLength}/${c.nMels}/${c.fMin}`;
  let m = mels.get(key);
  if (!m) {
    m = new MelSpectrogram({ sampleRate: c.sampleRate, nFft: c.nFft, hopLength: c.hopLength, nMels: c.nMels, fMin: c.fMin, center: false });
    mels.set(key, m);
  }
  return m;
}

/** dB segments [N, nMels, frames] → [N, 1, nMels, frames] in about [-1, 1], each by its own loudest bin. */
function scaleSegments(db: Tensor, c: SegmentConfig): Tensor {
  const half = c.rangeDb / 2;
  const top = db.amax([1, 2], true);
  return db.sub(top).clamp(-c.rangeDb).add(half).div(half).unsqueeze(1);
}

/** Stretches of exactly segmentSamples(c) samples, [B, segmentSamples] → network input [B, 1, nMels, segmentFrames]. */
export function segmentFeatures(waves: Tensor, c: SegmentConfig): Tensor {
  const n = segmentSamples(c);
  if (waves.ndim !== 2 || waves.shape[1] !== n)
    throw new FlambeauError("E_SHAPE", `segmentFeatures: expected [B, ${n}] samples, got [${waves.shape.join(", ")}]`, "segmentFeatures");
  return noGrad(() => tidy(() => scaleSegments(amplitudeToDB(melOf(c).forward(waves)), c)));
}

/** Every segment of a recording, one per segmentHop frames: [segmentCount, 1, nMels, segmentFrames]. */
export function recordingSegments(samples: Float32Array, c: SegmentConfig): Tensor {
  const count = segmentCount(samples.length, c);
  if (count === 0)
    throw new FlambeauError(
      "E_ARG",
      `recordingSegments: ${samples.length} samples are shorter than one ${segmentSamples(c)}-sample segment`,
      "recordingSegments",
    );
  return noGrad(() =>
    tidy(() => {
      const db = amplitudeToDB(melOf(c).forward(tensor(samples)));
      const segs = Array.from({ length: count }, (_, k) => db.narrow(1, k * c.segmentHop, c.segmentFrames));
      return scaleSegments(stack(segs, 0), c);
    }),
  );
}
