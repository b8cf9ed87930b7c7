// video-super-resolution: ×2/×4 upscaling of real footage by a sliding-window network (the K
// low-resolution frames around frame t → frame t at full resolution), trained on random
// patch windows of some videos and scored on others: by default opencv-doc's `Megamind.avi`
// and `tree.avi` for training and `vtest.avi` (pedestrians, a fixed camera) held out.
// Inputs are made as image-to-image makes them (antialiased bicubic downscale, 8-bit); PSNR and
// SSIM on luma against per-frame bicubic upscaling and against the single-image model (the same
// network with a window of one frame). predict upscales a video file, streaming it.
import { mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, stack, type Tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { Adam } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { opt, sampledSteps } from "../../tasks/options.js";
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
import { baseline, degrade } from "../../vision/degrade.js";
import type { Restoration } from "../../vision/models/restoration.js";
import { listPhotos, loadPhotos, splitPhotos } from "../../vision/photos.js";
import { psnr, rgbToY, ssim } from "../../vision/quality.js";
import { sceneFiguresHtml } from "../../vision/scenes/demo-html.js";
import { resize } from "../../vision/transforms/resize.js";
import { augmentWindow, type Footage, footageWindow, loadFootage, videoSplit } from "../data/footage.js";
import { type PanOptions, panMargin, pannedWindow } from "../data/panned.js";
import { probeVideo } from "../io/probe.js";
import { readVideoFrames } from "../io/read.js";
import { writeVideo } from "../io/write.js";
import { WindowSR } from "../models/window-sr.js";
import { upscaleFrames } from "../upscale.js";

const TASK = "video-super-resolution";
const MODELS = ["window-x2", "window-x4", "mc-window-x2", "mc-window-x4", "single-x2", "single-x4"] as const;
/** Weight of the motion-compensated models' alignment loss (L1 between each warped neighbour and the middle frame). */
const ALIGN_WEIGHT = 0.1;
/** Side of the clean training patches (divisible by 2 and 4). */
const PATCH = 64;
const STEPS_PER_EPOCH = 100;
/** Share of training windows panned over still photos when --photos gives them. */
const PHOTO_SHARE = 0.5;
/** Windows scored per held-out video, spread evenly over its frames. */
const EVAL_WINDOWS = 24;

export interface VideoSRHyper {
  scale: number;
  window: number;
  width: number;
  blocks: number;
  /** Neighbours warped onto the middle frame by a learned flow (absent in older models: false). */
  motion?: boolean;
  /** Gaussian σ (high-resolution px) of the blur-and-sample degradation; absent: antialiased bicubic. */
  blur?: number;
}

const DEGRADATIONS = ["bicubic", "blur"] as const;
type Degradation = (typeof DEGRADATIONS)[number];
/** σ of the blur degradation per unit of scale: 1.6 at ×4, as in DUF, TDAN and BasicVSR. */
const BLUR_PER_SCALE = 0.4;

function hyperOf(name: string, degradation: Degradation = "bicubic", frames?: number): VideoSRHyper {
  if (!(MODELS as readonly string[]).includes(name))
    throw new FlambeauError("E_ARG", `${TASK}: unknown model "${name}"; models: ${MODELS.join(", ")}`);
  const motion = name.startsWith("mc-");
  const [kind, x] = name.replace(/^mc-/, "").split("-") as [string, string];
  const scale = Number(x.slice(1));
  return {
    scale,
    window: kind === "window" ? (frames ?? 3) : 1,
    width: 32,
    blocks: 4,
    ...(motion ? { motion } : {}),
    ...(degradation === "blur" ? { blur: BLUR_PER_SCALE * scale } : {}),
  };
}

const buildModel = (h: VideoSRHyper) =>
  new WindowSR({ scale: h.scale, window: h.window, width: h.width, blocks: h.blocks, motion: h.motion ?? false });

/** L1 on the restored frame, plus (motion compensation) L1 between each warped neighbour and the middle frame. */
function srLoss(model: WindowSR, input: Tensor, target: Tensor): Tensor {
  const { output, aligned } = model.restore(input);
  const loss = output.sub(target).abs().mean();
  if (!model.flow) return loss;
  return loss.add(
    aligned
      .sub(input.select(1, model.window >> 1).unsqueeze(1))
      .abs()
      .mean()
      .mul(ALIGN_WEIGHT),
  );
}

/** How the photo windows move (px per frame at full resolution): a pan of up to 4 px (1 px at
 * ×4's low resolution, about what a hand-held camera drifts at 25 fps) and an object crossing at
 * up to 8 px. A pan of at most 2 px and no object, the first recipe, taught a window model to fuse
 * its neighbours as if they always lined up: on vtest's walking people it lost 0.7 dB to one frame. */
const PAN: Omit<PanOptions, "patch"> = { panSpeed: 4, objectSpeed: 8 };
const panOptions = (): PanOptions => ({ patch: PATCH, ...PAN });

/**
 * A batch of clean windows [B, K, 3, P, P] in [0, 1]: random videos, times and crops — or, for a
 * share PHOTO_SHARE of them, windows panned over still photos — in a random orientation and direction of time.
 */
function sampleWindows(videos: readonly Footage[], photos: readonly Tensor[], n: number, k: number, rng: Random): Tensor {
  const out: Tensor[] = [];
  for (let i = 0; i < n; i++) {
    if (photos.length > 0 && rng.nextFloat() < PHOTO_SHARE) {
      out.push(augmentWindow(pannedWindow(photos[rng.int(photos.length)]!, k, rng, panOptions()), rng));
      continue;
    }
    out.push(footageWindow(videos, k, PATCH, rng));
  }
  return stack(out).float().div(255);
}

/** The degradation that makes a model's inputs. */
const jobOf = (h: VideoSRHyper): Restoration => ({ kind: "super-resolution", scale: h.scale, ...(h.blur ? { blur: h.blur } : {}) });

/** Clean windows [B, K, 3, H, W] → their low-resolution inputs [B, K, 3, H/s, W/s] (each frame degraded alone). */
function degradeWindows(hr: Tensor, h: VideoSRHyper): Tensor {
  const [b, k, c, height, w] = hr.shape as [number, number, number, number, number];
  const lr = degrade(hr.reshape([b * k, c, height, w]), jobOf(h));
  return lr.reshape([b, k, c, lr.shape[2]!, lr.shape[3]!]);
}

type Pair = { input: Tensor; target: Tensor };

function windowBatches(videos: readonly Footage[], photos: readonly Tensor[], h: VideoSRHyper, batch: number, steps: number, rng: Random) {
  async function* run(): AsyncGenerator<Pair> {
    for (let s = 0; s < steps; s++)
      yield tidy(() => {
        const hr = sampleWindows(videos, photos, batch, h.window, rng);
        return { input: noGrad(() => degradeWindows(hr, h)), target: hr.select(1, h.window >> 1).contiguous() };
      });
  }
  return { length: steps, [Symbol.asyncIterator]: () => run()[Symbol.asyncIterator]() };
}

/** Frames t − K/2 … t + K/2 of uint8 [T, 3, H, W] as [K, 3, H, W], the first and last frames repeated past the ends. */
function windowAt(frames: Tensor, t: number, k: number): Tensor {
  const last = frames.shape[0]! - 1;
  return stack(Array.from({ length: k }, (_, i) => frames.select(0, Math.min(last, Math.max(0, t - (k >> 1) + i)))));
}

/** A pixel moves when some channel of frame t − 1 or t + 1 differs from frame t by more than this (grey levels). */
const MOTION_THRESHOLD = 12;

/**
 * The pixels of frame t where the footage moves, from the clean frames t − 1, t, t + 1 ([1, 3,
 * 3, H, W] in [0, 1]): [1, 1, H, W], 1 where a neighbour differs from frame t by more than MOTION_THRESHOLD.
 */
function movingPixels(hr: Tensor): Tensor {
  const differs = (i: number) =>
    hr
      .select(1, i)
      .sub(hr.select(1, 1))
      .abs()
      .amax({ dim: 1, keepdim: true })
      .gt(MOTION_THRESHOLD / 255);
  return differs(0).logicalOr(differs(2)).float();
}

/** [N, C, H, W] without a border of `shave` px: the pixels the metrics score. */
const shaved = (t: Tensor, shave: number): Tensor => t.narrow(2, shave, t.shape[2]! - 2 * shave).narrow(3, shave, t.shape[3]! - 2 * shave);

/** Squared luma errors of `x` against `truth` summed over the mask (all three [1, ·, H, W], border of `shave` px dropped). */
function maskedSquaredError(x: Tensor, truth: Tensor, mask: Tensor, shave: number): number {
  return shaved(rgbToY(x).sub(rgbToY(truth)).square().mul(mask), shave)
    .sum()
    .item() as number;
}

/**
 * Mean PSNR/SSIM (luma, border of `scale` px shaved) of the model and of bicubic on windows
 * spread over each held-out video; and PSNR pooled over the pixels that move between frames,
 * the only ones where a neighbour can add what frame t lacks (a still camera's background is
 * the same in every frame).
 */
function score(model: WindowSR, h: VideoSRHyper, videos: readonly Footage[], windows = EVAL_WINDOWS): Record<string, number> {
  const acc = { psnr: 0, ssim: 0, bicubicPsnr: 0, bicubicSsim: 0, n: 0, moving: 0, pixels: 0, movingSe: 0, bicubicMovingSe: 0 };
  const r = h.window >> 1;
  // Every model is scored on the same frames whatever its window: those with 7 neighbours each side.
  const MARGIN = 7;
  for (const v of videos) {
    const T = v.frames.shape[0]!;
    const first = Math.min(MARGIN, T >> 1);
    const last = Math.max(first, T - 1 - MARGIN);
    const count = Math.min(windows, last - first + 1);
    for (let j = 0; j < count; j++) {
      const t = first + (count === 1 ? 0 : Math.round((j * (last - first)) / (count - 1)));
      noGrad(() =>
        tidy(() => {
          const hr = windowAt(v.frames, t, h.window).float().div(255).unsqueeze(0);
          const lr = degradeWindows(hr, h);
          const truth = hr.select(1, r);
          const out = model.forward(lr).clamp(0, 1);
          const base = baseline(lr.select(1, r), jobOf(h));
          const shave = h.scale;
          acc.psnr += psnr(out, truth, { shave })[0]!;
          acc.ssim += ssim(out, truth, { shave })[0]!;
          acc.bicubicPsnr += psnr(base, truth, { shave })[0]!;
          acc.bicubicSsim += ssim(base, truth, { shave })[0]!;
          acc.n++;
          const moving = movingPixels(windowAt(v.frames, t, 3).float().div(255).unsqueeze(0));
          const inner = shaved(moving, shave);
          acc.moving += inner.sum().item() as number;
          acc.pixels += inner.numel;
          acc.movingSe += maskedSquaredError(out, truth, moving, shave);
          acc.bicubicMovingSe += maskedSquaredError(base, truth, moving, shave);
        }),
      );
    }
  }
  const n = Math.max(1, acc.n);
  return {
    frames: acc.n,
    psnrY: acc.psnr / n,
    ssimY: acc.ssim / n,
    bicubicPsnrY: acc.bicubicPsnr / n,
    bicubicSsimY: acc.bicubicSsim / n,
    psnrGainY: (acc.psnr - acc.bicubicPsnr) / n,
    movingShare: acc.moving / Math.max(1, acc.pixels),
    ...(acc.moving > 0 && {
      movingPsnrY: 10 * Math.log10((255 * 255 * acc.moving) / Math.max(1e-10, acc.movingSe)),
      bicubicMovingPsnrY: 10 * Math.log10((255 * 255 * acc.moving) / Math.max(1e-10, acc.bicubicMovingSe)),
    }),
  };
}

const OPTIONS = {
  photos: opt.string(
    'still photos panned into training windows beside the videos (half the windows): a folder, "debian-photos" (default: scikit-image\'s and opencv-doc\'s photos, held-out scenes left out) or "none"',
    { phases: ["train"] },
  ),
  degradation: opt.choice(
    DEGRADATIONS,
    `how the low-resolution inputs are made: bicubic (an antialiased bicubic downscale, as image-to-image makes them) or blur (Gaussian σ = ${BLUR_PER_SCALE} × scale then every scale-th pixel, the "BD" protocol of the video literature, which keeps the aliasing that neighbouring frames can undo); default bicubic`,
    { phases: ["train"] },
  ),
  frames: opt.int("frames in a window model's window, odd (default 3)", { phases: ["train"] }),
};

/** The training photos of `photos` ("none": none), as uint8 [3, H, W] tensors. */
async function trainingPhotos(photos: string, window: number): Promise<Tensor[]> {
  if (photos === "none") return [];
  const { train } = splitPhotos(await listPhotos(photos));
  return (await loadPhotos(train, { minSide: panMargin(window, panOptions()) })).map((p) => p.pixels);
}

async function train(o: TrainInput & { photos?: string; degradation?: Degradation; frames?: number }): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const arch = o.model ?? "window-x4";
  const hyper = hyperOf(arch, o.degradation, o.frames);
  const split = videoSplit(o.data, TASK);
  const videos = await loadFootage(split.train, { window: hyper.window, patch: PATCH, task: TASK });
  const photos = await trainingPhotos(o.photos ?? "debian-photos", hyper.window);
  const model = buildModel(hyper);
  // 20: at 10 epochs both models are +0.2 dB behind where they are at 20 (+0.90 / +0.97 dB).
  const epochs = o.epochs ?? 20;
  const batch = o.batchSize ?? 16;
  const peakLr = o.lr ?? 1e-3;
  const steps = sampledSteps(o.limit, batch, STEPS_PER_EPOCH);
  const frames = videos.reduce((s, v) => s + v.frames.shape[0]!, 0);
  log(
    `${TASK}: ${plural(videos.length, "training video")} (${frames} frames; ${split.test.length} held out) and ${plural(photos.length, "photo")}, ${arch}, ${plural(epochs, "epoch")} × ${steps} steps of ${batch} ${PATCH}px windows of ${plural(hyper.window, "frame")}, lr ${peakLr}`,
  );
  const optimizer = new Adam(model.parameters(), { lr: peakLr });
  const trainer = new Trainer<Pair>({
    name: TASK,
    model,
    optimizer,
    step: ({ input, target }) => srLoss(model, input, target),
    progress: o.progress,
    callbacks: [new WarmupCosineLR(optimizer, peakLr, epochs * steps, 0)],
  });
  let history: TaskTrainResult["history"];
  try {
    history = await trainer.fit(windowBatches(videos, photos, hyper, batch, steps, new Random(seed)), { epochs });
  } finally {
    for (const v of videos) v.frames.dispose();
    for (const p of photos) p.dispose();
  }
  model.eval();
  const held = await loadFootage(split.test, { window: hyper.window, patch: PATCH, task: TASK });
  const metrics = score(model, hyper, held);
  for (const v of held) v.frames.dispose();
  await saveModelDir<VideoSRHyper, never>(
    o.out,
    {
      task: TASK,
      architecture: arch,
      hyper,
      metrics: {
        heldOut: metrics,
        epochs,
        batchSize: batch,
        lr: peakLr,
        seed,
        trainVideos: split.train,
        heldOutVideos: split.test,
        photos: o.photos ?? "debian-photos",
      },
    },
    model.stateDict(),
  );
  model.dispose();
  return { dir: o.out, metrics, history };
}

