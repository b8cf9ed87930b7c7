// The COCO caption metrics against pycocoevalcap's own scorers (values frozen by
// test/fixtures/text/coco-caption-reference.py) and hand-computed cases.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ciderD } from "../../src/train/text-metrics/cider.js";
import { cocoBleu } from "../../src/train/text-metrics/coco-bleu.js";
import { readFixture } from "../helpers/fixtures.js";

const ref = readFixture<{
  hypotheses: string[];
  references: string[][];
  bleu: number[];
  bleuPerImage: number[][];
  cider: number;
  ciderPerImage: number[];
}>("text", "coco-caption-metrics.json");

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test("BLEU-1..4 equal pycocoevalcap's (closest reference length, corpus and per image)", () => {
  const b = cocoBleu(ref.hypotheses, ref.references);
  b.bleu.forEach((v, k) => close(v, ref.bleu[k]!, `BLEU-${k + 1}`));
  b.perImage.forEach((row, i) => row.forEach((v, k) => close(v, ref.bleuPerImage[i]![k]!, `image ${i} BLEU-${k + 1}`)));
});

test("BLEU by hand: a perfect hypothesis scores 1; a short one pays exp(1 − r/c)", () => {
  close(cocoBleu(["a red 3 above a blue 7"], [["a red 3 above a blue 7"]]).bleu[3]!, 1, "perfect");
  // 4 of 6 reference words, every n-gram matches: BLEU-1 = exp(1 − 6/4).
  close(cocoBleu(["a red 3 above"], [["a red 3 above a cat"]]).bleu[0]!, Math.exp(-0.5), "brevity");
  assert.throws(() => cocoBleu(["a"], [[]]), /image 0 has no reference caption/);
  assert.throws(() => cocoBleu(["a", "b"], [["a"]]), /2 hypotheses but 1 reference lists/);
});

test("CIDEr-D equals pycocoevalcap's (TF-IDF over the reference corpus, clipping, σ = 6, ×10)", () => {
  const c = ciderD(ref.hypotheses, ref.references);
  close(c.score, ref.cider, "CIDEr-D");
  c.perImage.forEach((v, i) => close(v, ref.ciderPerImage[i]!, `image ${i}`));
});

test("CIDEr-D by hand: hypotheses equal to their only reference score 10; repeating words is clipped", () => {
  const refs = [["a red 3 above a blue 7"], ["two green 1 digits"]];
  close(ciderD(["a red 3 above a blue 7", "two green 1 digits"], refs).score, 10, "perfect");
  // Clipping: saying "red" four times cannot raise the unigram match above the reference's one "red".
  const once = ciderD(["red", "x"], [["red"], ["y"]]).perImage[0]!;
  const many = ciderD(["red red red red", "x"], [["red"], ["y"]]).perImage[0]!;
  assert.ok(many < once, `${many} < ${once}`);
  assert.throws(() => ciderD(["a"], [["a"]], { sigma: 0 }), /sigma must be > 0/);
});
