// SORT (Bewley et al. 2016) as its reference sort.py runs: each frame every track's Kalman
// filter predicts, detections are matched to predictions by Hungarian assignment on
// 1 − IoU (pairs under the IoU threshold dropped), matched tracks are corrected, unmatched
// detections start tracks, tracks unseen for more than maxAge frames end, and a track is
// reported once it has minHits consecutive hits (or during the first minHits frames).

import { gatedMatching } from "./associate.js";
import type { Box } from "./boxes.js";
import { iou } from "./boxes.js";
import { KalmanBoxFilter } from "./kalman.js";
import { checkRange, type Detection, type TrackedBox, type Tracker } from "./types.js";

export interface SortOptions {
  /** Frames a track survives without a detection (default 1). */
  maxAge?: number;
  /** Consecutive hits before a track is reported (default 3). */
  minHits?: number;
  /** Least IoU of a detection with a prediction to match it (default 0.3). */
  iouThreshold?: number;
}

interface SortTrack {
  id: number;
  kf: KalmanBoxFilter;
  timeSinceUpdate: number;
  hitStreak: number;
  predicted: Box;
}

export class SortTracker implements Tracker {
  readonly maxAge: number;
  readonly minHits: number;
  readonly iouThreshold: number;
  private tracks: SortTrack[] = [];
  private frame = 0;
  private nextId = 1;

  constructor(o: SortOptions = {}) {
    this.maxAge = o.maxAge ?? 1;
    this.minHits = o.minHits ?? 3;
    this.iouThreshold = o.iouThreshold ?? 0.3;
    checkRange("SortTracker", "maxAge", this.maxAge, 0, 1e6, true);
    checkRange("SortTracker", "minHits", this.minHits, 0, 1e6, true);
    checkRange("SortTracker", "iouThreshold", this.iouThreshold, 0, 1, false);
  }

  update(detections: readonly Detection[]): TrackedBox[] {
    this.frame++;
    for (const t of this.tracks) {
      t.predicted = t.kf.predict();
      if (t.timeSinceUpdate > 0) t.hitStreak = 0;
      t.timeSinceUpdate++;
    }
    // A prediction that lost its area (NaN or empty) cannot be matched: sort.py drops it.
    this.tracks = this.tracks.filter((t) => t.predicted.every(Number.isFinite));
    const cost = detections.map((d) => this.tracks.map((t) => 1 - iou(d.box, t.predicted)));
    const m = gatedMatching(cost, detections.length, this.tracks.length, 1 - this.iouThreshold, "as-is");
    for (const [d, k] of m.matches) {
      const t = this.tracks[k]!;
      t.kf.update(detections[d]!.box);
      t.timeSinceUpdate = 0;
      t.hitStreak++;
    }
    for (const d of m.unmatchedRows) {
      const kf = new KalmanBoxFilter(detections[d]!.box);
      this.tracks.push({ id: this.nextId++, kf, timeSinceUpdate: 0, hitStreak: 0, predicted: kf.box() });
    }
    const out: TrackedBox[] = [];
    for (const t of this.tracks)
      if (t.timeSinceUpdate < 1 && (t.hitStreak >= this.minHits || this.frame <= this.minHits)) out.push({ id: t.id, box: t.kf.box() });
    this.tracks = this.tracks.filter((t) => t.timeSinceUpdate <= this.maxAge);
    return out;
  }
}
