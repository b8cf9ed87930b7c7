// FastSpeech's length regulator: each phoneme's encoder state repeated for its duration in
// frames, batched; frames past an utterance's length are zeros. One index_select, so the
// gradient flows back to the encoder states.
import { FlambeauError } from "../../core/errors.js";
import { cat, type Tensor, tensor, tidy, zeros } from "../../core/index.js";

const OP = "lengthRegulate";

/** h [B, N, D], durations[b][i] frames → [B, T, D] with T = max total (or `maxFrames`), and the frames per example. */
export function lengthRegulate(
  h: Tensor,
  durations: readonly (readonly number[])[],
  maxFrames?: number,
): { out: Tensor; frames: number[] } {
  if (h.ndim !== 3) throw new FlambeauError("E_SHAPE", `${OP}: expected encoder states [B, N, D], got [${h.shape.join(", ")}]`, OP);
  const [b, n, d] = h.shape as [number, number, number];
  if (durations.length !== b) throw new FlambeauError("E_SHAPE", `${OP}: ${durations.length} duration rows for a batch of ${b}`, OP);
  const frames = durations.map((row, k) => {
    if (row.length > n) throw new FlambeauError("E_SHAPE", `${OP}: example ${k} has ${row.length} durations for ${n} phonemes`, OP);
    let s = 0;
    for (const v of row) {
      if (!Number.isInteger(v) || v < 0)
        throw new FlambeauError("E_ARG", `${OP}: durations must be integers ≥ 0, got ${v} in example ${k}`, OP);
      s += v;
    }
    return s;
  });
  const t = Math.max(1, maxFrames ?? Math.max(...frames));
  // Row b·N + i of the flattened states, or the appended zero row for padding.
  const zeroRow = b * n;
  const idx = new BigInt64Array(b * t).fill(BigInt(zeroRow));
  durations.forEach((row, k) => {
    let at = 0;
    row.forEach((v, i) => {
      for (let r = 0; r < v && at < t; r++) idx[k * t + at++] = BigInt(k * n + i);
    });
  });
  const out = tidy(() =>
    cat([h.reshape([b * n, d]), zeros([1, d], { dtype: h.dtype })], 0)
      .indexSelect(0, tensor(idx, { shape: [b * t] }))
      .reshape([b, t, d]),
  );
  return { out, frames: frames.map((f) => Math.min(f, t)) };
}
