// Recordings longer than a classifier's window, cut into windows of that length: a clip of
// about k windows (k = round(length / window) ≥ 2) gives k windows spread evenly from its
// start to its end (overlapping when the length is not a multiple), so no part is left out
// and no window is padded. A clip of under 1.5 windows stays whole: training crops it at a
// random offset, evaluation at its centre.
import { FlambeauError } from "../../core/errors.js";
import type { ClipSet } from "./clip-set.js";

/** Start samples of the windows of a clip of `n` samples; [] when it stays whole. */
export function windowStarts(n: number, window: number): number[] {
  if (!Number.isInteger(window) || window < 1)
    throw new FlambeauError("E_ARG", `windowStarts: window must be a positive integer of samples, got ${window}`, "windowStarts");
  const k = Math.round(n / window);
  if (k < 2) return [];
  const spare = n - window;
  return Array.from({ length: k }, (_, i) => Math.round((spare * i) / (k - 1)));
}

/** Every clip of `set` longer than 1.5 windows replaced by its windows (same label; the source names the second it starts at). */
export function cutWindows(set: ClipSet, window: number): ClipSet {
  const out: ClipSet = { ...set, clips: [], labels: [], sources: [] };
  set.clips.forEach((clip, i) => {
    const starts = windowStarts(clip.length, window);
    if (starts.length === 0) {
      out.clips.push(clip);
      out.labels.push(set.labels[i]!);
      out.sources.push(set.sources[i]!);
      return;
    }
    for (const s of starts) {
      out.clips.push(clip.subarray(s, s + window));
      out.labels.push(set.labels[i]!);
      out.sources.push(`${set.sources[i]!}@${(s / set.sampleRate).toFixed(2)}s`);
    }
  });
  return out;
}
