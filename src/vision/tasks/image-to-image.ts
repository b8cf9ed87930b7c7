// image-to-image: super-resolution (×2, ×3, ×4) and denoising, trained on random patches of
// real photos (a folder, or `debian-photos`: scikit-image's and OpenCV's sample photos)
// with whole scenes held out; metrics PSNR/SSIM on the luma channel against bicubic
// upscaling (or the noisy input); predict writes the restored image as PNG.
import { mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, stack, type Tensor, tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { Adam } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { sampledSteps } from "../../tasks/options.js";
import {
  type DemoOptions,
  type DemoSection,
  defineTask,
  type EvalArgs,
  type Predictor,
  type TaskTrainResult,
  type TrainInput,
} from "../../tasks/task.js";
import { WarmupCosineLR } from "../../train/callbacks.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { baseline, degrade } from "../degrade.js";
import { readImage, writeImage } from "../image-io.js";
import { buildRestorer, IMAGE_RESTORERS, type ImageRestorer, type RestorerHyper, restorerHyper } from "../models/restoration.js";
import { listPhotos, loadPhotos, type Photo, splitPhotos } from "../photos.js";
import { psnr, ssim } from "../quality.js";
import { restoredCropsHtml } from "./image-to-image-html.js";

const TASK = "image-to-image";
/** Side of the clean training patches (divisible by 2, 3 and 4). */
const PATCH = 48;
const STEPS_PER_EPOCH = 100;
/** Held-out photos are scored on their central crop of at most this side (bounded eval time). */
const EVAL_SIDE = 256;

const scaleOf = (h: RestorerHyper): number => (h.job.kind === "super-resolution" ? h.job.scale : 1);

/** A batch of random clean patches, flipped and transposed at random (8 orientations). */
function samplePatches(photos: readonly Photo[], n: number, rng: Random): Tensor {
  const out: Tensor[] = [];
  for (let i = 0; i < n; i++) {
    const p = photos[rng.int(photos.length)]!.pixels;
    const [h, w] = [p.shape[1]!, p.shape[2]!];
    let t = p.narrow(1, rng.int(h - PATCH + 1), PATCH).narrow(2, rng.int(w - PATCH + 1), PATCH);
    if (rng.nextFloat() < 0.5) t = t.flip(2);
    if (rng.nextFloat() < 0.5) t = t.flip(1);
    if (rng.nextFloat() < 0.5) t = t.transpose(1, 2);
    out.push(t);
  }
  return stack(out).float().div(255);
}

/** Central crop of at most `side` px, trimmed to a multiple of the scale. */
function evalCrop(p: Tensor, side: number, scale: number): Tensor {
  const [h, w] = [p.shape[1]!, p.shape[2]!];
  const ch = Math.floor(Math.min(h, side) / scale) * scale;
  const cw = Math.floor(Math.min(w, side) / scale) * scale;
  return p.narrow(1, (h - ch) >> 1, ch).narrow(2, (w - cw) >> 1, cw);
}

async function photoSplit(data: string): Promise<{ train: string[]; test: string[] }> {
  return splitPhotos(await listPhotos(data));
}

/** A degraded input and its clean patches. */
type Pair = { input: Tensor; hr: Tensor };

/** An epoch of `steps` batches of fresh random patches drawn from `rng`, degraded for the job. */
function patchBatches(photos: readonly Photo[], job: RestorerHyper["job"], batch: number, steps: number, rng: Random) {
  async function* run(): AsyncGenerator<Pair> {
    for (let s = 0; s < steps; s++)
      yield tidy(() => {
        const hr = samplePatches(photos, batch, rng);
        return { input: noGrad(() => degrade(hr, job)), hr };
      });
  }
  return { length: steps, [Symbol.asyncIterator]: () => run()[Symbol.asyncIterator]() };
}

async function train(o: TrainInput): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const arch = o.model ?? "srresnet-x2";
  const hyper = restorerHyper(arch);
  const split = await photoSplit(o.data);
  const photos = await loadPhotos(split.train, { minSide: PATCH });
  const model = buildRestorer(hyper);
  const epochs = o.epochs ?? 10;
  const batch = o.batchSize ?? 16;
  const peakLr = o.lr ?? 1e-3;
  // An epoch is STEPS_PER_EPOCH batches of fresh random patches; `limit` caps its patches.
  const steps = sampledSteps(o.limit, batch, STEPS_PER_EPOCH);
  log(
    `${TASK}: ${photos.length} training photos (${split.test.length} held out), ${arch}, ${plural(epochs, "epoch")} × ${steps} steps of ${batch} ${PATCH}px patches, lr ${peakLr}`,
  );
  const optimizer = new Adam(model.parameters(), { lr: peakLr });
  const trainer = new Trainer<Pair>({
    name: TASK,
    model,
    optimizer,
    // L1 trains restorers to sharper results than L2 at the same PSNR budget.
    step: ({ input, hr }) => model.forward(input).sub(hr).abs().mean(),
    progress: o.progress,
    // Cosine decay from the peak, no warm-up.
    callbacks: [new WarmupCosineLR(optimizer, peakLr, epochs * steps, 0)],
  });
  const history = await trainer.fit(patchBatches(photos, hyper.job, batch, steps, new Random(seed)), { epochs });
  model.eval();
  const held = await loadPhotos(split.test);
  const metrics = await scorePhotos(model, hyper, held, EVAL_SIDE);
  for (const p of [...photos, ...held]) p.pixels.dispose();
  await saveModelDir<RestorerHyper, never>(
    o.out,
    {
      task: TASK,
      architecture: arch,
      hyper,
      metrics: { heldOut: metrics, epochs, batchSize: batch, lr: peakLr, seed, trainPhotos: photos.length, heldOutPhotos: split.test },
    },
    model.stateDict(),
  );
  model.dispose();
  return { dir: o.out, metrics, history };
}

