// A DeepSORT-style tracker (Wojke et al. 2017) on SORT's Kalman filter: tracks are tentative
// until nInit consecutive hits, confirmed ones keep a gallery of their last `budget`
// appearance embeddings, and association is a matching cascade — confirmed tracks by
// increasing time since their last detection, each level matched by Hungarian assignment on
// the smallest cosine distance to the gallery, infeasible where the squared Mahalanobis
// distance of the detection's centre (or whole box) from the track's prediction exceeds χ²₀.₉₅ — followed by IoU
// matching of the tentative tracks and those missed for one frame, as deep_sort does.
// Tracks are reported while confirmed and detected in this frame.
import { FlambeauError } from "../../core/errors.js";
import { checkEnum } from "../../core/validate.js";
import { gatedMatching } from "./associate.js";
import type { Box } from "./boxes.js";
import { iou } from "./boxes.js";
import { CHI2_95_2DOF, CHI2_95_4DOF, KalmanBoxFilter } from "./kalman.js";
import { checkRange, type Detection, type TrackedBox, type Tracker } from "./types.js";

export interface DeepSortOptions {
  /** Frames a confirmed track survives without a detection (default 30). */
  maxAge?: number;
  /** Consecutive hits that confirm a track (default 3). */
  nInit?: number;
  /** Largest cosine distance of an appearance match (default 0.2). */
  maxCosineDistance?: number;
  /** Largest 1 − IoU of the IoU stage (default 0.7). */
  maxIouDistance?: number;
  /** Embeddings a track remembers (default 100). */
  budget?: number;
  /**
   * What the Mahalanobis gate measures (default "position"): SORT's filter models the area with
   * a fixed noise, so objects that grow or turn leave a gate on the whole [cx, cy, s, r]
   * (deep_sort's own filter scales its noise with the box height instead).
   */
  gateOn?: "position" | "box";
  /** Gate on the squared Mahalanobis distance (default χ²₀.₉₅: 5.9915 for the position, 9.4877 for the box). */
  gate?: number;
  /**
   * Report tentative tracks during the first nInit − 1 frames, as SORT reports every track in
   * its first minHits frames (default false: deep_sort never reports a tentative track, so a
   * short clip loses its opening frames).
   */
  reportWhileStarting?: boolean;
}

interface DeepTrack {
  id: number;
  kf: KalmanBoxFilter;
  hits: number;
  timeSinceUpdate: number;
  confirmed: boolean;
  features: Float32Array[];
  predicted: Box;
}

/** Cost of an infeasible pair (deep_sort's INFTY_COST). */
const INFEASIBLE = 1e5;

function cosineDistance(a: Float32Array, gallery: readonly Float32Array[]): number {
  let best = Number.POSITIVE_INFINITY;
  for (const g of gallery) {
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i]! * g[i]!;
    best = Math.min(best, 1 - dot);
  }
  return best;
}

export class DeepSortTracker implements Tracker {
  readonly o: Required<DeepSortOptions>;
  private tracks: DeepTrack[] = [];
  private nextId = 1;
  private frame = 0;

  constructor(o: DeepSortOptions = {}) {
    this.o = {
      maxAge: o.maxAge ?? 30,
      nInit: o.nInit ?? 3,
      maxCosineDistance: o.maxCosineDistance ?? 0.2,
      maxIouDistance: o.maxIouDistance ?? 0.7,
      budget: o.budget ?? 100,
      gateOn: o.gateOn ?? "position",
      gate: o.gate ?? ((o.gateOn ?? "position") === "position" ? CHI2_95_2DOF : CHI2_95_4DOF),
      reportWhileStarting: o.reportWhileStarting ?? false,
    };
    checkEnum("DeepSortTracker", "gateOn", this.o.gateOn, ["position", "box"]);
    if (typeof this.o.reportWhileStarting !== "boolean")
      throw new FlambeauError(
        "E_ARG",
        `DeepSortTracker: reportWhileStarting must be true or false, got ${JSON.stringify(this.o.reportWhileStarting)}`,
      );
    checkRange("DeepSortTracker", "maxAge", this.o.maxAge, 0, 1e6, true);
    checkRange("DeepSortTracker", "nInit", this.o.nInit, 1, 1e6, true);
    checkRange("DeepSortTracker", "maxCosineDistance", this.o.maxCosineDistance, 0, 2, false);
    checkRange("DeepSortTracker", "maxIouDistance", this.o.maxIouDistance, 0, 1, false);
    checkRange("DeepSortTracker", "budget", this.o.budget, 1, 1e6, true);
    checkRange("DeepSortTracker", "gate", this.o.gate, 0, 1e9, false);
  }

