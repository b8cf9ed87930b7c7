// Text-to-image: caption tokens and the closed vocabulary, the caption encoder, the text U-Net's
// shapes and errors, the judge's colour naming and hit rule, and the task end to end at a toy
// size (a judge, a generator, evaluate reproducing train's figures, predict's PNGs and its error
// on unknown words).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import sharp from "sharp";
import { manualSeed, randn } from "../../src/core/index.js";
import { captionTokens, sceneCaptionVocabulary } from "../../src/vision/captions/caption-words.js";
import { sceneCaptions } from "../../src/vision/captions/scene-captions.js";
import { CaptionDiffusion } from "../../src/vision/models/caption-diffusion.js";
import { CaptionEncoder } from "../../src/vision/models/caption-encoder.js";
import { TextUNet } from "../../src/vision/models/text-unet.js";
import { generateScenes } from "../../src/vision/scenes/generate.js";
import { sceneGraph } from "../../src/vision/scenes/scene-graph.js";
import { T2I_SCENES, textToImage } from "../../src/vision/tasks/text-to-image.js";
import { boxColor, hitRates, namedHit, trainJudge } from "../../src/vision/tasks/text-to-image-judge.js";

const dir = mkdtempSync(join(tmpdir(), "fl-t2i-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("captionTokens splits commas off; the vocabulary holds every word of generated captions", async () => {
  assert.deepEqual(captionTokens("There are two objects, a RED 3 and a t-shirt!"), [
    "there",
    "are",
    "two",
    "objects",
    ",",
    "a",
    "red",
    "3",
    "and",
    "a",
    "t-shirt",
  ]);
  for (const objects of ["digits", "fashion"] as const) {
    const set = await generateScenes({ ...T2I_SCENES, objects, count: 60, split: "test", seed: 3 });
    const vocab = new Set(sceneCaptionVocabulary(set.classes));
    for (const sc of set.scenes)
      for (const c of sceneCaptions(sceneGraph(sc, set.classes, set.options)))
        for (const w of captionTokens(c)) assert.ok(vocab.has(w), `${objects}: "${w}" of "${c}"`);
  }
});

test("CaptionEncoder: token states, padding and pooled vectors; null is the empty caption; unknown words named", () => {
  const enc = new CaptionEncoder({ vocabulary: ["a", "red", "3", "blue", "7", "and"], dim: 16, heads: 2 });
  const e = enc.forward(["a red 3 and a blue 7", null, "a red 3"]);
  assert.deepEqual(e.tokens.shape, [3, 8, 16]);
  assert.deepEqual(e.pooled.shape, [3, 16]);
  assert.deepEqual(
    (e.padding.toArray() as boolean[][]).map((r) => r.filter((p) => !p).length),
    [8, 1, 4],
  );
  assert.deepEqual(enc.unknownWords("a green 3 , left"), ["green", ",", "left"]);
  assert.throws(() => enc.forward(["a purple 3"]), /unknown words \["purple"\] in "a purple 3"; known: a red 3 blue 7 and/);
  assert.throws(() => new CaptionEncoder({ vocabulary: ["a"], dim: 10, heads: 4 }), /dim 10 must be even and divisible by heads 4/);
});

test("TextUNet: [B, 3, H, W] → v of the same shape; zero-initialised output; errors name the shapes", () => {
  const net = new TextUNet({ contextDim: 16, steps: 10, width: 8 });
  const ctx = { tokens: randn([2, 5, 16]), padding: null, pooled: randn([2, 16]) };
  const v = net.forward(randn([2, 3, 8, 8]), [0, 9], ctx);
  assert.deepEqual(v.shape, [2, 3, 8, 8]);
  assert.equal(v.abs().max().item(), 0);
  assert.throws(() => net.forward(randn([2, 3, 6, 8]), [0, 1], ctx), /multiples of 4, got \[2,3,6,8\]/);
  assert.throws(() => net.forward(randn([2, 1, 8, 8]), [0, 1], ctx), /input must be \[B, 3, H, W\]/);
  assert.throws(() => net.forward(randn([2, 3, 8, 8]), [0], ctx), /1 timesteps for a batch of 2/);
  assert.throws(
    () => net.forward(randn([2, 3, 8, 8]), [0, 1], { ...ctx, tokens: randn([2, 5, 8]) }),
    /caption tokens must be \[2, L, 16\], got \[2,5,8\]/,
  );
  assert.throws(() => new TextUNet({ contextDim: 16, steps: 10, width: 12 }), /multiple of 8/);
});