async function loadModel(dir: string): Promise<{ model: WindowSR; hyper: VideoSRHyper; arch: string }> {
  const { config, weights } = await loadModelDir<VideoSRHyper, never>(dir, TASK);
  try {
    const model = buildModel(config.hyper);
    model.loadStateDict(weights);
    model.eval();
    return { model, hyper: config.hyper, arch: config.architecture };
  } finally {
    for (const t of weights.values()) t.dispose();
  }
}

async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  const { model, hyper, arch } = await loadModel(dir);
  try {
    const { test } = videoSplit(data, TASK);
    const held = await loadFootage(test, { window: hyper.window, patch: PATCH, task: TASK });
    try {
      return {
        model: arch,
        metric: `PSNR/SSIM on BT.601 luma of ${EVAL_WINDOWS} frames per held-out video, border shaved, vs per-frame bicubic; movingPsnrY pooled over the pixels a neighbour differs at by more than ${MOTION_THRESHOLD} grey levels`,
        videos: test,
        ...score(model, hyper, held, o.limit ?? EVAL_WINDOWS),
      };
    } finally {
      for (const v of held) v.frames.dispose();
    }
  } finally {
    model.dispose();
  }
}

export interface UpscaledVideo {
  input: string;
  output: string;
  frames: number;
  width: number;
  height: number;
}

