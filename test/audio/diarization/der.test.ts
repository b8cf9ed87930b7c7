// DER against pyannote.metrics' own test values (tests/test_diarization.py) and SimpleDER's
// published example, the collar convention by hand, the Hungarian mapping against scipy's
// linear_sum_assignment, and the RTTM round trip.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";

const A = fl.audio;
const T = (start: number, end: number, speaker: string) => ({ start, end, speaker });
const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-9, `${msg ?? ""} ${a} vs ${b}`);

// pyannote.metrics tests/test_diarization.py fixtures.
const reference = [T(0, 10, "A"), T(12, 20, "B"), T(24, 27, "A"), T(30, 40, "C")];
const referenceOverlap = [T(0, 13, "A"), T(12, 20, "B"), T(24, 27, "A"), T(30, 40, "C")];
const hypothesis = [T(2, 13, "a"), T(13, 14, "d"), T(14, 20, "b"), T(22, 38, "c"), T(38, 40, "d")];

test("DER matches pyannote.metrics' test values (no collar, overlap scored)", () => {
  const r = A.diarizationErrorRate(reference, hypothesis);
  close(r.der, 0.5161290322580645, "der");
  close(r.confusion, 7, "confusion");
  close(r.correct, 22, "correct");
  close(r.falseAlarm, 7, "false alarm");
  close(r.missed, 2, "missed");
  close(r.total, 31, "total");
  assert.deepEqual(r.mapping, { a: "A", b: "B", c: "C" });
  // Overlap kept: total 34 (pyannote test_leep_overlap).
  close(A.diarizationErrorRate(referenceOverlap, hypothesis).total, 34);
});

test("collar: md-eval's -c per side = half of pyannote's collar (pyannote test_bug_16)", () => {
  // pyannote collar=1 on one [0, 10] turn scores 9 s: 0.5 s is removed at each boundary.
  close(A.diarizationErrorRate([T(0, 10, "A")], [], { collar: 0.5 }).total, 9);
  close(A.diarizationErrorRate([T(0, 10, "A")], [], { collar: 0 }).total, 10);
  // By hand: a 0.2 s late speaker change is forgiven by the 0.25 s collar, not without it.
  const ref = [T(0, 2, "A"), T(2, 4, "B")];
  const hyp = [T(0, 2.2, "x"), T(2.2, 4, "y")];
  const strict = A.diarizationErrorRate(ref, hyp);
  close(strict.confusion, 0.2);
  close(strict.der, 0.05);
  const forgiving = A.diarizationErrorRate(ref, hyp, { collar: 0.25 });
  close(forgiving.total, 3); // [0.25, 1.75] ∪ [2.25, 3.75]
  close(forgiving.der, 0);
});

test("DER: SimpleDER's published example (0.350) and overlapped speech by hand", () => {
  const ref = [T(0, 1, "A"), T(1, 1.5, "B"), T(1.6, 2.1, "A")];
  const hyp = [T(0, 0.8, "1"), T(0.8, 1.4, "2"), T(1.5, 1.8, "3"), T(1.8, 2, "1")];
  assert.equal(A.diarizationErrorRate(ref, hyp).der.toFixed(3), "0.350");
  // Two speakers overlapping for 5 s, one hypothesis speaker: 5 s missed + 5 s confused of 20.
  const r = A.diarizationErrorRate([T(0, 10, "A"), T(5, 15, "B")], [T(0, 15, "x")]);
  close(r.total, 20);
  close(r.missed, 5);
  close(r.confusion, 5);
  close(r.der, 0.5);
  // The one-speaker answer on a perfect two-speaker split, and the perfect answer.
  close(A.diarizationErrorRate(ref, ref).der, 0);
  assert.equal(A.diarizationErrorRate([], []).der, 0);
  assert.throws(() => A.diarizationErrorRate([T(2, 1, "A")], []), /bad turn/);
  assert.throws(() => A.diarizationErrorRate(ref, hyp, { collar: -1 }), /collar/);
});

test("Hungarian assignment reaches scipy's linear_sum_assignment optimum", () => {
  // Matrices and optima printed by scipy 1.10 linear_sum_assignment(m, maximize=True).
  const cases: [number[][], number, [number, number][]][] = [
    [
      [
        [0.9, 2.4, 8.0, 5.8],
        [0.9, 4.3, 4.8, 1.6],
        [7.3, 1.1, 3.9, 5.2],
        [4.3, 5.9, 7.4, 9.6],
      ],
      29.2,
      [
        [0, 2],
        [1, 1],
        [2, 0],
        [3, 3],
      ],
    ],
    [
      [
        [2.8, 6.5, 7.0, 2.9, 0.0],
        [9.7, 3.0, 3.1, 8.9, 5.9],
        [4.7, 7.7, 0.3, 7.1, 3.7],
      ],
      24.4,
      [
        [0, 2],
        [1, 0],
        [2, 1],
      ],
    ],
    [
      [
        [0.9, 6.6],
        [9.3, 2.1],
        [6.3, 3.0],
        [7.4, 7.2],
        [2.2, 8.3],
        [6.6, 6.8],
      ],
      17.6,
      [
        [1, 0],
        [4, 1],
      ],
    ],
  ];
  for (const [m, best, pairs] of cases) {
    const match = A.maxWeightAssignment(m);
    let sum = 0;
    match.forEach((c, r) => (sum += c >= 0 ? m[r]![c]! : 0));
    close(sum, best);
    assert.deepEqual(
      match.flatMap((c, r) => (c >= 0 ? [[r, c]] : [])),
      pairs,
    );
  }
});

test("RTTM round trip, other line types skipped, bad lines rejected", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flambeau-rttm-"));
  const path = join(dir, "x.rttm");
  await A.writeRttm(path, { conv1: [T(1.5, 2.25, "spk1"), T(0, 1.25, "spk0")], conv2: [T(0.1, 0.2, "b")] });
  const text = readFileSync(path, "utf8");
  assert.equal(text.split("\n")[0], "SPEAKER conv1 1 0.000 1.250 <NA> <NA> spk0 <NA> <NA>");
  const doc = A.readRttm(path);
  assert.deepEqual([...doc.keys()], ["conv1", "conv2"]);
  assert.deepEqual(doc.get("conv1"), [T(0, 1.25, "spk0"), T(1.5, 2.25, "spk1")]);
  const parsed = A.parseRttm(";; comment\nSPKR-INFO f 1 <NA> <NA> <NA> unknown s1 <NA>\nSPEAKER f 1 3.5 1.5 <NA> <NA> s1 <NA> <NA>\n");
  assert.deepEqual(parsed.get("f"), [T(3.5, 5, "s1")]);
  assert.throws(() => A.parseRttm("SPEAKER f 1 abc 1 <NA> <NA> s1 <NA> <NA>"), /onset/);
  assert.throws(() => A.parseRttm("SPEAKER f 1"), /at least 8 fields/);
  assert.throws(() => A.formatRttm({ "a b": [T(0, 1, "s")] }), /spaces/);
});
