// The tracking library against references: SORT's Kalman filter against the same predict /
// update written in numpy with filterpy's formulas and sort.py's noise settings; Hungarian
// assignment against scipy's linear_sum_assignment (or brute force without scipy); CLEAR MOT
// and IDF1 on small sequences worked out by hand from Bernardin & Stiefelhagen 2008 and
// Ristani et al. 2016; the trackers on easy synthetic scenes; bad input refused.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { test } from "node:test";
import * as fl from "flambeau";

const tr = fl.video.tracking;

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test("Kalman predict/update matches filterpy's formulas with sort.py's settings (numpy)", () => {
  const boxes = [
    [10, 20, 30, 40],
    [13, 21, 30, 41],
    [17, 23, 31, 41],
    [20, 24, 32, 42],
    [24, 26, 32, 44],
  ];
  const py = `
import json, sys, numpy as np
boxes = json.loads(sys.argv[1])
def z(b):
    x, y, w, h = b
    return np.array([x + w / 2, y + h / 2, w * h, w / h], dtype=float).reshape(4, 1)
F = np.eye(7); F[0, 4] = F[1, 5] = F[2, 6] = 1
H = np.zeros((4, 7)); H[:4, :4] = np.eye(4)
R = np.eye(4); R[2:, 2:] *= 10.
P = np.eye(7); P[4:, 4:] *= 1000.; P *= 10.
Q = np.eye(7); Q[-1, -1] *= 0.01; Q[4:, 4:] *= 0.01
x = np.zeros((7, 1)); x[:4] = z(boxes[0])
out = []
for b in boxes[1:]:
    if x[6] + x[2] <= 0: x[6] *= 0.0
    x = F @ x; P = F @ P @ F.T + Q
    out.append({"prior": x[:, 0].tolist()})
    S = H @ P @ H.T + R
    K = P @ H.T @ np.linalg.inv(S)
    x = x + K @ (z(b) - H @ x)
    P = (np.eye(7) - K @ H) @ P
    out[-1]["post"] = x[:, 0].tolist(); out[-1]["P"] = P.ravel().tolist()
print(json.dumps(out))
`;
  const ref = JSON.parse(execFileSync("/usr/bin/python3", ["-c", py, JSON.stringify(boxes)], { encoding: "utf8" })) as {
    prior: number[];
    post: number[];
    P: number[];
  }[];
  const kf = new tr.KalmanBoxFilter(boxes[0]!);
  boxes.slice(1).forEach((b, i) => {
    kf.predict();
    ref[i]!.prior.forEach((v, j) => close(kf.x.data[j]!, v, 1e-9, `prior x[${j}] step ${i}`));
    kf.update(b);
    ref[i]!.post.forEach((v, j) => close(kf.x.data[j]!, v, 1e-9, `posterior x[${j}] step ${i}`));
    ref[i]!.P.forEach((v, j) => close(kf.P.data[j]!, v, 1e-8, `P[${j}] step ${i}`));
  });
  // The box round trip: [cx, cy, s, r] ↔ [x, y, w, h].
  const b = tr.zToBox(tr.boxToZ([3, 4, 8, 2]));
  [3, 4, 8, 2].forEach((v, j) => close(b[j]!, v, 1e-12, `round trip ${j}`));
});

test("a first predict by hand: position unchanged (zero velocity), P grows by Q and the velocity terms", () => {
  const kf = new tr.KalmanBoxFilter([0, 0, 10, 20]);
  kf.predict();
  // x = [5, 10, 200, 0.5, 0, 0, 0]; P' = F P Fᵀ + Q: P'[0][0] = 10 + 10000 + 1, P'[0][4] = 10000, P'[4][4] = 10000.01.
  assert.deepEqual([...kf.x.data], [5, 10, 200, 0.5, 0, 0, 0]);
  close(kf.P.data[0]!, 10_011, 1e-12, "P00");
  close(kf.P.data[4]!, 10_000, 1e-12, "P04");
  close(kf.P.data[4 * 7 + 4]!, 10_000.01, 1e-12, "P44");
  close(kf.P.data[3 * 7 + 3]!, 11, 1e-12, "P33 (r has no velocity)");
  close(kf.P.data[6 * 7 + 6]!, 10_000.0001, 1e-12, "P66");
});

