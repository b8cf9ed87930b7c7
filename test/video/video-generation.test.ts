// Video generation: clip captions word for word, the prompt encoder's bag of words, the
// space–time U-Net's shapes and errors, a given first frame kept exactly, and the task end to end
// at a toy size (a judge, a generator, evaluate reproducing train's figures, predict's GIFs and
// its errors on unknown words).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import sharp from "sharp";
import { FlambeauError } from "../../src/core/errors.js";
import { manualSeed, noGrad, randn, tensor, zeros } from "../../src/core/index.js";
import { captionVocabulary, clipCaption } from "../../src/video/data/clip-captions.js";
import type { ClipObject } from "../../src/video/data/clips.js";
import { ClipAnimator } from "../../src/video/models/clip-animator.js";
import { ClipDiffusion } from "../../src/video/models/clip-diffusion.js";
import { PromptEncoder } from "../../src/video/models/prompt-encoder.js";
import { VideoUNet } from "../../src/video/models/video-unet.js";
import { videoClassification } from "../../src/video/tasks/video-classification.js";
import { videoGeneration } from "../../src/video/tasks/video-generation.js";
import { writeImage } from "../../src/vision/image-io.js";

const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const obj = (category: number, color: ClipObject["color"], acting = true): ClipObject => ({ id: 1, category, item: 0, acting, color });

const dir = mkdtempSync(join(tmpdir(), "fl-video-gen-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("clipCaption names the acting objects and the action; the vocabulary holds every word", () => {
  assert.equal(clipCaption({ label: 0, objects: [obj(7, "gray", false), obj(3, "red")] }, DIGITS), "a red 3 moving left");
  assert.equal(clipCaption({ label: 8, objects: [obj(3, "red"), obj(8, "blue")] }, DIGITS), "a red 3 and a blue 8 swapping places");
  assert.equal(clipCaption({ label: 5, objects: [obj(0, "green")] }, ["T-shirt/top"]), "a green t-shirt growing");
  assert.throws(() => clipCaption({ label: 9, objects: [obj(0, "red")] }, DIGITS), /label 9 is not an action index/);
  const v = captionVocabulary(["T-shirt/top", "Ankle boot"]);
  for (const w of ["a", "and", "t-shirt", "ankle", "boot", "red", "gray", "moving", "left", "swapping", "places", "appearing"])
    assert.ok(v.includes(w), w);
  assert.deepEqual([...v].sort(), v);
});

test("PromptEncoder: each known word's share of the prompt; unknown words reported; no known word is an error", () => {
  const enc = new PromptEncoder(["a", "left", "moving", "red"], 8);
  const bag = Array.from(enc.bagOfWords(["a red red moving left", "Moving, LEFT!"]).data() as Float32Array);
  [0.2, 0.2, 0.2, 0.4, 0, 0.5, 0.5, 0].forEach((want, i) => assert.ok(Math.abs(bag[i]! - want) < 1e-6, `${i}: ${bag[i]}`));
  assert.deepEqual(enc.unknownWords("a blue 3 moving left"), ["blue", "3"]);
  assert.throws(() => enc.bagOfWords(["purple rain"]), /"purple rain" has no known word; known words: a left moving red/);
  assert.deepEqual(enc.forward(["a red"]).shape, [1, 8]);
});

test("VideoUNet: [B, T, C, H, W] → v [B, T, 3, H, W]; zero-initialised output; errors name the shapes", () => {
  const net = new VideoUNet({ inChannels: 7, width: 8, steps: 10 });
  const x = randn([2, 3, 7, 8, 8]);
  const v = net.forward(x, [0, 9], null);
  assert.deepEqual(v.shape, [2, 3, 3, 8, 8]);
  // The output convolution starts at zero, as the residual branches do.
  assert.equal(v.abs().max().item(), 0);
  assert.throws(() => net.forward(randn([2, 3, 7, 6, 8]), [0, 1], null), /multiples of 4, got \[2,3,7,6,8\]/);
  assert.throws(() => net.forward(randn([2, 3, 5, 8, 8]), [0, 1], null), /input must be \[B, T, 7, H, W\]/);
  assert.throws(() => net.forward(x, [0], null), /1 timesteps for a batch of 2/);
  assert.throws(() => new VideoUNet({ inChannels: 7, width: 12, steps: 10 }), /multiple of 8/);
});

