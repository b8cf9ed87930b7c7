// CTC posteriors written by hand for decoder tests.
import * as fl from "flambeau";

/** Frames of log-probabilities [T × classes] from per-frame {label: probability} (the rest share what is left, at least a tiny mass). */
export function ctcFrames(rows: readonly Record<number, number>[]): Float32Array {
  const C = fl.audio.CTC_CLASSES;
  const out = new Float32Array(rows.length * C);
  rows.forEach((r, t) => {
    const rest = Math.max(1e-6, 1 - Object.values(r).reduce((a, b) => a + b, 0)) / (C - Object.keys(r).length);
    for (let c = 0; c < C; c++) out[t * C + c] = Math.log(r[c] ?? rest);
  });
  return out;
}
