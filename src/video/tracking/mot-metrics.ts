// Multi-object tracking metrics over one or more sequences of frames, each frame listing the
// ground-truth objects and the tracker's hypotheses as (id, box):
//   CLEAR MOT (Bernardin & Stiefelhagen 2008): per frame, correspondences of the previous
//   frame are kept while still valid (IoU ≥ threshold), the rest are matched by Hungarian
//   assignment on 1 − IoU among valid pairs; a mismatch (ID switch) is a ground-truth object
//   matched to a hypothesis other than the one it was last matched to. MOTA = 1 − (FN + FP +
//   IDSW) / GT; MOTP here is the mean IoU of the matched pairs (overlap form of the paper's
//   precision: higher is better).
//   IDF1 (Ristani et al. 2016): the one-to-one matching of whole ground-truth and hypothesis
//   trajectories that maximises the frames where a matched pair overlaps (IoU ≥ threshold) —
//   the min-cost bipartite matching of the paper, whose cost IDFN + IDFP = GT + HYP − 2·IDTP —
//   and IDF1 = 2·IDTP / (GT + HYP). Identities are per sequence.
import { FlambeauError } from "../../core/errors.js";
import { linearSumAssignment } from "../../train/assignment.js";
import { gatedMatching } from "./associate.js";
import { iou } from "./boxes.js";

export interface Labelled {
  id: number;
  box: readonly number[];
}

export interface MotFrame {
  truth: readonly Labelled[];
  hypotheses: readonly Labelled[];
}

export interface MotResult {
  frames: number;
  /** Ground-truth boxes over all frames. */
  gt: number;
  /** Hypothesis boxes over all frames. */
  hyp: number;
  matches: number;
  fp: number;
  fn: number;
  idsw: number;
  mota: number;
  /** Mean IoU of matched pairs. */
  motp: number;
  idtp: number;
  idfp: number;
  idfn: number;
  idf1: number;
  idp: number;
  idr: number;
}

function checkFrame(op: string, f: MotFrame, t: number): void {
  for (const [what, list] of [
    ["truth", f.truth],
    ["hypotheses", f.hypotheses],
  ] as const) {
    const seen = new Set<number>();
    for (const o of list) {
      if (seen.has(o.id)) throw new FlambeauError("E_ARG", `${op}: frame ${t} lists ${what} id ${o.id} twice`, op);
      seen.add(o.id);
      const b = o.box;
      if (b.length !== 4 || !b.every(Number.isFinite) || b[2]! < 0 || b[3]! < 0)
        throw new FlambeauError(
          "E_ARG",
          `${op}: frame ${t} ${what} id ${o.id} has box [${b.join(", ")}]; boxes are [x, y, w ≥ 0, h ≥ 0]`,
          op,
        );
    }
  }
}

/** CLEAR MOT counts of one sequence. */
function clearMot(seq: readonly MotFrame[], threshold: number) {
  let matches = 0;
  let fp = 0;
  let fn = 0;
  let idsw = 0;
  let overlap = 0;
  const lastMatch = new Map<number, number>(); // gt id → hyp id it was last matched to
  let prev = new Map<number, number>(); // previous frame's correspondences
  for (const f of seq) {
    const cur = new Map<number, number>();
    const hypById = new Map(f.hypotheses.map((h) => [h.id, h]));
    const usedHyp = new Set<number>();
    // Keep last frame's pairs that are still valid.
    for (const g of f.truth) {
      const h = prev.get(g.id);
      if (h === undefined || usedHyp.has(h)) continue;
      const hb = hypById.get(h);
      if (!hb) continue;
      const o = iou(g.box, hb.box);
      if (o >= threshold) {
        cur.set(g.id, h);
        usedHyp.add(h);
        overlap += o;
      }
    }
    const gts = f.truth.filter((g) => !cur.has(g.id));
    const hyps = f.hypotheses.filter((h) => !usedHyp.has(h.id));
    const cost = gts.map((g) => hyps.map((h) => 1 - iou(g.box, h.box)));
    // Pairs under the threshold are infeasible: the most valid pairs first, then the least distance.
    const m = gatedMatching(cost, gts.length, hyps.length, 1 - threshold, "forbid");
    for (const [i, j] of m.matches) {
      const g = gts[i]!;
      const h = hyps[j]!;
      cur.set(g.id, h.id);
      usedHyp.add(h.id);
      overlap += 1 - cost[i]![j]!;
      const last = lastMatch.get(g.id);
      if (last !== undefined && last !== h.id) idsw++;
    }
    for (const [g, h] of cur) lastMatch.set(g, h);
    matches += cur.size;
    fn += f.truth.length - cur.size;
    fp += f.hypotheses.length - cur.size;
    prev = cur;
  }
  return { matches, fp, fn, idsw, overlap };
}

/** IDTP of one sequence: the best one-to-one matching of whole trajectories. */
function identityTruePositives(seq: readonly MotFrame[], threshold: number): number {
  const gIds = [...new Set(seq.flatMap((f) => f.truth.map((g) => g.id)))];
  const hIds = [...new Set(seq.flatMap((f) => f.hypotheses.map((h) => h.id)))];
  if (!gIds.length || !hIds.length) return 0;
  const gi = new Map(gIds.map((id, i) => [id, i]));
  const hi = new Map(hIds.map((id, i) => [id, i]));
  const together = gIds.map(() => new Array<number>(hIds.length).fill(0));
  for (const f of seq)
    for (const g of f.truth) for (const h of f.hypotheses) if (iou(g.box, h.box) >= threshold) together[gi.get(g.id)!]![hi.get(h.id)!]!++;
  const a = linearSumAssignment(together.map((r) => r.map((v) => -v)));
  return -a.cost;
}

/**
 * CLEAR MOT and identity metrics summed over sequences (each sequence is a list of frames;
 * identities are matched within a sequence). `threshold` is the least IoU of a match (default 0.5).
 */
export function motMetrics(sequences: readonly (readonly MotFrame[])[], threshold = 0.5): MotResult {
  if (!(threshold > 0 && threshold <= 1))
    throw new FlambeauError("E_ARG", `motMetrics: threshold must be in (0, 1], got ${threshold}`, "motMetrics");
  let frames = 0;
  let gt = 0;
  let hyp = 0;
  let matches = 0;
  let fp = 0;
  let fn = 0;
  let idsw = 0;
  let overlap = 0;
  let idtp = 0;
  sequences.forEach((seq, s) => {
    if (!seq.length) throw new FlambeauError("E_ARG", `motMetrics: sequence ${s} has no frames`, "motMetrics");
    seq.forEach((f, t) => checkFrame("motMetrics", f, t));
    frames += seq.length;
    for (const f of seq) {
      gt += f.truth.length;
      hyp += f.hypotheses.length;
    }
    const c = clearMot(seq, threshold);
    matches += c.matches;
    fp += c.fp;
    fn += c.fn;
    idsw += c.idsw;
    overlap += c.overlap;
    idtp += identityTruePositives(seq, threshold);
  });
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  return {
    frames,
    gt,
    hyp,
    matches,
    fp,
    fn,
    idsw,
    mota: gt > 0 ? 1 - (fn + fp + idsw) / gt : 0,
    motp: ratio(overlap, matches),
    idtp,
    idfp: hyp - idtp,
    idfn: gt - idtp,
    idf1: ratio(2 * idtp, gt + hyp),
    idp: ratio(idtp, hyp),
    idr: ratio(idtp, gt),
  };
}