test("ClipDiffusion: the loss is finite and trains; a given first frame is the clip's first frame exactly", () => {
  manualSeed(1);
  const m = new ClipDiffusion({ vocabulary: ["a", "red", "moving", "left"], width: 8, steps: 50 });
  const clips = randn([2, 3, 3, 8, 8]).clamp(-1, 1);
  let u = 0;
  const uniform = () => (u = (u + 0.37) % 1);
  const loss = m.loss(clips, ["a red moving left", "a red"], uniform);
  assert.ok(Number.isFinite(loss.item()) && loss.item() > 0);
  loss.backward();
  assert.ok(m.unet.outConv.weight.grad!.abs().sum().item() > 0, "the zero-initialised output layer gets a gradient");
  const first = tensor(
    Array.from({ length: 2 * 3 * 64 }, (_, i) => ((i % 17) - 8) / 8),
    { shape: [2, 3, 8, 8] },
  );
  const out = m.generate(["a red moving left", "red"], first, { frames: 3, size: 8 }, { steps: 3 });
  assert.deepEqual(out.shape, [2, 3, 3, 8, 8]);
  assert.equal(out.select(1, 0).sub(first).abs().max().item(), 0);
  assert.ok(out.abs().max().item() <= 1 + 1e-6);
  assert.throws(() => m.generate(["a red"], zeros([1, 3, 4, 4]), { frames: 3, size: 8 }), /first frames must be \[1, 3, 8, 8\]/);
});

test("ClipDiffusion factorised text-to-video: the first frame of the direct clip from the same noise, then image-to-video from it", () => {
  const m = new ClipDiffusion({ vocabulary: ["a", "red", "moving", "left"], width: 8, steps: 50 });
  // Non-zero outputs, so that the sampler's path depends on the model and its conditioning.
  noGrad(() => {
    for (const p of m.unet.outConv.parameters()) p.copy_(randn(p.shape).mul(0.1));
  });
  const prompts = ["a red moving left", "left"];
  const shape = { frames: 3, size: 8 };
  manualSeed(5);
  const direct = m.generate(prompts, null, shape, { steps: 3, textToVideo: "direct" });
  manualSeed(5);
  const fact = m.generate(prompts, null, shape, { steps: 3, textToVideo: "factorised" });
  assert.deepEqual(fact.shape, [2, 3, 3, 8, 8]);
  assert.equal(fact.select(1, 0).sub(direct.select(1, 0)).abs().max().item(), 0, "the first frame is the direct clip's");
  assert.ok(
    fact
      .narrow(1, 1, 2)
      .sub(direct.narrow(1, 1, 2))
      .abs()
      .max()
      .item() > 1e-3,
    "the later frames are animated anew",
  );
  assert.ok(fact.abs().max().item() <= 1 + 1e-6);
  // Seeded: the same clips again; the default path is direct.
  manualSeed(5);
  assert.equal(m.generate(prompts, null, shape, { steps: 3, textToVideo: "factorised" }).sub(fact).abs().max().item(), 0);
  manualSeed(5);
  assert.equal(m.generate(prompts, null, shape, { steps: 3 }).sub(direct).abs().max().item(), 0);
  // The first frame from the image model: a one-frame clip from the same noise.
  manualSeed(5);
  const image = m.generate(prompts, null, { frames: 1, size: 8 }, { steps: 3 });
  assert.deepEqual(image.shape, [2, 1, 3, 8, 8]);
  manualSeed(5);
  const fromImage = m.generate(prompts, null, shape, { steps: 3, textToVideo: "factorised", firstFrame: "image" });
  assert.deepEqual(fromImage.shape, [2, 3, 3, 8, 8]);
  assert.equal(fromImage.select(1, 0).sub(image.select(1, 0)).abs().max().item(), 0);
  // A given first frame ignores the text-to-video path.
  const first = direct.select(1, 0).contiguous();
  manualSeed(6);
  const a = m.generate(prompts, first, shape, { steps: 3, textToVideo: "factorised" });
  manualSeed(6);
  assert.equal(m.generate(prompts, first, shape, { steps: 3 }).sub(a).abs().max().item(), 0);
  assert.throws(
    () => m.generate(prompts, null, shape, { textToVideo: "both" as "direct" }),
    (e: Error) =>
      e instanceof FlambeauError &&
      /^ClipDiffusion\.generate: textToVideo must be one of 'direct', 'factorised', got "both"$/.test(e.message),
  );
  assert.throws(
    () => m.generate(prompts, null, shape, { textToVideo: "factorised", firstFrame: "photo" as "clip" }),
    (e: Error) =>
      e instanceof FlambeauError && /^ClipDiffusion\.generate: firstFrame must be one of 'clip', 'image', got "photo"$/.test(e.message),
  );
  // Training with one-frame clips: the mean of the clip and image losses, differentiable.
  let u = 0;
  const loss = m.loss(randn([2, 3, 3, 8, 8]).clamp(-1, 1), prompts, () => (u = (u + 0.37) % 1), { firstFrames: 2 });
  assert.ok(Number.isFinite(loss.item()) && loss.item() > 0);
  loss.backward();
  assert.ok(m.unet.outConv.weight.grad!.abs().sum().item() > 0);
});