  update(detections: readonly Detection[]): TrackedBox[] {
    detections.forEach((d, i) => {
      if (!d.embedding)
        throw new FlambeauError("E_ARG", `DeepSortTracker.update: detection ${i} has no embedding (DeepSORT matches by appearance)`);
    });
    this.frame++;
    for (const t of this.tracks) {
      t.predicted = t.kf.predict();
      t.timeSinceUpdate++;
    }
    this.tracks = this.tracks.filter((t) => t.predicted.every(Number.isFinite));
    const matches: [number, number][] = [];
    let free = detections.map((_, i) => i);
    // Matching cascade: the most recently seen confirmed tracks choose first.
    for (let level = 1; level <= this.o.maxAge + 1 && free.length; level++) {
      const tk = this.tracks.map((_, k) => k).filter((k) => this.tracks[k]!.confirmed && this.tracks[k]!.timeSinceUpdate === level);
      if (!tk.length) continue;
      const cost = tk.map((k) => {
        const t = this.tracks[k]!;
        return free.map((d) => {
          const det = detections[d]!;
          if (t.kf.mahalanobis(det.box, this.o.gateOn === "position") > this.o.gate) return INFEASIBLE;
          return cosineDistance(det.embedding!, t.features);
        });
      });
      const m = gatedMatching(cost, tk.length, free.length, this.o.maxCosineDistance);
      for (const [r, c] of m.matches) matches.push([tk[r]!, free[c]!]);
      free = m.unmatchedCols.map((c) => free[c]!);
    }
    // IoU stage: tentative tracks and confirmed ones missed only in the last frame.
    const matchedTracks = new Set(matches.map(([k]) => k));
    const candidates = this.tracks
      .map((_, k) => k)
      .filter((k) => !matchedTracks.has(k) && (!this.tracks[k]!.confirmed || this.tracks[k]!.timeSinceUpdate === 1));
    if (candidates.length && free.length) {
      const cost = candidates.map((k) => free.map((d) => 1 - iou(detections[d]!.box, this.tracks[k]!.predicted)));
      const m = gatedMatching(cost, candidates.length, free.length, this.o.maxIouDistance);
      for (const [r, c] of m.matches) matches.push([candidates[r]!, free[c]!]);
      free = m.unmatchedCols.map((c) => free[c]!);
    }
    for (const [k, d] of matches) {
      const t = this.tracks[k]!;
      const det = detections[d]!;
      t.kf.update(det.box);
      t.hits++;
      t.timeSinceUpdate = 0;
      if (!t.confirmed && t.hits >= this.o.nInit) t.confirmed = true;
      t.features.push(det.embedding!);
      if (t.features.length > this.o.budget) t.features.shift();
    }
    for (const d of free) {
      const det = detections[d]!;
      const kf = new KalmanBoxFilter(det.box);
      this.tracks.push({
        id: this.nextId++,
        kf,
        hits: 1,
        timeSinceUpdate: 0,
        confirmed: this.o.nInit <= 1,
        features: [det.embedding!],
        predicted: kf.box(),
      });
    }
    // A tentative track missed once ends; a confirmed one after maxAge misses.
    this.tracks = this.tracks.filter((t) => (t.confirmed ? t.timeSinceUpdate <= this.o.maxAge : t.timeSinceUpdate === 0));
    const starting = this.o.reportWhileStarting && this.frame < this.o.nInit;
    return this.tracks.filter((t) => (t.confirmed || starting) && t.timeSinceUpdate === 0).map((t) => ({ id: t.id, box: t.kf.box() }));
  }
}