/** Mean PSNR/SSIM (Y channel, border of `scale` px shaved) of the model and of the baseline. */
async function scorePhotos(
  model: ImageRestorer,
  h: RestorerHyper,
  photos: readonly Photo[],
  side: number,
): Promise<Record<string, number>> {
  const scale = scaleOf(h);
  const shave = Math.max(scale, 4);
  manualSeed(1234); // the same noise for every evaluation of a denoiser
  const acc = { psnr: 0, ssim: 0, basePsnr: 0, baseSsim: 0, psnrRgb: 0, basePsnrRgb: 0 };
  for (const p of photos) {
    noGrad(() =>
      tidy(() => {
        const hr = evalCrop(p.pixels, side, scale).float().div(255).unsqueeze(0);
        const input = degrade(hr, h.job);
        const out = model.forward(input).clamp(0, 1);
        const base = baseline(input, h.job);
        acc.psnr += psnr(out, hr, { shave })[0]!;
        acc.ssim += ssim(out, hr, { shave })[0]!;
        acc.basePsnr += psnr(base, hr, { shave })[0]!;
        acc.baseSsim += ssim(base, hr, { shave })[0]!;
        acc.psnrRgb += psnr(out, hr, { shave, space: "rgb" })[0]!;
        acc.basePsnrRgb += psnr(base, hr, { shave, space: "rgb" })[0]!;
      }),
    );
  }
  const n = Math.max(1, photos.length);
  const b = h.job.kind === "denoise" ? "noisy" : "bicubic";
  return {
    photos: photos.length,
    psnrY: acc.psnr / n,
    ssimY: acc.ssim / n,
    [`${b}PsnrY`]: acc.basePsnr / n,
    [`${b}SsimY`]: acc.baseSsim / n,
    psnrGainY: (acc.psnr - acc.basePsnr) / n,
    psnrRgb: acc.psnrRgb / n,
    [`${b}PsnrRgb`]: acc.basePsnrRgb / n,
  };
}

async function loadModel(dir: string): Promise<{ model: ImageRestorer; hyper: RestorerHyper; arch: string }> {
  const { config, weights } = await loadModelDir<RestorerHyper, never>(dir, TASK);
  const model = buildRestorer(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, hyper: config.hyper, arch: config.architecture };
}

/** Scores the held-out photos of `data` (the same split training used), or every photo of a folder given with `limit`. */
async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  const { model, hyper, arch } = await loadModel(dir);
  const { test } = await photoSplit(data);
  const files = o.limit !== undefined ? test.slice(0, o.limit) : test;
  const photos = await loadPhotos(files);
  const m = await scorePhotos(model, hyper, photos, EVAL_SIDE);
  for (const p of photos) p.pixels.dispose();
  model.dispose();
  return { model: arch, metric: "PSNR/SSIM on BT.601 luma, central ≤256 px crop, border shaved", ...m };
}