test("Mahalanobis gate by hand: S = H P₀ Hᵀ + R = diag(11, 11, 20, 20) before any predict", () => {
  const kf = new tr.KalmanBoxFilter([0, 0, 10, 20]); // z = [5, 10, 200, 0.5]
  // Centre moved by (3, 4), same size: d² = 9/11 + 16/11 = 25/11, over the centre or the whole box.
  close(kf.mahalanobis([3, 4, 10, 20]), 25 / 11, 1e-12, "box");
  close(kf.mahalanobis([3, 4, 10, 20], true), 25 / 11, 1e-12, "position");
  // Same centre, twice the width: Δs = 200, Δr = 0.5 → d² = 200²/20 + 0.5²/20 over the box, 0 over the centre.
  close(kf.mahalanobis([-5, 0, 20, 20]), 40_000 / 20 + 0.25 / 20, 1e-12, "box, wider");
  close(kf.mahalanobis([-5, 0, 20, 20], true), 0, 1e-12, "position, wider");
});

const hasScipy = spawnSync("/usr/bin/python3", ["-c", "import scipy.optimize"]).status === 0;

function bruteForce(c: number[][]): number {
  const n = c.length;
  const m = c[0]!.length;
  const k = Math.min(n, m);
  let best = Number.POSITIVE_INFINITY;
  const usedCols = new Set<number>();
  const rec = (i: number, picked: number, sum: number) => {
    if (picked === k) {
      best = Math.min(best, sum);
      return;
    }
    if (n - i < k - picked) return;
    if (n > m) rec(i + 1, picked, sum); // this row left out
    for (let j = 0; j < m; j++) {
      if (usedCols.has(j)) continue;
      usedCols.add(j);
      rec(i + 1, picked + 1, sum + c[i]![j]!);
      usedCols.delete(j);
    }
  };
  rec(0, 0, 0);
  return best;
}

test("Hungarian assignment: optimal on random rectangular matrices (scipy, and brute force)", () => {
  const rng = new fl.data.Random(7);
  const cases: number[][][] = [];
  for (let t = 0; t < 40; t++) {
    const n = 1 + rng.int(6);
    const m = 1 + rng.int(6);
    // Integer costs make ties common: only the optimal total is unique.
    cases.push(Array.from({ length: n }, () => Array.from({ length: m }, () => (t % 2 ? rng.int(5) : rng.nextFloat() * 10 - 3))));
  }
  const ours = cases.map((c) => tr.linearSumAssignment(c));
  ours.forEach((a, t) => {
    const c = cases[t]!;
    assert.equal(a.rows.length, Math.min(c.length, c[0]!.length));
    assert.equal(new Set(a.cols).size, a.cols.length, "each column once");
    close(a.cost, bruteForce(c), 1e-9, `case ${t} vs brute force`);
  });
  if (hasScipy) {
    const py = `
import json, sys, numpy as np
from scipy.optimize import linear_sum_assignment
out = []
for c in json.loads(sys.argv[1]):
    c = np.array(c, dtype=float); r, k = linear_sum_assignment(c); out.append(float(c[r, k].sum()))
print(json.dumps(out))`;
    const ref = JSON.parse(execFileSync("/usr/bin/python3", ["-c", py, JSON.stringify(cases)], { encoding: "utf8" })) as number[];
    ours.forEach((a, t) => close(a.cost, ref[t]!, 1e-9, `case ${t} vs scipy`));
  }
  // A larger square matrix against scipy alone (brute force would take too long).
  if (hasScipy) {
    const big = Array.from({ length: 40 }, () => Array.from({ length: 40 }, () => rng.nextFloat()));
    const py = `
import json, sys, numpy as np
from scipy.optimize import linear_sum_assignment
c = np.array(json.loads(sys.argv[1])); r, k = linear_sum_assignment(c); print(json.dumps(float(c[r, k].sum())))`;
    close(
      tr.linearSumAssignment(big).cost,
      Number(execFileSync("/usr/bin/python3", ["-c", py, JSON.stringify(big)], { encoding: "utf8" })),
      1e-9,
      "40×40",
    );
  }
  assert.deepEqual(tr.linearSumAssignment([]), { rows: [], cols: [], cost: 0 });
  assert.throws(
    () => tr.linearSumAssignment([[1, 2], [3]]),
    (e: Error) => e instanceof fl.FlambeauError && /rectangular/.test(e.message),
  );
  assert.throws(() => tr.linearSumAssignment([[1, Number.NaN]]), fl.FlambeauError);
});

