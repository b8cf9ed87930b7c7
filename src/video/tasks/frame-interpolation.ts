// frame-interpolation: the frame halfway between two others, by a small IFNet-style network
// (bidirectional flows + blending mask, backward warping with gridSample), trained on
// Moving-MNIST triplets generated on the fly: frames t and t+2 in, frame t+1 the target.
// Scored by PSNR/SSIM on fixed triplets of held-out digits against linear blending, the
// baseline a flow model must beat (a blend ghosts every moving edge). predict doubles the
// frame rate of a clip; interpolateFrames is the seam a video decoder/encoder plugs into.
import { mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { cat, manualSeed, noGrad, stack, type Tensor, tidy } from "../../core/index.js";
import { Adam } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { opt, sampledSteps } from "../../tasks/options.js";
import { type DemoOptions, type DemoSection, defineTask, type Predictor, type TaskTrainResult, type TrainInput } from "../../tasks/task.js";
import { WarmupCosineLR } from "../../train/callbacks.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { writeImage } from "../../vision/image-io.js";
import { psnr, ssim } from "../../vision/quality.js";
import { type MovingMnist, movingMnist } from "../data/moving-mnist.js";
import { FlowInterpolator, type FlowInterpolatorHyper } from "../prediction/flow-interpolator.js";
import { frameStrip, readFrameStrip } from "../prediction/frame-strip.js";

const TASK = "frame-interpolation";
const DATA = "moving-mnist";
const STEPS_PER_EPOCH = 100;
/** Seed of the held-out triplets (fixed: every model and run is scored on the same ones). */
export const TEST_SEED = 20_180_618;
const MODELS = ["ifnet-small", "ifnet-tiny"] as const;

function modelHyper(name: string): FlowInterpolatorHyper {
  return name === "ifnet-tiny" ? { channels: 1, width: 8, blocks: 1 } : { channels: 1, width: 16, blocks: 3 };
}

const options = {
  testTriplets: opt.int("held-out triplets scored (default 500)", { phases: ["train", "eval"], default: 500 }),
};

function checkData(data: string): void {
  if (data !== DATA) throw new FlambeauError("E_ARG", `${TASK}: --data must be "${DATA}" (generated sequences), got "${data}"`);
}

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

/** Mean PSNR/SSIM (dB on [0, 255] intensities) of the model's and of the blend's middle frames on `count` held-out triplets. */
async function score(model: FlowInterpolator, count: number): Promise<Record<string, number>> {
  const test = await triplets("test", TEST_SEED);
  const acc = { psnr: 0, ssim: 0, blendPsnr: 0, blendSsim: 0 };
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  for (let start = 0; start < count; start += 100)
    noGrad(() =>
      tidy(() => {
        const t = test.batch(start, Math.min(100, count - start));
        const [f0, mid, f1] = [t.select(1, 0), t.select(1, 1), t.select(1, 2)];
        const out = model.forward(f0, f1).clamp(0, 1);
        const blend = f0.add(f1).div(2);
        acc.psnr += sum(psnr(out, mid, { space: "rgb" }));
        acc.ssim += sum(ssim(out, mid, { space: "rgb" }));
        acc.blendPsnr += sum(psnr(blend, mid, { space: "rgb" }));
        acc.blendSsim += sum(ssim(blend, mid, { space: "rgb" }));
      }),
    );
  return {
    triplets: count,
    psnr: acc.psnr / count,
    ssim: acc.ssim / count,
    blendPsnr: acc.blendPsnr / count,
    blendSsim: acc.blendSsim / count,
    psnrGain: (acc.psnr - acc.blendPsnr) / count,
  };
}

async function train(o: TrainInput & { testTriplets?: number }): Promise<TaskTrainResult> {
  const { seed, log } = o;
  checkData(o.data);
  manualSeed(seed);
  const arch = o.model ?? "ifnet-small";
  const hyper = modelHyper(arch);
  const src = await triplets("train", seed);
  const model = new FlowInterpolator(hyper);
  const epochs = o.epochs ?? 10;
  const batch = o.batchSize ?? 32;
  const peakLr = o.lr ?? 1e-3;
  const steps = sampledSteps(o.limit, batch, STEPS_PER_EPOCH);
  log(`${TASK}: Moving-MNIST triplets, ${arch}, ${plural(epochs, "epoch")} × ${steps} batches of ${batch}, lr ${peakLr}`);
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
  const history = await trainer.fit(tripletBatches(src, batch, steps), { epochs });
  model.eval();
  const metrics = await score(model, o.testTriplets ?? 500);
  await saveModelDir<FlowInterpolatorHyper, never>(
    o.out,
    { task: TASK, architecture: arch, hyper, metrics: { heldOut: metrics, epochs, batchSize: batch, lr: peakLr, seed, steps } },
    model.stateDict(),
  );
  model.dispose();
  return { dir: o.out, metrics, history };
}

async function loadModel(dir: string): Promise<{ model: FlowInterpolator; arch: string }> {
  const { config, weights } = await loadModelDir<FlowInterpolatorHyper, never>(dir, TASK);
  const model = new FlowInterpolator(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, arch: config.architecture };
}

async function evaluate(dir: string, data: string, o: { limit?: number; testTriplets?: number }): Promise<Record<string, unknown>> {
  checkData(data);
  const { model, arch } = await loadModel(dir);
  const m = await score(model, o.limit ?? o.testTriplets ?? 500);
  model.dispose();
  return { model: arch, metric: "PSNR/SSIM of the middle frame on [0, 255], held-out digits, vs linear blending", ...m };
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

/** "moving-mnist:<i>": held-out triplet i (ends in, middle truth shown); else a PNG strip of square frames. */
async function load(dir: string): Promise<Predictor<InterpolatedClip>> {
  const { model } = await loadModel(dir);
  const outDir = join(dir, "predictions");
  return {
    task: TASK,
    async predict(inputs) {
      mkdirSync(outDir, { recursive: true });
      const out: InterpolatedClip[] = [];
      for (const input of inputs) {
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
    "`moving-mnist` (generated triplets: frames t and t+2 of two bouncing opencv-doc digits in 64×64, t+1 the target; test digits held out); an epoch is 100 batches (--limit caps its triplets); predict reads `moving-mnist:<i>` or a PNG strip of square gray frames (sides multiples of 4)",
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
