// The baseline: tracking by IoU alone, frame to frame, with no motion model (as the IOU
// tracker of Bochinski et al. 2017 without its length filter): each detection takes the
// identity of the previous frame's box it overlaps most (Hungarian on 1 − IoU, at least the
// threshold), or a new identity.
import { gatedMatching } from "./associate.js";
import { iou } from "./boxes.js";
import { checkRange, type Detection, type TrackedBox, type Tracker } from "./types.js";

export class IouTracker implements Tracker {
  private last: TrackedBox[] = [];
  private nextId = 1;

  constructor(readonly iouThreshold = 0.3) {
    checkRange("IouTracker", "iouThreshold", iouThreshold, 0, 1, false);
  }

  update(detections: readonly Detection[]): TrackedBox[] {
    const cost = detections.map((d) => this.last.map((t) => 1 - iou(d.box, t.box)));
    const m = gatedMatching(cost, detections.length, this.last.length, 1 - this.iouThreshold, "as-is");
    const out: TrackedBox[] = detections.map((d) => ({ id: 0, box: d.box }));
    for (const [d, k] of m.matches) out[d]!.id = this.last[k]!.id;
    for (const d of m.unmatchedRows) out[d]!.id = this.nextId++;
    this.last = out;
    return out;
  }
}
