// Greedy and beam search on a hand-made decoder: a table of next-token probabilities.
import assert from "node:assert/strict";
import { test } from "node:test";
import { beamCaption, greedyCaptions, type NextTokenScorer } from "../../../src/vision/captions/decode.js";

const [EOS, BOS, A, B] = [0, 1, 2, 3];
// After bos: A 0.6, B 0.4. After A: eos 0.34, A 0.33, B 0.33 (so greedy ends "A" with p = 0.204).
// After B: eos 0.9. Beam search finds "B" (p = 0.36); greedy cannot, having left B behind.
const TABLE: Record<string, number[]> = {
  "1": [0, 0, 0.6, 0.4],
  "1 2": [0.34, 0, 0.33, 0.33],
  "1 3": [0.9, 0, 0.05, 0.05],
};
const scorer: NextTokenScorer = (prefixes) =>
  prefixes.map((p) => (TABLE[p.join(" ")] ?? [0.97, 0, 0.01, 0.02]).map((q) => (q > 0 ? Math.log(q) : Number.NEGATIVE_INFINITY)));
const o = { bos: BOS, eos: EOS, maxLength: 6 };

test("greedy takes the locally best token: A then eos, p = 0.6 × 0.34", () => {
  const [g] = greedyCaptions(1, scorer, o);
  assert.deepEqual(g!.tokens, [A]);
  assert.ok(Math.abs(g!.logProb - Math.log(0.6 * 0.34)) < 1e-12);
});

test("beam width 1 is greedy; width 2 finds the likelier caption B (0.36 > 0.204)", () => {
  const [g] = greedyCaptions(1, scorer, o);
  assert.deepEqual(beamCaption(scorer, { ...o, beamSize: 1 }), g);
  const b = beamCaption(scorer, { ...o, beamSize: 2 });
  assert.deepEqual(b.tokens, [B]);
  assert.ok(Math.abs(b.logProb - Math.log(0.4 * 0.9)) < 1e-12);
  assert.ok(b.logProb > g!.logProb);
  assert.throws(() => beamCaption(scorer, { ...o, beamSize: 0 }), /beamSize must be a positive integer/);
});

test("maxLength ends a sequence that never emits eos", () => {
  const loop: NextTokenScorer = (prefixes) =>
    prefixes.map(() => [Math.log(0.1), Number.NEGATIVE_INFINITY, Math.log(0.9), Number.NEGATIVE_INFINITY]);
  assert.deepEqual(
    greedyCaptions(2, loop, { ...o, maxLength: 3 }).map((d) => d.tokens),
    [
      [A, A, A],
      [A, A, A],
    ],
  );
  assert.deepEqual(beamCaption(loop, { ...o, maxLength: 3, beamSize: 3 }).tokens.length <= 3, true);
});
