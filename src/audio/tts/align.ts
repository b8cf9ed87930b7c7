// Monotonic alignment search (Glow-TTS, Kim et al. 2020): the path through a phoneme × frame
// log-likelihood matrix that visits the phonemes in order, gives each at least one frame and
// every frame exactly one phoneme, and has the largest total log-likelihood. Dynamic
// programming, O(N·T); returns the frames per phoneme (the durations).
import { FlambeauError } from "../../core/errors.js";

const OP = "monotonicAlignment";

/** logp: row-major [n phonemes × t frames]. Durations per phoneme, summing to t. */
export function monotonicAlignment(logp: Float32Array | Float64Array, n: number, t: number): number[] {
  if (!Number.isInteger(n) || !Number.isInteger(t) || n < 1 || t < 1)
    throw new FlambeauError("E_ARG", `${OP}: need n ≥ 1 phonemes and t ≥ 1 frames, got n=${n}, t=${t}`, OP);
  if (logp.length !== n * t) throw new FlambeauError("E_SHAPE", `${OP}: expected ${n}×${t} = ${n * t} values, got ${logp.length}`, OP);
  if (n > t) throw new FlambeauError("E_SHAPE", `${OP}: ${n} phonemes cannot fit in ${t} frames (each needs one)`, OP);
  // q[i, j]: best score of frames 0..j ending in phoneme i; phoneme i is reachable from frame i
  // on and must leave n-1-i frames for the phonemes after it.
  const q = new Float64Array(n * t).fill(Number.NEGATIVE_INFINITY);
  q[0] = logp[0]!;
  for (let j = 1; j < t; j++)
    for (let i = Math.max(0, n - t + j); i <= Math.min(j, n - 1); i++) {
      const stay = q[i * t + j - 1]!;
      const move = i > 0 ? q[(i - 1) * t + j - 1]! : Number.NEGATIVE_INFINITY;
      q[i * t + j] = logp[i * t + j]! + Math.max(stay, move);
    }
  if (!Number.isFinite(q[n * t - 1]!))
    throw new FlambeauError("E_ARG", `${OP}: the log-likelihoods contain NaN or -Infinity on every path`, OP);
  const dur = new Array<number>(n).fill(0);
  let i = n - 1;
  for (let j = t - 1; j >= 0; j--) {
    dur[i]!++;
    // Move to the previous phoneme when it scores at least as well (ties: leave earlier, as Glow-TTS).
    if (i > 0 && (i === j || q[(i - 1) * t + j - 1]! >= q[i * t + j - 1]!)) i--;
  }
  return dur;
}