export interface Restored {
  input: string;
  output: string;
  width: number;
  height: number;
}

/** Runs the model on one image's uint8 CHW pixels; returns uint8 [3, H', W']. */
function restoreImage(model: ImageRestorer, data: Uint8Array, height: number, width: number): Tensor {
  return noGrad(() =>
    tidy(() => {
      const x = tensor(data, { shape: [1, 3, height, width] })
        .float()
        .div(255);
      return model.forward(x).clamp(0, 1).mul(255).round().to("uint8").squeeze(0);
    }),
  );
}

/** Loads the restorer once; each call restores whole images to <dir>/predictions/<name>-<job>.png. */
async function load(dir: string): Promise<Predictor<Restored>> {
  const { model, hyper } = await loadModel(dir);
  const outDir = join(dir, "predictions");
  return {
    task: TASK,
    async predict(inputs) {
      mkdirSync(outDir, { recursive: true });
      const out: Restored[] = [];
      for (const file of inputs) {
        const img = await readImage(file, { channels: 3 });
        if (img.height * img.width > 1024 * 1024)
          throw new FlambeauError("E_ARG", `${TASK}: ${file} is ${img.height}×${img.width}; predict takes images up to 1024×1024 px`);
        const y = restoreImage(model, img.data, img.height, img.width);
        const suffix = hyper.job.kind === "denoise" ? "denoised" : `x${hyper.job.scale}`;
        const path = join(outDir, `${basename(file, extname(file))}-${suffix}.png`);
        await writeImage(path, y);
        out.push({ input: file, output: path, height: y.shape[1]!, width: y.shape[2]! });
        y.dispose();
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}

const formatPrediction = (r: Restored): string => `wrote ${r.output} (${r.width}×${r.height})`;

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  // The quick demo fits a minute on two cores with the light ESPCN; --full trains SRResNet-lite.
  const arch = o.full ? "srresnet-x2" : "espcn-x2";
  const budget = o.full ? { epochs: 20 } : { epochs: 3 };
  const r = await train({
    data: "debian-photos",
    out: o.out,
    model: arch,
    seed: 0,
    progress: o.progress,
    log: o.log ?? (() => {}),
    ...budget,
  });
  const m = r.metrics as Record<string, number>;
  const { model, hyper } = await loadModel(o.out);
  const { test } = await photoSplit("debian-photos");
  const photos = await loadPhotos(test.slice(0, 3));
  const extraHtml = await restoredCropsHtml(model, hyper, photos);
  for (const p of photos) p.pixels.dispose();
  model.dispose();
  const extra = o.full ? " --epochs 20" : " --epochs 3";
  return {
    task: TASK,
    dataset: "photos shipped by Debian (scikit-image data, opencv-doc samples); whole scenes held out",
    commands: [
      `flambeau train ${TASK} --data debian-photos --model ${arch} --out ${o.out}${extra}`,
      `flambeau eval ${o.out} --data debian-photos --json`,
    ],
    metrics: { psnrY: m.psnrY!, bicubicPsnrY: m.bicubicPsnrY!, psnrGainY: m.psnrGainY!, ssimY: m.ssimY!, bicubicSsimY: m.bicubicSsimY! },
    history: r.history.epochs.map((e) => ({ loss: e.loss! })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml,
  };
}

export const imageToImage = defineTask({
  name: TASK,
  description:
    "super-resolution (×2/×3/×4) and denoising of photos (a CNN predicting the detail bicubic upscaling misses; PSNR/SSIM on luma vs bicubic)",
  dataFormat:
    "a folder of photos (PNG/JPEG…, subfolders read too) or `debian-photos` (scikit-image's and opencv-doc's sample photos); every fifth scene is held out for eval; an epoch is 100 batches of random 48 px patches (--limit caps its patches)",
  models: [...IMAGE_RESTORERS],
  defaultModel: "srresnet-x2",
  train,
  evaluate,
  load,
  formatPrediction,
  demo,
});
