// text-to-image: captions ("a red 3 to the left of a small blue 7") → pictures, with a small
// conditional diffusion model (models/caption-diffusion.ts: a caption Transformer, a U-Net that
// cross-attends to its tokens, v-prediction, DDIM with classifier-free guidance) trained on
// generated scenes — fresh ones every epoch — and their exact captions. Scored on the captions of
// held-out scenes (held-out objects and photos) by our own detector (text-to-image-judge.ts):
// the share of pictures in which every named object is found with its class (and colour), beside
// the real pictures of those captions (the judge's ceiling) and pictures drawn for another caption
// (chance); and the Fréchet distance in the judge's feature space, beside real against real.
// predict turns prompts into PNG files.
import { mkdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { cat, manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { generatedBatches } from "../../data/epoch-batches.js";
import { Random } from "../../data/random.js";
import { AdamW } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { opt, sampledSteps } from "../../tasks/options.js";
import { checkPromptWords, promptFileName } from "../../tasks/prompts.js";
import { type DemoOptions, type DemoSection, defineTask, type Predictor, type TaskTrainResult, type TrainInput } from "../../tasks/task.js";
import { WarmupCosineLR } from "../../train/callbacks.js";
import { featureFrechetDistance } from "../../train/frechet.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { sceneCaptionVocabulary } from "../captions/caption-words.js";
import { sceneCaptions } from "../captions/scene-captions.js";
import { writeImage } from "../image-io.js";
import { CaptionDiffusion } from "../models/caption-diffusion.js";
import { sceneFiguresHtml } from "../scenes/demo-html.js";
import { generateScenes } from "../scenes/generate.js";
import { OBJECT_SOURCES, type ObjectSource } from "../scenes/objects.js";
import { sceneGraph } from "../scenes/scene-graph.js";
import { detectNamed, hitRates, judgeFeatures, loadJudge, type NamedObject, trainJudge } from "./text-to-image-judge.js";

const TASK = "text-to-image";
const STEPS_PER_EPOCH = 100;
/** Seeds of the held-out captions and of each epoch's fresh scenes (apart from the judge's and each other's). */
const TEST_SEED = 7_200_011;
const EPOCH_SEED = 1_000_033;
/** Fresh scenes per epoch of the judge that train trains (about 6 s an epoch on one core). */
const JUDGE_SCENES = 8000;
/** Images sampled at once. */
const GENERATE_BATCH = 32;

/**
 * The scenes: 32 px with one or two objects of 40–65 % of the side. 32 px halves twice to 8 px in
 * the U-Net, and a step on a batch of 32 takes about 0.4 s on one core, so a few thousand steps
 * fit in a quarter of an hour; larger objects than image-to-text's (30–55 % of 48 px) keep a digit
 * 13–21 px tall, legible at this size; two objects still need a caption's words to be placed.
 */
export const T2I_SCENES = Object.freeze({ size: 32, minObjects: 1, maxObjects: 2, minScale: 0.4, maxScale: 0.65, maxOcclusion: 0.2 });

const OPTIONS = {
  width: opt.int("U-Net channels at full resolution (default 32; the lower levels have twice as many)", { phases: ["train"] }),
  judge: opt.path("a trained object-detection model that judges the pictures (default: train one into <out>/judge)", {
    phases: ["train", "eval"],
  }),
  judgeEpochs: opt.int("epochs of the judge when train trains it (default 40, 8,000 fresh scenes each)", { phases: ["train"] }),
  testPrompts: opt.int("held-out captions scored (default 256)", { phases: ["train", "eval"] }),
  guidance: opt.number("classifier-free guidance on the caption (default 2.5; 1 is none)", { phases: ["train", "eval", "predict"] }),
  samplingSteps: opt.int("DDIM steps per picture (default 25)", { phases: ["train", "eval", "predict"] }),
  scale: opt.int("predict: nearest-neighbour enlargement of the written PNGs (default 4)", { phases: ["predict"] }),
};

interface Hyper {
  vocabulary: string[];
  width: number;
  size: number;
  objects: ObjectSource;
  classes: string[];
  /** The judge's model directory: relative to the model's own when train trained it there ("judge"), else absolute. */
  judge: string;
}

type Sampling = { guidance?: number; samplingSteps?: number };

/** Captioned scenes: uint8 images [N, 3, S, S], one caption each (phrasing `pick(i)` of four), the objects each names. */
interface CaptionedImages {
  images: Tensor;
  captions: string[];
  named: NamedObject[][];
}

async function captionedScenes(
  o: { objects: ObjectSource; split: "train" | "test"; seed: number; count: number },
  pick: (i: number) => number,
): Promise<CaptionedImages & { classes: string[] }> {
  const set = await generateScenes({ ...T2I_SCENES, objects: o.objects, split: o.split, seed: o.seed, count: o.count });
  const s = set.size;
  const data = new Uint8Array(set.scenes.length * 3 * s * s);
  const captions: string[] = [];
  const named: NamedObject[][] = [];
  set.scenes.forEach((sc, i) => {
    data.set(sc.image, i * 3 * s * s);
    const g = sceneGraph(sc, set.classes, set.options);
    captions.push(sceneCaptions(g)[pick(i) % 4]!);
    named.push(g.objects.map((ob) => ({ category: ob.category, color: ob.color })));
  });
  return { images: tensor(data, { shape: [set.scenes.length, 3, s, s] }), captions, named, classes: set.classes };
}

const toUnit = (x: Tensor): Tensor => x.float().div(127.5).sub(1);
const toBytes = (x: Tensor): Tensor => x.add(1).mul(127.5).round().clamp(0, 255).byte();

/** Pictures for `captions` as one uint8 [N, 3, S, S] tensor, sampled in batches. */
function drawCaptions(model: CaptionDiffusion, size: number, captions: readonly string[], o: Sampling): Tensor {
  const parts: Tensor[] = [];
  for (let i = 0; i < captions.length; i += GENERATE_BATCH) {
    const batch = captions.slice(i, i + GENERATE_BATCH);
    parts.push(
      noGrad(() => tidy(() => toBytes(model.generate(batch, size, { steps: o.samplingSteps ?? 25, guidance: o.guidance ?? 2.5 })))),
    );
  }
  const out = cat(parts, 0);
  for (const p of parts) p.dispose();
  return out;
}

/** The held-out scores: detector hit rates and the feature-space Fréchet distance, each beside its baselines. */
/** The judge a saved model is scored by: --judge, else the one recorded in its config (beside it when relative). */
const judgeOf = (dir: string, h: Hyper, judge?: string): string => resolve(judge ?? (isAbsolute(h.judge) ? h.judge : join(dir, h.judge)));

async function score(model: CaptionDiffusion, h: Hyper, o: Sampling & { testPrompts?: number; judge: string }) {
  const count = o.testPrompts ?? 256;
  if (!Number.isSafeInteger(count) || count < 8)
    throw new FlambeauError("E_ARG", `${TASK}: --test-prompts must be an integer ≥ 8, got ${count}`);
  const judge = await loadJudge(o.judge);
  const test = await captionedScenes({ objects: h.objects, split: "test", seed: TEST_SEED, count }, (i) => i);
  // The sampler's noise: the same pictures for the same model at train and at evaluate.
  manualSeed(TEST_SEED);
  const generated = drawCaptions(model, h.size, test.captions, o);
  const onGenerated = detectNamed(judge, generated);
  const onReal = detectNamed(judge, test.images);
  // Chance: each picture judged against the caption of the scene half the set away.
  const shift = (i: number) => (i + Math.floor(count / 2)) % count;
  const gen = hitRates(onGenerated, test.named);
  const real = hitRates(onReal, test.named);
  const shuffled = hitRates(
    onGenerated,
    test.named.map((_, i) => test.named[shift(i)]!),
  );
  // Fréchet distances against the first half of the real pictures: the pictures drawn for the
  // second half's captions, and the second half's real pictures (the same sizes, so the same bias).
  const half = Math.floor(count / 2);
  const fFeat = judgeFeatures(judge, generated);
  const rFeat = judgeFeatures(judge, test.images);
  const realA = rFeat.narrow(0, 0, half);
  const dim = rFeat.shape[1]!;
  const fid = featureFrechetDistance(fFeat.narrow(0, half, half), realA);
  const fidReal = featureFrechetDistance(rFeat.narrow(0, half, half), realA);
  for (const t of [fFeat, rFeat, realA]) t.dispose();
  judge.model.dispose();
  const result = {
    prompts: count,
    hitRate: gen.cls,
    colorHitRate: gen.color,
    realHitRate: real.cls,
    realColorHitRate: real.color,
    shuffledHitRate: shuffled.cls,
    shuffledColorHitRate: shuffled.color,
    fid,
    fidRealVsReal: fidReal,
    fidFeatures: `the judge's (CenterNet's) last ResNet stage, mean-pooled: ${dim} features; ${half} vs ${half} pictures`,
    guidance: o.guidance ?? 2.5,
    samplingSteps: o.samplingSteps ?? 25,
  };
  return { result, samples: { captions: test.captions, real: test.images, generated } };
}

type Samples = Awaited<ReturnType<typeof score>>["samples"];
const disposeSamples = (s: Samples): void => {
  s.real.dispose();
  s.generated.dispose();
};

type TrainOptions = TrainInput & { width?: number; judge?: string; judgeEpochs?: number; testPrompts?: number } & Sampling;

function objectsOf(data: string): ObjectSource {
  const m = /^scenes(?::([a-z]+))?$/.exec(data);
  const source = m ? (m[1] ?? "digits") : null;
  if (!source || !(OBJECT_SOURCES as readonly string[]).includes(source))
    throw new FlambeauError(
      "E_ARG",
      `${TASK}: --data must be scenes, ${OBJECT_SOURCES.map((s) => `scenes:${s}`).join(" or ")} (generated captioned scenes), got "${data}"`,
    );
  return source as ObjectSource;
}

async function train(o: TrainOptions): Promise<TaskTrainResult> {
  const { seed, log } = o;
  const objects = objectsOf(o.data);
  const size = T2I_SCENES.size;
  const width = o.width ?? 32;
  if (!Number.isSafeInteger(width) || width < 8 || width % 8)
    throw new FlambeauError("E_ARG", `${TASK}: --width must be a positive multiple of 8, got ${width}`);
  let judge: string;
  if (o.judge) judge = resolve(o.judge);
  else {
    judge = resolve(join(o.out, "judge"));
    const map50 = await trainJudge({
      settings: { ...T2I_SCENES, objects },
      out: judge,
      seed,
      scenes: JUDGE_SCENES,
      epochs: o.judgeEpochs ?? 40,
      log,
      progress: o.progress,
    });
    log(`${TASK}: judge validation mAP@0.5 ${map50.toFixed(3)}`);
  }
  manualSeed(seed);
  const classes = (await generateScenes({ ...T2I_SCENES, objects, count: 0 })).classes;
  const h: Hyper = { vocabulary: sceneCaptionVocabulary(classes), width, size, objects, classes, judge: o.judge ? judge : "judge" };
  const model = new CaptionDiffusion({ vocabulary: h.vocabulary, width });
  const epochs = o.epochs ?? 20;
  const batch = o.batchSize ?? 32;
  const peakLr = o.lr ?? 1e-3;
  const steps = sampledSteps(o.limit, batch, STEPS_PER_EPOCH);
  log(
    `${TASK}: scenes:${objects} ${size}×${size}, U-Net width ${width}, ${plural(epochs, "epoch")} × ${steps} batches of ${batch} ${o.limit === undefined ? "fresh" : "fixed"} captioned scenes, lr ${peakLr}`,
  );
  const uniform = new Random(seed, 47);
  const optimizer = new AdamW(model.parameters(), { lr: peakLr, weightDecay: 0 });
  // --limit: one fixed set every epoch; otherwise fresh scenes, each with a random phrasing.
  const batches = generatedBatches({
    steps,
    batch,
    fixed: o.limit !== undefined,
    rng: uniform,
    make: async (e) => {
      const phrasing = new Random(seed, 53, e);
      const all = await captionedScenes({ objects, split: "train", seed: seed + EPOCH_SEED * (e + 1), count: steps * batch }, () =>
        phrasing.int(4),
      );
      return { rows: all.images, texts: all.captions };
    },
  });
  const trainer = new Trainer<{ rows: Tensor; texts: string[] }>({
    name: TASK,
    model,
    optimizer,
    step: (b) => model.loss(toUnit(b.rows), b.texts, () => uniform.nextFloat()),
    batchSize: (b) => b.texts.length,
    progress: o.progress,
    gradClipNorm: 1,
    callbacks: [new WarmupCosineLR(optimizer, peakLr, epochs * steps, Math.min(100, steps))],
  });
  const history = await trainer.fit(batches, { epochs });
  model.eval();
  const { result, samples } = await score(model, h, { ...o, judge });
  await saveModelDir<Hyper, never>(
    o.out,
    {
      task: TASK,
      architecture: "caption-diffusion",
      hyper: h,
      metrics: { heldOut: result, epochs, batchSize: batch, lr: peakLr, seed, steps },
    },
    model.stateDict(),
  );
  await writeSampleGrid(join(o.out, "samples.png"), samples, 8);
  disposeSamples(samples);
  model.dispose();
  return { dir: o.out, metrics: result, history };
}

/** The first n held-out captions' real scene and generated picture side by side, one row each, as one PNG. */
async function writeSampleGrid(path: string, s: Samples, n: number): Promise<void> {
  const k = Math.min(n, s.captions.length);
  const grid = tidy(() =>
    cat([s.real.narrow(0, 0, k), s.generated.narrow(0, 0, k)], 3)
      .permute([1, 0, 2, 3])
      .reshape([3, -1, 2 * s.real.shape[3]!])
      .contiguous(),
  );
  mkdirSync(resolve(path, ".."), { recursive: true });
  await writeImage(path, grid);
  grid.dispose();
}

async function loadModel(dir: string): Promise<{ model: CaptionDiffusion; hyper: Hyper }> {
  const { config, weights } = await loadModelDir<Hyper, never>(dir, TASK);
  const model = new CaptionDiffusion({ vocabulary: config.hyper.vocabulary, width: config.hyper.width });
  model.loadStateDict(weights);
  model.eval();
  return { model, hyper: config.hyper };
}

async function evaluate(dir: string, data: string, o: Sampling & { limit?: number; testPrompts?: number; judge?: string }) {
  const { model, hyper } = await loadModel(dir);
  try {
    if (objectsOf(data) !== hyper.objects)
      throw new FlambeauError("E_ARG", `${TASK}: the model was trained on scenes:${hyper.objects}, --data is ${data}`);
    const { result, samples } = await score(model, hyper, {
      ...o,
      testPrompts: o.limit ?? o.testPrompts,
      judge: judgeOf(dir, hyper, o.judge),
    });
    disposeSamples(samples);
    return {
      metric: "detector hit rate: every object the held-out caption names is detected with its class (and colour) in the generated picture",
      ...result,
    };
  } finally {
    model.dispose();
  }
}

export interface GeneratedImage {
  prompt: string;
  output: string;
}

async function load(dir: string): Promise<Predictor<GeneratedImage, Sampling & { scale?: number }>> {
  const { model, hyper } = await loadModel(dir);
  const outDir = join(dir, "predictions");
  return {
    task: TASK,
    async predict(prompts, o = {}) {
      const scale = o.scale ?? 4;
      if (!Number.isSafeInteger(scale) || scale < 1 || scale > 32)
        throw new FlambeauError("E_ARG", `${TASK}: --scale must be an integer in [1, 32], got ${scale}`);
      if (prompts.length === 0) throw new FlambeauError("E_ARG", `${TASK}: no prompt given`);
      checkPromptWords(TASK, prompts, (p) => model.text.unknownWords(p), hyper.vocabulary);
      const images = drawCaptions(model, hyper.size, prompts, o);
      mkdirSync(outDir, { recursive: true });
      const out: GeneratedImage[] = [];
      for (let i = 0; i < prompts.length; i++) {
        const path = join(outDir, promptFileName(i, prompts[i]!, ".png"));
        const img = tidy(() => images.select(0, i).repeatInterleave(scale, 1).repeatInterleave(scale, 2).contiguous());
        await writeImage(path, img);
        img.dispose();
        out.push({ prompt: prompts[i]!, output: path });
      }
      images.dispose();
      return out;
    },
    dispose: () => model.dispose(),
  };
}

const formatPrediction = (p: GeneratedImage): string => `wrote ${p.output} (${p.prompt})`;

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  // Quick: about a minute of training (shapes and colours barely formed); --full is the README's recipe.
  const b = o.full
    ? { epochs: 20, judgeEpochs: 40, testPrompts: 256 }
    : { epochs: 1, limit: 1600, judgeEpochs: 4, testPrompts: 16, samplingSteps: 10 };
  const data = "scenes:digits";
  const log = o.log ?? (() => {});
  const r = await train({ data, out: o.out, seed: 0, progress: o.progress, log, ...b });
  const m = r.metrics as Record<string, number>;
  const { model, hyper } = await loadModel(o.out);
  const { samples } = await score(model, hyper, { testPrompts: 8, samplingSteps: b.samplingSteps, judge: judgeOf(o.out, hyper) });
  model.dispose();
  const s = hyper.size;
  const rows = Array.from({ length: 4 }, (_, r0) =>
    [2 * r0, 2 * r0 + 1].flatMap((i) => [
      { image: tidy(() => samples.real.select(0, i).contiguous().data() as Uint8Array), caption: `real: ${samples.captions[i]}` },
      { image: tidy(() => samples.generated.select(0, i).contiguous().data() as Uint8Array), caption: "generated" },
    ]),
  );
  disposeSamples(samples);
  const extraHtml = await sceneFiguresHtml("Held-out captions: the real scene, then the picture drawn from its caption", rows, s);
  const flags = `--epochs ${b.epochs}${"limit" in b ? ` --limit ${b.limit}` : ""} --judge-epochs ${b.judgeEpochs} --test-prompts ${b.testPrompts}${"samplingSteps" in b ? ` --sampling-steps ${b.samplingSteps}` : ""}`;
  return {
    task: TASK,
    dataset: `generated captioned scenes: 1–2 of opencv-doc's handwritten digits, tinted, on crops of Debian's photos, ${s} px; held-out digits and photos for the captions scored`,
    commands: [
      `flambeau train ${TASK} --data ${data} ${flags} --out ${o.out}`,
      `flambeau eval ${o.out} --data ${data} --test-prompts ${b.testPrompts}${"samplingSteps" in b ? ` --sampling-steps ${b.samplingSteps}` : ""} --json`,
    ],
    metrics: {
      hitRate: m.hitRate!,
      colorHitRate: m.colorHitRate!,
      realHitRate: m.realHitRate!,
      shuffledHitRate: m.shuffledHitRate!,
      fid: m.fid!,
      fidRealVsReal: m.fidRealVsReal!,
    },
    history: r.history.epochs.map((e) => ({ loss: e.loss! })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml,
  };
}

export const textToImage = defineTask({
  name: TASK,
  description:
    "text-to-image (a caption-conditioned diffusion U-Net with cross-attention; judged by our own detector — every named object found — beside real pictures and chance, and a Fréchet distance in the detector's features)",
  dataFormat:
    '`scenes` / `scenes:digits` (default) or `scenes:fashion`: generated captioned scenes, fresh every epoch (--limit makes one fixed set); predict reads prompts such as "a red 3 to the left of a small blue 7"',
  models: ["caption-diffusion"],
  defaultModel: "caption-diffusion",
  options: OPTIONS,
  baseline:
    "the same judge on the real pictures of the captions (ceiling) and on pictures drawn for another caption (chance); FID real vs real",
  train,
  evaluate,
  load,
  formatPrediction,
  demo,
});