/** Unit box of side 10 at (x, y). */
const B = (x: number, y: number): [number, number, number, number] => [x, y, 10, 10];

test("CLEAR MOT and IDF1 by hand: a perfect track, a miss, a false positive, an ID switch", () => {
  // Sequence A, 4 frames, one ground-truth object (id 1) standing at (0, 0):
  //   t0: hyp a matches (IoU 1)            → match
  //   t1: hyp a matches; hyp z far away    → match, FP 1
  //   t2: nothing                          → FN 1
  //   t3: hyp b matches (IoU 1)            → match, and gt 1 was last matched to a: IDSW 1
  // GT = 4, matches 3, FP 1, FN 1, IDSW 1 → MOTA = 1 − (1 + 1 + 1) / 4 = 0.25; MOTP = 3 / 3 = 1.
  // IDF1: trajectories gt1 {t0..t3}, a {t0, t1}, z {t1}, b {t3}; best one-to-one: gt1–a with 2 frames.
  //   IDTP 2, HYP 4 boxes, IDFP = 4 − 2 = 2, IDFN = 4 − 2 = 2, IDF1 = 2·2 / (4 + 4) = 0.5.
  const A = [
    { truth: [{ id: 1, box: B(0, 0) }], hypotheses: [{ id: 10, box: B(0, 0) }] },
    {
      truth: [{ id: 1, box: B(0, 0) }],
      hypotheses: [
        { id: 10, box: B(0, 0) },
        { id: 99, box: B(50, 50) },
      ],
    },
    { truth: [{ id: 1, box: B(0, 0) }], hypotheses: [] },
    { truth: [{ id: 1, box: B(0, 0) }], hypotheses: [{ id: 11, box: B(0, 0) }] },
  ];
  const a = tr.motMetrics([A]);
  assert.deepEqual(
    { gt: a.gt, hyp: a.hyp, matches: a.matches, fp: a.fp, fn: a.fn, idsw: a.idsw, idtp: a.idtp, idfp: a.idfp, idfn: a.idfn },
    { gt: 4, hyp: 4, matches: 3, fp: 1, fn: 1, idsw: 1, idtp: 2, idfp: 2, idfn: 2 },
  );
  close(a.mota, 0.25, 1e-12, "MOTA");
  close(a.motp, 1, 1e-12, "MOTP");
  close(a.idf1, 0.5, 1e-12, "IDF1");
});

test("CLEAR MOT keeps a valid correspondence (no switch for a closer newcomer); MOTP averages IoU", () => {
  // gt 1 at (0, 0). t0: hyp a at (0, 0). t1: hyp a shifted by 2 px (IoU 80/120 = 2/3 ≥ 0.5) and hyp b
  // exactly on gt: Bernardin & Stiefelhagen keep the previous pair while it is valid → a matched,
  // b is a FP, no switch. MOTA = 1 − 1/2 = 0.5; MOTP = (1 + 2/3) / 2 = 5/6.
  const seq = [
    { truth: [{ id: 1, box: B(0, 0) }], hypotheses: [{ id: 1, box: B(0, 0) }] },
    {
      truth: [{ id: 1, box: B(0, 0) }],
      hypotheses: [
        { id: 1, box: B(2, 0) },
        { id: 2, box: B(0, 0) },
      ],
    },
  ];
  const m = tr.motMetrics([seq]);
  assert.equal(m.idsw, 0);
  assert.equal(m.fp, 1);
  close(m.mota, 0.5, 1e-12, "MOTA");
  close(m.motp, 5 / 6, 1e-12, "MOTP");
  // Two crossing objects whose hypotheses swap halfway (3 frames each side): 2 switches.
  //   MOTA = 1 − 2 / 12; IDTP: gt1–h1 for 3 frames and gt2–h2 for 3 (or the swapped pairing, also 6) → IDF1 = 12 / 24.
  const swap = Array.from({ length: 6 }, (_, t) => ({
    truth: [
      { id: 1, box: B(0, 0) },
      { id: 2, box: B(40, 0) },
    ],
    hypotheses: [
      { id: t < 3 ? 1 : 2, box: B(0, 0) },
      { id: t < 3 ? 2 : 1, box: B(40, 0) },
    ],
  }));
  const s = tr.motMetrics([swap]);
  assert.equal(s.idsw, 2);
  close(s.mota, 1 - 2 / 12, 1e-12, "MOTA swap");
  close(s.idf1, 0.5, 1e-12, "IDF1 swap");
  // Sequences are summed, identities matched within each: A and the swap together.
  const both = tr.motMetrics([seq, swap]);
  assert.equal(both.gt, 2 + 12);
  assert.equal(both.idsw, 2);
});

