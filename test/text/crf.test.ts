import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as fl from "flambeau";
import { bioSpans, entityScores } from "../../src/text/entities.js";
import { CRF } from "../../src/text/models/crf.js";

// Every tag path of length L over C tags, scored from plain arrays.
function allPaths(L: number, C: number): number[][] {
  if (L === 0) return [[]];
  return allPaths(L - 1, C).flatMap((p) => Array.from({ length: C }, (_, c) => [...p, c]));
}
function score(path: number[], em: number[][], tr: number[][], st: number[], en: number[]): number {
  let s = st[path[0]!]! + en[path.at(-1)!]!;
  path.forEach((c, t) => {
    s += em[t]![c]!;
    if (t > 0) s += tr[path[t - 1]!]![c]!;
  });
  return s;
}
const logsumexp = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
};

describe("CRF against brute-force enumeration", () => {
  fl.manualSeed(3);
  const C = 3;
  const T = 4;
  const lengths = [4, 2];
  const crf = new CRF(C);
  fl.noGrad(() => {
    crf.transitions.copy_(fl.randn([C, C]));
    crf.startTransitions.copy_(fl.randn([C]));
    crf.endTransitions.copy_(fl.randn([C]));
  });
  const emissions = fl.randn([2, T, C], { requiresGrad: true });
  const mask = fl
    .tensor([
      [1, 1, 1, 1],
      [1, 1, 0, 0],
    ])
    .to("bool");
  const tags = fl.tensor(BigInt64Array.from([2, 0, 1, 1, 1, 2, -100, -100].map(BigInt)), { shape: [2, T] });
  const em = emissions.detach().toArray() as number[][][];
  const tr = crf.transitions.detach().toArray() as number[][];
  const st = crf.startTransitions.detach().toArray() as number[];
  const en = crf.endTransitions.detach().toArray() as number[];

  test("log partition = logsumexp over every path (padding ignored)", () => {
    const z = crf.logPartition(emissions, mask).toArray() as number[];
    lengths.forEach((L, b) => {
      const ref = logsumexp(allPaths(L, C).map((p) => score(p, em[b]!, tr, st, en)));
      assert.ok(Math.abs(z[b]! - ref) < 1e-4, `sentence ${b}: ${z[b]} vs ${ref}`);
    });
  });
  test("path score of the gold tags", () => {
    const s = crf.pathScore(emissions, tags, mask).toArray() as number[];
    assert.ok(Math.abs(s[0]! - score([2, 0, 1, 1], em[0]!, tr, st, en)) < 1e-4);
    assert.ok(Math.abs(s[1]! - score([1, 2], em[1]!, tr, st, en)) < 1e-4);
  });
  test("Viterbi finds the best-scoring path", () => {
    const paths = crf.decode(emissions, lengths);
    lengths.forEach((L, b) => {
      const best = allPaths(L, C).reduce((a, p) => (score(p, em[b]!, tr, st, en) > score(a, em[b]!, tr, st, en) ? p : a));
      assert.deepEqual(paths[b], best);
    });
  });
  test("gradient of log Z wrt emissions = brute-force tag marginals; NLL ≥ 0", () => {
    const z = crf.logPartition(emissions, mask).sum();
    z.backward();
    const g = emissions.grad!.toArray() as number[][][];
    lengths.forEach((L, b) => {
      const paths = allPaths(L, C);
      const w = paths.map((p) => score(p, em[b]!, tr, st, en));
      const Z = logsumexp(w);
      for (let t = 0; t < T; t++)
        for (let c = 0; c < C; c++) {
          const marg = t < L ? paths.reduce((a, p, k) => a + (p[t] === c ? Math.exp(w[k]! - Z) : 0), 0) : 0;
          assert.ok(Math.abs(g[b]![t]![c]! - marg) < 1e-4, `b${b} t${t} c${c}: ${g[b]![t]![c]} vs ${marg}`);
        }
    });
    assert.ok(crf.nll(emissions, tags, mask).item() >= 0);
  });
  test("shape errors", () => {
    assert.throws(() => crf.logPartition(fl.randn([2, 4, 5]), mask), /emissions must be \[B, T, 3\], got \[2, 4, 5\]/);
    assert.throws(() => crf.nll(emissions, fl.zeros([2, 3], { dtype: "int64" }), mask), /tags must be \[2, 4\], got \[2, 3\]/);
  });
});

describe("entity spans (seqeval rules)", () => {
  test("B/I spans, I after O starts a span, type changes split", () => {
    assert.deepEqual(bioSpans(["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-LOC", "I-PER"]), [
      { type: "PER", start: 0, end: 2 },
      { type: "LOC", start: 3, end: 5 },
      { type: "LOC", start: 5, end: 6 },
      { type: "PER", start: 6, end: 7 },
    ]);
  });
  test("precision/recall/F1 by exact span match", () => {
    // seqeval's README example: P = 0.5, R = 0.5, F1 = 0.5
    const truth = [
      ["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"],
      ["B-PER", "I-PER", "O"],
    ];
    const pred = [
      ["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"],
      ["B-PER", "I-PER", "O"],
    ];
    const s = entityScores(truth, pred);
    assert.deepEqual([s.precision, s.recall, s.f1], [0.5, 0.5, 0.5]);
  });
});