/** Output frames larger than this are refused (4K). */
const MAX_OUTPUT_PIXELS = 3840 * 2160;

async function load(dir: string): Promise<Predictor<UpscaledVideo>> {
  const { model, hyper } = await loadModel(dir);
  const outDir = join(dir, "predictions");
  return {
    task: TASK,
    async predict(inputs) {
      mkdirSync(outDir, { recursive: true });
      const out: UpscaledVideo[] = [];
      for (const file of inputs) {
        const info = await probeVideo(file);
        const [width, height] = [info.width * hyper.scale, info.height * hyper.scale];
        if (width * height > MAX_OUTPUT_PIXELS)
          throw new FlambeauError(
            "E_ARG",
            `${TASK}: ${file} is ${info.width}×${info.height}; ×${hyper.scale} would make ${width}×${height} frames, above 3840×2160`,
          );
        const output = join(outDir, `${basename(file, extname(file))}-x${hyper.scale}.mp4`);
        const fps = Number.isFinite(info.fps) && info.fps > 0 ? info.fps : 25;
        const { frames } = await writeVideo(output, upscaleFrames(model, readVideoFrames(file, { chunk: 8 })), { fps });
        out.push({ input: file, output, frames, width, height });
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}

const formatPrediction = (r: UpscaledVideo): string => `wrote ${r.output} (${r.frames} frames of ${r.width}×${r.height})`;

/** Side of the demo's crops (full resolution). */
const DEMO_CROP = 96;

/** Crops of three held-out frames: the low-resolution input, bicubic, the model and the truth, with PSNR. */
async function demoCrops(model: WindowSR, h: VideoSRHyper, v: Footage): Promise<string> {
  const T = v.frames.shape[0]!;
  const r = h.window >> 1;
  const [H, W] = [v.frames.shape[2]!, v.frames.shape[3]!];
  const side = Math.min(DEMO_CROP, H, W);
  const rows: { image: Uint8Array; caption: string }[][] = [];
  for (const t of [Math.floor(T / 4), Math.floor(T / 2), Math.floor((3 * T) / 4)]) {
    const row = noGrad(() =>
      tidy(() => {
        // A crop where people walk: the middle of the frame, a little below the centre.
        const hr = windowAt(v.frames, t, h.window)
          .narrow(2, Math.min(H - side, Math.floor(H * 0.45)), side)
          .narrow(3, (W - side) >> 1, side)
          .float()
          .div(255)
          .unsqueeze(0);
        const lr = degradeWindows(hr, h);
        const truth = hr.select(1, r);
        const out = model.forward(lr).clamp(0, 1);
        const base = baseline(lr.select(1, r), jobOf(h));
        const shown = resize(lr.select(1, r), [side, side], { interpolation: "nearest" });
        const db = (x: Tensor) => psnr(x, truth, { shave: h.scale })[0]!.toFixed(2);
        const png = (x: Tensor) => x.squeeze(0).clamp(0, 1).mul(255).round().to("uint8").contiguous().data() as Uint8Array;
        return [
          { image: png(shown), caption: `frame ${t}: input (1/${h.scale}, nearest)` },
          { image: png(base), caption: `bicubic ${db(base)} dB` },
          { image: png(out), caption: `model ${db(out)} dB` },
          { image: png(truth), caption: "original" },
        ];
      }),
    );
    rows.push(row);
  }
  return sceneFiguresHtml(`Held-out ${basename(v.path)}, ×${h.scale} (PSNR on luma)`, rows, side);
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const data = "opencv-videos";
  const epochs = o.full ? 30 : 2;
  const r = await train({ data, out: o.out, seed: 0, epochs, progress: o.progress, log: o.log ?? (() => {}) });
  const m = r.metrics as Record<string, number>;
  const { model, hyper } = await loadModel(o.out);
  let extraHtml: string;
  try {
    const [held] = await loadFootage(videoSplit(data, TASK).test.slice(0, 1), { window: hyper.window, patch: PATCH, task: TASK });
    try {
      extraHtml = await demoCrops(model, hyper, held!);
    } finally {
      held!.frames.dispose();
    }
  } finally {
    model.dispose();
  }
  return {
    task: TASK,
    dataset: "opencv-doc's videos: Megamind.avi and tree.avi for training, vtest.avi held out",
    commands: [`flambeau train ${TASK} --data ${data} --epochs ${epochs} --out ${o.out}`, `flambeau eval ${o.out} --data ${data} --json`],
    metrics: {
      psnrY: m.psnrY!,
      bicubicPsnrY: m.bicubicPsnrY!,
      psnrGainY: m.psnrGainY!,
      ssimY: m.ssimY!,
      bicubicSsimY: m.bicubicSsimY!,
      ...(m.movingPsnrY !== undefined && { movingPsnrY: m.movingPsnrY, bicubicMovingPsnrY: m.bicubicMovingPsnrY! }),
    },
    history: r.history.epochs.map((e) => ({ loss: e.loss! })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml,
  };
}

export const videoSuperResolution = defineTask({
  name: TASK,
  description:
    "video super-resolution ×2/×4 (a sliding window of 3 low-resolution frames → the middle one at full resolution; PSNR/SSIM on luma vs per-frame bicubic and the single-image model)",
  dataFormat:
    "`opencv-videos` (opencv-doc's Megamind.avi and tree.avi for training, vtest.avi held out) or a folder with train/ and test/ subfolders of videos (.mp4 .avi .webm …, decoded by ffmpeg); frames are area-downscaled to a longer side ≤ 384 px (the truth) and at most 300 are read per video; an epoch is 100 batches of random 64 px windows (--limit caps its windows)",
  models: [...MODELS],
  defaultModel: "window-x4",
  options: OPTIONS,
  baseline: "per-frame bicubic upscaling; single-x2/single-x4: the same network seeing one frame (single-image super-resolution)",
  train,
  evaluate,
  load,
  formatPrediction,
  demo,
});