test("IDF1 is the best global matching, not the per-frame one", () => {
  // gt 1 for 5 frames; hyp a covers frames 0–1, hyp b frames 2–4. One-to-one: gt1–b (3 frames).
  // IDTP 3, GT 5, HYP 5 → IDF1 = 6 / 10 = 0.6, IDP = IDR = 0.6. CLEAR MOT: 1 switch, MOTA = 1 − 1/5.
  const seq = Array.from({ length: 5 }, (_, t) => ({
    truth: [{ id: 1, box: B(0, 0) }],
    hypotheses: [{ id: t < 2 ? 7 : 8, box: B(0, 0) }],
  }));
  const m = tr.motMetrics([seq]);
  assert.equal(m.idtp, 3);
  close(m.idf1, 0.6, 1e-12, "IDF1");
  close(m.idp, 0.6, 1e-12, "IDP");
  close(m.mota, 0.8, 1e-12, "MOTA");
});

/**
 * Two 12-px boxes moving towards each other 6 px a frame on one line, seen by a perfect
 * detector. At t = 5 (x = 35 and 32) each overlaps the other's previous box (x = 38, 29) more
 * than its own (IoU 0.6 vs 1/3), so IoU alone swaps them; a constant-velocity model does not.
 */
function crossing(frames: number): [number, number, number, number][][] {
  return Array.from({ length: frames }, (_, t) => [
    [5 + 6 * t, 20, 12, 12] as [number, number, number, number],
    [62 - 6 * t, 20, 12, 12] as [number, number, number, number],
  ]);
}

test("trackers on two crossing objects: SORT's velocity keeps identities where IoU alone swaps them", () => {
  const T = 10;
  const dets = crossing(T);
  const truth = dets.map((row) => row.map((box, k) => ({ id: k + 1, box })));
  // Appearance: object 1 is "red", object 2 "blue" (unit vectors), as a learned embedding would say.
  const emb = [Float32Array.from([1, 0]), Float32Array.from([0, 1])];
  const run = (t: fl.video.tracking.Tracker) =>
    tr.motMetrics([dets.map((row, i) => ({ truth: truth[i]!, hypotheses: t.update(row.map((box, k) => ({ box, embedding: emb[k]! }))) }))]);
  const sort = run(new tr.SortTracker({ minHits: 1, maxAge: 3 }));
  const deep = run(new tr.DeepSortTracker({ nInit: 1, maxAge: 3 }));
  const iou = run(new tr.IouTracker());
  assert.equal(sort.idsw, 0, `SORT switches ${sort.idsw}`);
  assert.equal(deep.idsw, 0, `DeepSORT switches ${deep.idsw}`);
  assert.ok(iou.idsw >= 1, `the IoU-only baseline swaps at the crossing (${iou.idsw})`);
  assert.equal(deep.mota, 1);
});

test("DeepSORT re-identifies an object after a gap by appearance; SORT (max age 1) gives it a new id", () => {
  // One object moving right, unseen for 3 frames (occluded), then seen again where it should be.
  const seq: ([number, number, number, number] | null)[] = Array.from({ length: 10 }, (_, t) =>
    t >= 4 && t < 7 ? null : [4 * t, 10, 10, 10],
  );
  const e = Float32Array.from([0.6, 0.8]);
  const idsOf = (t: fl.video.tracking.Tracker) => seq.flatMap((b) => t.update(b ? [{ box: b, embedding: e }] : []).map((r) => r.id));
  assert.deepEqual(new Set(idsOf(new tr.DeepSortTracker({ nInit: 1, maxAge: 5 }))).size, 1);
  assert.ok(new Set(idsOf(new tr.SortTracker({ minHits: 1, maxAge: 1 }))).size > 1);
});