test("video-generation end to end at a toy size: judged hit rates, evaluate agrees with train, predict writes GIFs", async () => {
  const judge = join(dir, "judge");
  await videoClassification.train({ data: "clips:digits", out: judge, epochs: 1, limit: 18, frames: 5, size: 16, seed: 0, log: () => {} });
  const out = join(dir, "gen");
  const r = await videoGeneration.train({
    data: "clips:digits",
    out,
    judge,
    epochs: 1,
    limit: 8,
    batchSize: 4,
    frames: 5,
    size: 16,
    width: 8,
    testClips: 9,
    samplingSteps: 2,
    seed: 0,
    log: () => {},
  });
  const m = r.metrics as Record<string, number>;
  for (const k of ["imageToVideo", "textToVideo", "stillFirstFrame", "realClips"]) assert.ok(m[k]! >= 0 && m[k]! <= 1, k);
  assert.equal(m.chance, 1 / 9);
  assert.ok(existsSync(join(out, "samples", "sample-0.gif")));
  const e = await videoGeneration.evaluate(out, "clips:digits", { testClips: 9, samplingSteps: 2 });
  assert.equal(e.imageToVideo, m.imageToVideo);
  assert.equal(e.textToVideo, m.textToVideo);
  assert.equal(e.textToVideo, e[`textToVideo${e.t2v === "direct" ? "Direct" : "Factorised"}`]);
  for (const k of ["textToVideoDirect", "textToVideoFactorised"]) assert.ok((e[k] as number) >= 0 && (e[k] as number) <= 1, k);
  const d = await videoGeneration.evaluate(out, "clips:digits", { testClips: 9, samplingSteps: 2, t2v: "direct" });
  assert.equal(d.textToVideo, e.textToVideoDirect);
  await assert.rejects(
    videoGeneration.evaluate(out, "clips:digits", { t2v: "both" }),
    /option t2v must be choice \(direct, factorised\), got "both"/,
  );
  await assert.rejects(
    videoGeneration.evaluate(out, "clips:fashion", { testClips: 9 }),
    /trained on clips:digits, --data is clips:fashion/,
  );
  await assert.rejects(videoGeneration.evaluate(out, "my-videos/", {}), /--data must be clips, clips:fashion or clips:digits/);

  const image = join(dir, "first.png");
  await writeImage(image, tensor(new Uint8Array(3 * 20 * 24).fill(200), { shape: [3, 20, 24] }));
  const [p] = (await videoGeneration.predict(out, ["a red 3 moving left"], { image, samplingSteps: 2 })) as {
    output: string;
    frames: number;
  }[];
  assert.equal(p!.frames, 5);
  const meta = await sharp(p!.output).metadata();
  assert.equal(meta.format, "gif");
  assert.equal(meta.pages, 5);
  await assert.rejects(videoGeneration.predict(out, ["a red 3 moonwalking"], {}), /unknown words \["moonwalking"\]/);

  // The animator: image-to-video only, by warping the first frame.
  const anim = join(dir, "anim");
  const a = await videoGeneration.train({
    data: "clips:digits",
    out: anim,
    model: "animator",
    judge,
    epochs: 1,
    limit: 8,
    batchSize: 4,
    frames: 5,
    size: 16,
    width: 8,
    testClips: 9,
    seed: 0,
    log: () => {},
  });
  const am = a.metrics as Record<string, number | null>;
  assert.equal(am.textToVideo, null);
  assert.ok(am.imageToVideo! >= 0 && am.imageToVideo! <= 1);
  const [q] = (await videoGeneration.predict(anim, ["a blue 7 growing"], { image })) as { output: string }[];
  assert.equal((await sharp(q!.output).metadata()).pages, 5);
  await assert.rejects(videoGeneration.predict(anim, ["a blue 7 growing"], {}), /the animator animates a first frame \(--image\)/);
  await assert.rejects(
    videoGeneration.train({ data: "clips:digits", out: anim, model: "gan", judge }),
    /unknown model "gan" for video-generation; models: clip-diffusion, animator/,
  );
});

test("ClipAnimator: untrained, every frame is the first frame (no flow, all visible); the loss trains the flow", () => {
  manualSeed(2);
  const m = new ClipAnimator({ vocabulary: ["a", "red", "moving", "left"], width: 8 });
  const first = randn([2, 3, 8, 8]).clamp(-1, 1);
  const clip = m.forward(first, ["a red moving left", "red"], 4);
  assert.deepEqual(clip.shape, [2, 4, 3, 8, 8]);
  // sigmoid(4) of the warped first frame + (1 − sigmoid(4)) · tanh(0): 0.982 of the first frame.
  const want = first.mul(1 / (1 + Math.exp(-4)));
  for (let t = 1; t < 4; t++) assert.ok(clip.select(1, t).sub(want).abs().max().item() < 1e-5, `frame ${t}`);
  assert.equal(clip.select(1, 0).sub(first).abs().max().item(), 0);
  const loss = m.loss(randn([2, 4, 3, 8, 8]).clamp(-1, 1), ["a red", "left"]);
  loss.backward();
  assert.ok(m.unet.outConv.weight.grad!.abs().sum().item() > 0);
  assert.throws(() => m.forward(first, ["a red"], 4), /first frames must be \[1, 3, S, S\]/);
});
