// frame-interpolation: the frame halfway between two others, by a small IFNet-style network
// (bidirectional flows + blending mask, backward warping with gridSample), trained either on
// Moving-MNIST triplets generated on the fly (frames t and t+2 in, frame t+1 the target) or on
// real footage: random crops of consecutive frames of some videos (opencv-doc's Megamind.avi and
// tree.avi, or a folder's train/), scored on whole frames of others (vtest.avi, or test/).
// Scored by PSNR/SSIM against linear blending, the baseline a flow model must beat (a blend
// ghosts every moving edge). predict doubles the frame rate of a clip or, for a footage model,
// of a video file (streamed); interpolateFrames is the seam a video decoder/encoder plugs into.
import { mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { cat, manualSeed, noGrad, stack, type Tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { Adam } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { opt, sampledSteps } from "../../tasks/options.js";
import { type DemoOptions, type DemoSection, defineTask, type Predictor, type TaskTrainResult, type TrainInput } from "../../tasks/task.js";
import { WarmupCosineLR } from "../../train/callbacks.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { writeImage } from "../../vision/image-io.js";
import { psnr, ssim } from "../../vision/quality.js";
import { type Footage, footageWindow, loadFootage, videoSplit } from "../data/footage.js";
import { type MovingMnist, movingMnist } from "../data/moving-mnist.js";
import { probeVideo } from "../io/probe.js";
import { readVideoFrames } from "../io/read.js";
import { writeVideo } from "../io/write.js";
import { FlowInterpolator, type FlowInterpolatorHyper } from "../prediction/flow-interpolator.js";
import { frameStrip, readFrameStrip } from "../prediction/frame-strip.js";
import { doubleFrameRate } from "../retime.js";

const TASK = "frame-interpolation";
const DATA = "moving-mnist";
const STEPS_PER_EPOCH = 100;
/** Seed of the held-out triplets (fixed: every model and run is scored on the same ones). */
export const TEST_SEED = 20_180_618;
const MODELS = ["ifnet-small", "ifnet-tiny"] as const;
/** Side of the training crops of real footage. */
const PATCH = 96;
/** Held-out triplets per video, spread evenly over its frames. */
const FOOTAGE_TRIPLETS = 24;

/** The model for grey Moving-MNIST frames (1 channel) or colour footage (3). */
function modelHyper(name: string, channels: number): FlowInterpolatorHyper {
  return name === "ifnet-tiny" ? { channels, width: 8, blocks: 1 } : { channels, width: 16, blocks: 3 };
}

interface SavedHyper extends FlowInterpolatorHyper {
  /** Real footage: frames t and t + 2·gap in, t + gap the target (absent: Moving MNIST). */
  gap?: number;
}

const options = {
  testTriplets: opt.int("held-out triplets scored (default 500 Moving-MNIST triplets; footage: 24 per held-out video)", {
    phases: ["train", "eval"],
  }),
  gap: opt.int("footage: frames from each input to the target (default 1: frames t and t+2 in, t+1 out)", { phases: ["train"] }),
};

/** Moving MNIST, or the training and held-out videos of `opencv-videos` / a folder with train/ and test/. */
const isFootage = (data: string) => data !== DATA;

const triplets = (split: "train" | "test", seed: number) => movingMnist(split, seed, { frames: 3 });

/** `steps` batches of fresh triplets [N, 3, 1, 64, 64]; epoch e reads triplets from e·steps·batch on. */
function tripletBatches(src: MovingMnist, batch: number, steps: number) {
  let epoch = 0;
  async function* run(): AsyncGenerator<Tensor> {
    const base = epoch++ * steps * batch;
    for (let s = 0; s < steps; s++) yield src.batch(base + s * batch, batch);
  }
  return { length: steps, [Symbol.asyncIterator]: () => run()[Symbol.asyncIterator]() };
}

/** Running sums of PSNR/SSIM (on [0, 255] intensities) of the model's and of the blend's middle frames. */
class TripletScores {
  private acc = { psnr: 0, ssim: 0, blendPsnr: 0, blendSsim: 0, n: 0 };
  /** Triplets [N, 3, C, H, W] in [0, 1]: frames 0 and 2 in, 1 the truth. */
  add(model: FlowInterpolator, t: Tensor): void {
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    noGrad(() =>
      tidy(() => {
        const [f0, mid, f1] = [t.select(1, 0), t.select(1, 1), t.select(1, 2)];
        const out = model.forward(f0, f1).clamp(0, 1);
        const blend = f0.add(f1).div(2);
        this.acc.psnr += sum(psnr(out, mid, { space: "rgb" }));
        this.acc.ssim += sum(ssim(out, mid, { space: "rgb" }));
        this.acc.blendPsnr += sum(psnr(blend, mid, { space: "rgb" }));
        this.acc.blendSsim += sum(ssim(blend, mid, { space: "rgb" }));
        this.acc.n += t.shape[0]!;
      }),
    );
  }
  result(): Record<string, number> {
    const { n } = this.acc;
    return {
      triplets: n,
      psnr: this.acc.psnr / n,
      ssim: this.acc.ssim / n,
      blendPsnr: this.acc.blendPsnr / n,
      blendSsim: this.acc.blendSsim / n,
      psnrGain: (this.acc.psnr - this.acc.blendPsnr) / n,
    };
  }
}

/** Scores on `count` held-out Moving-MNIST triplets. */
async function scoreMnist(model: FlowInterpolator, count: number): Promise<Record<string, number>> {
  const test = await triplets("test", TEST_SEED);
  const acc = new TripletScores();
  for (let start = 0; start < count; start += 100) {
    const t = test.batch(start, Math.min(100, count - start));
    acc.add(model, t);
    t.dispose();
  }
  return acc.result();
}

/** Scores on `perVideo` whole-frame triplets (t, t + gap, t + 2·gap) spread evenly over each held-out video. */
function scoreFootage(model: FlowInterpolator, videos: readonly Footage[], gap: number, perVideo: number): Record<string, number> {
  const acc = new TripletScores();
  for (const v of videos) {
    const last = v.frames.shape[0]! - 2 * gap - 1;
    for (let i = 0; i < perVideo; i++) {
      const t0 = Math.round((i * last) / Math.max(1, perVideo - 1));
      const t = tidy(() =>
        v.frames
          .slice(0, t0, t0 + 2 * gap + 1, gap)
          .float()
          .div(255)
          .unsqueeze(0),
      );
      acc.add(model, t);
      t.dispose();
    }
  }
  return acc.result();
}

/** `steps` batches of random footage triplets [N, 3, 3, P, P] in [0, 1] (frames `gap` apart, augmented). */
function footageBatches(videos: readonly Footage[], gap: number, batch: number, steps: number, rng: Random) {
  async function* run(): AsyncGenerator<Tensor> {
    for (let s = 0; s < steps; s++)
      yield tidy(() =>
        stack(Array.from({ length: batch }, () => footageWindow(videos, 3, PATCH, rng, gap)))
          .float()
          .div(255),
      );
  }
  return { length: steps, [Symbol.asyncIterator]: () => run()[Symbol.asyncIterator]() };
}

const footageOf = (data: string, which: "train" | "test", gap: number) =>
  loadFootage(videoSplit(data, TASK, `"${DATA}"`)[which], { window: 2 * gap + 1, patch: PATCH, task: TASK });

const disposeFootage = (videos: readonly Footage[]) => {
  for (const v of videos) v.frames.dispose();
};

async function train(o: TrainInput & { testTriplets?: number; gap?: number }): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const footage = isFootage(o.data);
  const gap = o.gap ?? 1;
  if (!Number.isSafeInteger(gap) || gap < 1 || gap > 8)
    throw new FlambeauError("E_ARG", `${TASK}: --gap must be an integer in [1, 8], got ${gap}`);
  const arch = o.model ?? "ifnet-small";
  if (!(MODELS as readonly string[]).includes(arch))
    throw new FlambeauError("E_ARG", `${TASK}: unknown model "${arch}"; models: ${MODELS.join(", ")}`);
  const hyper: SavedHyper = { ...modelHyper(arch, footage ? 3 : 1), ...(footage ? { gap } : {}) };
  const model = new FlowInterpolator(hyper);
  // Footage: 6,000 steps. At 1,000 the network had not left linear blending (+0.00 dB on vtest.avi); at 6,000 it is +1.39 dB.
  const epochs = o.epochs ?? (footage ? 60 : 10);
  const batch = o.batchSize ?? (footage ? 16 : 32);
  const peakLr = o.lr ?? 1e-3;
  const steps = sampledSteps(o.limit, batch, STEPS_PER_EPOCH);
  const videos = footage ? await footageOf(o.data, "train", gap) : [];
  const source = footage
    ? `${PATCH} px crops of ${videos.map((v) => basename(v.path)).join(" + ")} (frames t, t+${gap}, t+${2 * gap})`
    : "Moving-MNIST triplets";
  log(`${TASK}: ${source}, ${arch}, ${plural(epochs, "epoch")} × ${steps} batches of ${batch}, lr ${peakLr}`);
  const optimizer = new Adam(model.parameters(), { lr: peakLr });
  const trainer = new Trainer<Tensor>({
    name: TASK,
    model,
    optimizer,
    // L1 on the middle frame (IFNet's and Super-SloMo's reconstruction loss).
    step: (t) => model.forward(t.select(1, 0), t.select(1, 2)).sub(t.select(1, 1)).abs().mean(),
    progress: o.progress,
    callbacks: [new WarmupCosineLR(optimizer, peakLr, epochs * steps, Math.min(50, steps))],
  });
  const batches = footage
    ? footageBatches(videos, gap, batch, steps, new Random(seed, 53))
    : tripletBatches(await triplets("train", seed), batch, steps);
  const history = await trainer.fit(batches, { epochs });
  disposeFootage(videos);
  model.eval();
  const metrics = await score(model, hyper, o.data, o.testTriplets);
  await saveModelDir<SavedHyper, never>(
    o.out,
    { task: TASK, architecture: arch, hyper, metrics: { heldOut: metrics, epochs, batchSize: batch, lr: peakLr, seed, steps, source } },
    model.stateDict(),
  );
  model.dispose();
  return { dir: o.out, metrics, history };
}

/** The held-out scores of a model on its kind of data. */
async function score(model: FlowInterpolator, h: SavedHyper, data: string, count?: number): Promise<Record<string, number>> {
  if (h.gap === undefined) return scoreMnist(model, count ?? 500);
  const held = await footageOf(data, "test", h.gap);
  try {
    return scoreFootage(model, held, h.gap, count ?? FOOTAGE_TRIPLETS);
  } finally {
    disposeFootage(held);
  }
}

async function loadModel(dir: string): Promise<{ model: FlowInterpolator; arch: string; hyper: SavedHyper }> {
  const { config, weights } = await loadModelDir<SavedHyper, never>(dir, TASK);
  const model = new FlowInterpolator(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, arch: config.architecture, hyper: config.hyper };
}

async function evaluate(dir: string, data: string, o: { limit?: number; testTriplets?: number }): Promise<Record<string, unknown>> {
  const { model, arch, hyper } = await loadModel(dir);
  try {
    if ((hyper.gap !== undefined) !== isFootage(data))
      throw new FlambeauError(
        "E_ARG",
        `${TASK}: the model was trained on ${hyper.gap === undefined ? `"${DATA}"` : "real footage"}; --data ${data} is ${isFootage(data) ? "footage" : DATA}`,
      );
    const m = await score(model, hyper, data, o.limit ?? o.testTriplets);
    const held =
      hyper.gap === undefined ? "held-out digits" : `whole frames of the held-out videos (t, t+${hyper.gap}, t+${2 * hyper.gap})`;
    return { model: arch, metric: `PSNR/SSIM of the middle frame on [0, 255], ${held}, vs linear blending`, ...m };
  } finally {
    model.dispose();
  }
}

/** The seam for video I/O: frames [T, C, H, W] in [0, 1] → [2T − 1, C, H, W] with a synthesised frame between each pair. */
export function interpolateFrames(model: FlowInterpolator, frames: Tensor): Tensor {
  if (frames.ndim !== 4 || frames.shape[0]! < 2)
    throw new FlambeauError("E_ARG", `${TASK}: expects frames [T ≥ 2, C, H, W], got [${frames.shape.join(", ")}]`);
  return noGrad(() =>
    tidy(() => {
      const t = frames.shape[0]!;
      const mids = model.forward(frames.narrow(0, 0, t - 1), frames.narrow(0, 1, t - 1)).clamp(0, 1);
      // Interleave: f0, m0, f1, m1, …, f(T−1).
      const pairs = stack([frames.narrow(0, 0, t - 1), mids], 1).reshape([2 * (t - 1), ...frames.shape.slice(1)]);
      return cat([pairs, frames.narrow(0, t - 1, 1)], 0);
    }),
  );
}

export interface InterpolatedClip {
  input: string;
  output: string;
  frames: number;
}

/**
 * A Moving-MNIST model reads "moving-mnist:<i>" (held-out triplet i: ends in, middle truth shown)
 * or a PNG strip of square grey frames, and writes a PNG strip; a footage model reads video
 * files and writes each at twice its frame rate as an MP4 (streamed).
 */
async function load(dir: string): Promise<Predictor<InterpolatedClip>> {
  const { model, hyper } = await loadModel(dir);
  const outDir = join(dir, "predictions");
  return {
    task: TASK,
    async predict(inputs) {
      mkdirSync(outDir, { recursive: true });
      const out: InterpolatedClip[] = [];
      for (const input of inputs) {
        if (hyper.gap !== undefined) {
          out.push(await retimeVideo(model, input, outDir));
          continue;
        }
        const m = /^moving-mnist:(\d+)$/.exec(input);
        let rows: Tensor[];
        let name: string;
        if (m) {
          const t = (await triplets("test", TEST_SEED)).batch(Number(m[1]), 1).squeeze(0);
          rows = [interpolateFrames(model, stack([t.select(0, 0), t.select(0, 2)])), t];
          name = `moving-mnist-${m[1]}`;
        } else {
          rows = [interpolateFrames(model, await readFrameStrip(input))];
          name = basename(input, extname(input));
        }
        const path = join(outDir, `${name}-interpolated.png`);
        await writeImage(
          path,
          tidy(() => frameStrip(rows)),
        );
        out.push({ input, output: path, frames: rows[0]!.shape[0]! });
        for (const r of rows) r.dispose();
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}

/** A video file at twice its frame rate (sides cut to multiples of 4) as <name>-2x.mp4. */
async function retimeVideo(model: FlowInterpolator, file: string, outDir: string): Promise<InterpolatedClip> {
  const info = await probeVideo(file);
  const size: [number, number] = [Math.floor(info.height / 4) * 4, Math.floor(info.width / 4) * 4];
  if (size[0] < 4 || size[1] < 4)
    throw new FlambeauError("E_ARG", `${TASK}: ${file} is ${info.width}×${info.height}; frames need sides of at least 4 px`);
  const fps = Number.isFinite(info.fps) && info.fps > 0 ? info.fps : 25;
  const output = join(outDir, `${basename(file, extname(file))}-2x.mp4`);
  const { frames } = await writeVideo(output, doubleFrameRate(model, readVideoFrames(file, { chunk: 8, size })), { fps: 2 * fps });
  return { input: file, output, frames };
}

const formatPrediction = (p: InterpolatedClip): string => `wrote ${p.output} (${p.frames} frames)`;

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const epochs = o.full ? 10 : 1;
  const r = await train({ data: DATA, out: o.out, seed: 0, epochs, progress: o.progress, log: o.log ?? (() => {}) });
  const m = r.metrics as Record<string, number>;
  return {
    task: TASK,
    dataset: "Moving-MNIST triplets (frames t, t+2 → t+1; held-out digits)",
    commands: [`flambeau train ${TASK} --data ${DATA} --epochs ${epochs} --out ${o.out}`, `flambeau eval ${o.out} --data ${DATA} --json`],
    metrics: { psnr: m.psnr!, blendPsnr: m.blendPsnr!, ssim: m.ssim!, blendSsim: m.blendSsim! },
    history: r.history.epochs.map((e) => ({ loss: e.loss! })),
    seconds: (performance.now() - t0) / 1000,
  };
}

export const frameInterpolation = defineTask({
  name: TASK,
  description: "middle-frame synthesis (IFNet-style bidirectional flows + mask, backward warping; PSNR/SSIM vs linear blending)",
  dataFormat:
    "`moving-mnist` (generated triplets: frames t and t+2 of two bouncing opencv-doc digits in 64×64, t+1 the target; test digits held out; an epoch is 100 batches, --limit caps its triplets), or real footage: `opencv-videos` (train: Megamind.avi + tree.avi; test: vtest.avi, whole frames) or a folder with train/ and test/ subfolders of videos (96 px crops of frames t, t+gap, t+2·gap; --gap). predict reads `moving-mnist:<i>` or a PNG strip of square grey frames (Moving-MNIST models), or video files, written at twice their frame rate as MP4 (footage models)",
  models: [...MODELS],
  defaultModel: "ifnet-small",
  options,
  baseline: "linear blending of the two frames",
  train,
  evaluate,
  load,
  formatPrediction,
  demo,
});