test("CaptionDiffusion: a finite loss with gradients through the caption; pictures in [−1, 1]", () => {
  manualSeed(1);
  const m = new CaptionDiffusion({ vocabulary: ["a", "red", "3"], width: 8, textDim: 16, steps: 50 });
  let u = 0;
  const loss = m.loss(randn([2, 3, 8, 8]).clamp(-1, 1), ["a red 3", "a 3"], () => (u = (u + 0.37) % 1));
  assert.ok(Number.isFinite(loss.item()) && loss.item() > 0);
  loss.backward();
  assert.ok(m.unet.outConv.weight.grad!.abs().sum().item() > 0);
  const img = m.generate(["a red 3"], 8, { steps: 2 });
  assert.deepEqual(img.shape, [1, 3, 8, 8]);
  assert.ok(img.abs().max().item() <= 1 + 1e-6);
  assert.throws(() => m.generate(["a red 3"], 6), /multiple of 4, got 6/);
  assert.throws(() => m.loss(randn([2, 3, 8, 8]), ["a red 3"], Math.random), /B captions, got \[2,3,8,8\] and 1/);
});

test("boxColor names a box's dominant tint (gray when unsaturated); the hit rule needs every named object", () => {
  const s = 4;
  const img = new Uint8Array(3 * s * s).fill(120);
  for (const p of [0, 1, 4, 5]) [img[p], img[16 + p], img[32 + p]] = [30 + 200, 40, 30];
  assert.equal(boxColor(img, s, [0, 0, 2, 2]), "red");
  assert.equal(boxColor(img, s, [2, 2, 2, 2]), "gray");
  const want = [
    { category: 3, color: "red" as const },
    { category: 7, color: "blue" as const },
  ];
  assert.deepEqual(
    namedHit(want, [
      { category: 7, color: "blue" },
      { category: 3, color: "green" },
    ]),
    { cls: true, color: false },
  );
  assert.deepEqual(
    namedHit(want, [
      { category: 3, color: "red" },
      { category: 3, color: "red" },
    ]),
    { cls: false, color: false },
  );
  assert.deepEqual(hitRates([[...want], []], [want, want]), { cls: 0.5, color: 0.5 });
});

test("text-to-image end to end at a toy size: judged hit rates and FID, evaluate agrees with train, predict writes PNGs", async () => {
  const judge = join(dir, "judge");
  await trainJudge({ settings: { ...T2I_SCENES, objects: "digits" }, out: judge, seed: 0, scenes: 32, epochs: 1, log: () => {} });
  const out = join(dir, "t2i");
  const r = await textToImage.train({
    data: "scenes:digits",
    out,
    judge,
    epochs: 1,
    limit: 8,
    batchSize: 4,
    width: 8,
    testPrompts: 8,
    samplingSteps: 2,
    seed: 0,
    log: () => {},
  });
  const m = r.metrics as Record<string, number>;
  for (const k of ["hitRate", "colorHitRate", "realHitRate", "shuffledHitRate"]) assert.ok(m[k]! >= 0 && m[k]! <= 1, k);
  for (const k of ["fid", "fidRealVsReal"]) assert.ok(Number.isFinite(m[k]) && m[k]! >= 0, k);
  const e = await textToImage.evaluate(out, "scenes", { testPrompts: 8, samplingSteps: 2 });
  for (const k of ["hitRate", "colorHitRate", "realHitRate", "shuffledHitRate", "fid", "fidRealVsReal"]) assert.equal(e[k], m[k], k);
  await assert.rejects(
    textToImage.evaluate(out, "scenes:fashion", { testPrompts: 8 }),
    /trained on scenes:digits, --data is scenes:fashion/,
  );
  await assert.rejects(
    textToImage.evaluate(out, "photos/", {}),
    /--data must be scenes, scenes:fashion or scenes:digits .* got "photos\/"/,
  );
  await assert.rejects(textToImage.evaluate(out, "scenes", { testPrompts: 3 }), /--test-prompts must be an integer ≥ 8, got 3/);

  const [p] = (await textToImage.predict(out, ["a red 3 to the left of a small blue 7"], { samplingSteps: 2, scale: 2 })) as {
    output: string;
  }[];
  assert.match(p!.output, /predictions\/000-a-red-3-to-the-left-of-a-small-blue-7\.png$/);
  const meta = await sharp(p!.output).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ["png", 64, 64]);
  await assert.rejects(textToImage.predict(out, ["a red 3 moonwalking"], {}), /unknown words \["moonwalking"\]/);
});