test("DeepSORT reports tentative tracks only while starting when asked, as SORT reports its first minHits frames", () => {
  const e = Float32Array.from([1, 0]);
  const det = (x: number) => [{ box: [x, 10, 10, 10] as [number, number, number, number], embedding: e }];
  const run = (t: fl.video.tracking.Tracker) => [det(0), det(2), det(4), [], det(30)].map((d) => t.update(d).length);
  // nInit 2: the first frame's track is tentative; deep_sort reports it from its second hit on.
  assert.deepEqual(run(new tr.DeepSortTracker({ nInit: 2 })), [0, 1, 1, 0, 0]);
  // While starting (frame 1 < nInit) it is reported; a newcomer later is not until confirmed.
  assert.deepEqual(run(new tr.DeepSortTracker({ nInit: 2, reportWhileStarting: true })), [1, 1, 1, 0, 0]);
  // SORT with minHits 1 reports the same frames.
  const sort = new tr.SortTracker({ minHits: 1 });
  assert.deepEqual(
    [det(0), det(2), det(4), [], det(30)].map((d) => sort.update(d.map(({ box }) => ({ box }))).length),
    [1, 1, 1, 0, 0],
  );
});

test("bad input: negative sizes, empty sequences, missing embeddings, bad options → FlambeauError", () => {
  const isFl = (e: unknown) => e instanceof fl.FlambeauError;
  assert.throws(() => new tr.KalmanBoxFilter([0, 0, -5, 10]), isFl);
  assert.throws(() => new tr.KalmanBoxFilter([0, 0, 5, Number.NaN]), isFl);
  assert.throws(() => new tr.SortTracker().update([{ box: [0, 0, 10, -1] }]), isFl);
  assert.throws(
    () => new tr.DeepSortTracker().update([{ box: [0, 0, 10, 10] }]),
    (e: Error) => isFl(e) && /embedding/.test(e.message),
  );
  assert.throws(() => new tr.SortTracker({ maxAge: -1 }), isFl);
  assert.throws(
    () => new tr.DeepSortTracker({ reportWhileStarting: "yes" as unknown as boolean }),
    (e: Error) => isFl(e) && /reportWhileStarting must be true or false, got "yes"/.test(e.message),
  );
  assert.throws(() => new tr.IouTracker(1.5), isFl);
  assert.throws(
    () => tr.motMetrics([[]]),
    (e: Error) => isFl(e) && /no frames/.test(e.message),
  );
  assert.throws(() => tr.motMetrics([[{ truth: [{ id: 1, box: [0, 0, -1, 4] }], hypotheses: [] }]]), isFl);
  assert.throws(
    () =>
      tr.motMetrics([
        [
          {
            truth: [],
            hypotheses: [
              { id: 1, box: B(0, 0) },
              { id: 1, box: B(1, 1) },
            ],
          },
        ],
      ]),
    isFl,
  );
  assert.throws(() => tr.motMetrics([], 0), isFl);
  assert.throws(() => tr.cropBox(new Uint8Array(3 * 16), 4, 4, [0, 0, 0, 2], 8), isFl);
  assert.throws(() => new tr.TemplateTracker([0, 0, 3, -3]), isFl);
  // No hypotheses at all is legal: everything is a miss.
  const m = tr.motMetrics([[{ truth: [{ id: 1, box: B(0, 0) }], hypotheses: [] }]]);
  assert.deepEqual([m.mota, m.idf1, m.fn], [0, 0, 1]);
});

test("the template tracker follows a textured square moving on a textured background", () => {
  const h = 60;
  const w = 80;
  const rng = new fl.data.Random(3);
  const bg = Uint8Array.from({ length: h * w }, () => rng.int(256));
  const obj = Uint8Array.from({ length: 12 * 12 }, () => rng.int(256));
  const frameAt = (x: number, y: number) => {
    const f = new Uint8Array(3 * h * w);
    for (let c = 0; c < 3; c++) f.set(bg, c * h * w);
    for (let v = 0; v < 12; v++)
      for (let u = 0; u < 12; u++) for (let c = 0; c < 3; c++) f[c * h * w + (y + v) * w + x + u] = obj[v * 12 + u]!;
    return f;
  };
  const t = new tr.TemplateTracker([10, 20, 12, 12]);
  t.init(frameAt(10, 20), h, w);
  for (let k = 1; k <= 12; k++) {
    const b = t.update(frameAt(10 + 3 * k, 20 + (k % 3)), h, w);
    assert.deepEqual([b[0], b[1]], [10 + 3 * k, 20 + (k % 3)], `frame ${k}`);
  }
  assert.ok(t.score > 0.99);
});
