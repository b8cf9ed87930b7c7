// video-prediction: the next frames of a clip from its first ones, on Moving MNIST
// (Srivastava et al. 2015: two digits bouncing in 64×64, 10 frames in → 10 predicted), with
// a ConvLSTM encoder–forecaster (Shi et al. 2015) or PredRNN (Wang et al. 2017). Training sequences are generated on the
// fly from the training digits; the score is on 200 fixed sequences of held-out digits (--test-sequences):
// per-frame MSE (sum over a frame's pixels, the literature's scale: ConvLSTM ≈ 103,
// PredRNN 56.8) and SSIM, beside copying the last frame and the mean input frame.
// predict writes input | prediction (| truth) as a PNG strip; predictFrames is the seam a
// video encoder (GIF/MP4) plugs into.
import { mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tidy } from "../../core/index.js";
import { binaryCrossEntropyWithLogits } from "../../core/ops/loss.js";
import { Adam } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import { opt, sampledSteps } from "../../tasks/options.js";
import { type DemoOptions, type DemoSection, defineTask, type Predictor, type TaskTrainResult, type TrainInput } from "../../tasks/task.js";
import { WarmupCosineLR } from "../../train/callbacks.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { writeImage } from "../../vision/image-io.js";
import { ssimLoss } from "../../vision/quality.js";
import { type MovingMnist, movingMnist } from "../data/moving-mnist.js";
import { ConvLstmForecaster, type ConvLstmHyper } from "../prediction/encoder-forecaster.js";
import { frameStrip, readFrameStrip } from "../prediction/frame-strip.js";
import { copyLastFrame, FrameScores, meanInputFrame } from "../prediction/metrics.js";
import { PredRnn } from "../prediction/predrnn.js";

const TASK = "video-prediction";
const DATA = "moving-mnist";
const SIZE = 64;
const STEPS_PER_EPOCH = 100;
/** Seed of the held-out sequences (fixed: every model and run is scored on the same ones). */
export const TEST_SEED = 20_151_231;
const MODELS = ["convlstm", "convlstm-small", "predrnn", "predrnn-small"] as const;
/** The default weight of the SSIM term in the training loss. */
const SSIM_WEIGHT = 1;

/**
 * Shi et al.'s 2-layer ConvLSTM at 64 channels, 5×5 kernels and peepholes, and PredRNN at the
 * same size; the -small ones (8 px patches, 32 channels, 3×3) cost ~10× less.
 */
function modelHyper(name: string): { family: Family; model: ConvLstmHyper } {
  const small = name.endsWith("-small");
  const family: Family = name.startsWith("predrnn") ? "predrnn" : "convlstm";
  const model = small
    ? { channels: 1, size: SIZE, patch: 8, hidden: [32, 32], kernel: 3, peephole: false }
    : { channels: 1, size: SIZE, patch: 4, hidden: [64, 64], kernel: 5, peephole: family === "convlstm" };
  return { family, model };
}

type Family = "convlstm" | "predrnn";
type VideoPredictor = ConvLstmForecaster | PredRnn;
const build = (h: SavedHyper): VideoPredictor => (h.family === "predrnn" ? new PredRnn(h.model) : new ConvLstmForecaster(h.model));

interface SavedHyper {
  /** Absent in the first saved models: convlstm. */
  family?: Family;
  model: ConvLstmHyper;
  inputFrames: number;
  futureFrames: number;
}

const options = {
  inputFrames: opt.int("frames the model reads (default 10)", { phases: ["train"], default: 10 }),
  futureFrames: opt.int("frames it predicts (default 10)", { phases: ["train"], default: 10 }),
  testSequences: opt.int("held-out sequences scored (default 200)", { phases: ["train", "eval"], default: 200 }),
  ssimWeight: opt.number("weight of the 1 − SSIM term added to the pixel cross-entropy (0: cross-entropy alone)", {
    phases: ["train"],
    default: SSIM_WEIGHT,
  }),
};

function checkData(data: string): void {
  if (data !== DATA) throw new FlambeauError("E_ARG", `${TASK}: --data must be "${DATA}" (generated sequences), got "${data}"`);
}

/** `steps` batches of fresh sequences; epoch e reads sequences from e·steps·batch on. */
function sequenceBatches(src: MovingMnist, batch: number, steps: number) {
  let epoch = 0;
  async function* run(): AsyncGenerator<Tensor> {
    const base = epoch++ * steps * batch;
    for (let s = 0; s < steps; s++) yield src.batch(base + s * batch, batch);
  }
  return { length: steps, [Symbol.asyncIterator]: () => run()[Symbol.asyncIterator]() };
}

/** Per-frame MSE and SSIM of the model and both baselines on `count` held-out sequences. */
async function score(model: VideoPredictor, h: SavedHyper, count: number): Promise<Record<string, unknown>> {
  const test = await movingMnist("test", TEST_SEED, { frames: h.inputFrames + h.futureFrames, size: SIZE });
  const acc = { model: new FrameScores(h.futureFrames), last: new FrameScores(h.futureFrames), mean: new FrameScores(h.futureFrames) };
  const batch = 50;
  for (let start = 0; start < count; start += batch)
    noGrad(() =>
      tidy(() => {
        const clip = test.batch(start, Math.min(batch, count - start));
        const input = clip.narrow(1, 0, h.inputFrames);
        const truth = clip.narrow(1, h.inputFrames, h.futureFrames);
        acc.model.add(model.forward(input, h.futureFrames), truth);
        acc.last.add(copyLastFrame(input, h.futureFrames), truth);
        acc.mean.add(meanInputFrame(input, h.futureFrames), truth);
      }),
    );
  const [m, l, a] = [acc.model.result(), acc.last.result(), acc.mean.result()];
  return {
    sequences: count,
    frames: `${h.inputFrames}→${h.futureFrames}`,
    mse: m.mse,
    ssim: m.ssim,
    lastFrameMse: l.mse,
    lastFrameSsim: l.ssim,
    meanFrameMse: a.mse,
    meanFrameSsim: a.ssim,
    msePerFrame: m.msePerStep.map((v) => Math.round(v * 10) / 10),
  };
}

/**
 * The training loss: per-pixel cross-entropy on the near-binary digit pixels, as Shi et al.
 * train on Moving MNIST, plus `ssimWeight` × (1 − SSIM) of the predicted frames. Cross-entropy
 * alone rewards a grey blur wherever a digit's next position is uncertain (blurry frames beat
 * copying the last frame on MSE, not on SSIM); the SSIM term pays for edges and contrast.
 */
function predictionLoss(logits: Tensor, truth: Tensor, ssimWeight: number): Tensor {
  const ce = binaryCrossEntropyWithLogits(logits, truth);
  if (ssimWeight === 0) return ce;
  const [n, t, c, h, w] = truth.shape as [number, number, number, number, number];
  const frames = (x: Tensor) => x.reshape([n * t, c, h, w]);
  return ce.add(ssimLoss(frames(logits.sigmoid()), frames(truth)).mul(ssimWeight));
}

async function train(
  o: TrainInput & { inputFrames?: number; futureFrames?: number; testSequences?: number; ssimWeight?: number },
): Promise<TaskTrainResult> {
  const { seed, log } = o;
  checkData(o.data);
  manualSeed(seed);
  const arch = o.model ?? "convlstm";
  const h: SavedHyper = { ...modelHyper(arch), inputFrames: o.inputFrames ?? 10, futureFrames: o.futureFrames ?? 10 };
  const src = await movingMnist("train", seed, { frames: h.inputFrames + h.futureFrames, size: SIZE });
  const model = build(h);
  const epochs = o.epochs ?? 10;
  const batch = o.batchSize ?? 16;
  const peakLr = o.lr ?? 1e-3;
  const steps = sampledSteps(o.limit, batch, STEPS_PER_EPOCH);
  const ssimWeight = o.ssimWeight ?? SSIM_WEIGHT;
  if (!(ssimWeight >= 0)) throw new FlambeauError("E_ARG", `${TASK}: --ssim-weight must be ≥ 0, got ${ssimWeight}`, TASK);
  log(
    `${TASK}: Moving MNIST ${h.inputFrames}→${h.futureFrames} frames, ${arch}, ${plural(epochs, "epoch")} × ${steps} batches of ${batch} fresh sequences, lr ${peakLr}, loss cross-entropy + ${ssimWeight} × (1 − SSIM)`,
  );
  const optimizer = new Adam(model.parameters(), { lr: peakLr });
  const trainer = new Trainer<Tensor>({
    name: TASK,
    model,
    optimizer,
    step: (clip) =>
      predictionLoss(
        model.logits(clip.narrow(1, 0, h.inputFrames), h.futureFrames),
        clip.narrow(1, h.inputFrames, h.futureFrames),
        ssimWeight,
      ),
    progress: o.progress,
    gradClipNorm: 1,
    callbacks: [new WarmupCosineLR(optimizer, peakLr, epochs * steps, Math.min(50, steps))],
  });
  const history = await trainer.fit(sequenceBatches(src, batch, steps), { epochs });
  model.eval();
  const metrics = await score(model, h, o.testSequences ?? 200);
  await saveModelDir<SavedHyper, never>(
    o.out,
    {
      task: TASK,
      architecture: arch,
      hyper: h,
      metrics: { heldOut: metrics, epochs, batchSize: batch, lr: peakLr, seed, steps, ssimWeight },
    },
    model.stateDict(),
  );
  model.dispose();
  return { dir: o.out, metrics, history };
}

async function loadModel(dir: string): Promise<{ model: VideoPredictor; hyper: SavedHyper; arch: string }> {
  const { config, weights } = await loadModelDir<SavedHyper, never>(dir, TASK);
  const model = build(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, hyper: config.hyper, arch: config.architecture };
}

async function evaluate(dir: string, data: string, o: { limit?: number; testSequences?: number }): Promise<Record<string, unknown>> {
  checkData(data);
  const { model, hyper, arch } = await loadModel(dir);
  const m = await score(model, hyper, o.limit ?? o.testSequences ?? 200);
  model.dispose();
  return {
    model: arch,
    metric: "per-frame MSE (sum over 64×64 pixels in [0, 1]) and SSIM over the predicted frames, held-out digits",
    ...m,
  };
}

/** The seam for video output: `future` frames [future, C, H, W] in [0, 1] after `frames` [T, C, H, W]. */
export function predictFrames(model: VideoPredictor, frames: Tensor, future: number): Tensor {
  return noGrad(() => tidy(() => model.forward(frames.unsqueeze(0), future).squeeze(0)));
}

export interface PredictedClip {
  input: string;
  output: string;
  frames: number;
}

/** "moving-mnist:<i>": held-out sequence i (its truth shown too); else a PNG strip of 64 px frames. */
async function clipOf(input: string, h: SavedHyper): Promise<{ frames: Tensor; truth: Tensor | null; name: string }> {
  const m = /^moving-mnist:(\d+)$/.exec(input);
  if (m) {
    const test = await movingMnist("test", TEST_SEED, { frames: h.inputFrames + h.futureFrames, size: SIZE });
    const clip = test.batch(Number(m[1]), 1).squeeze(0);
    return { frames: clip.narrow(0, 0, h.inputFrames), truth: clip.narrow(0, h.inputFrames, h.futureFrames), name: `moving-mnist-${m[1]}` };
  }
  return { frames: await readFrameStrip(input, SIZE), truth: null, name: basename(input, extname(input)) };
}

async function load(dir: string): Promise<Predictor<PredictedClip>> {
  const { model, hyper } = await loadModel(dir);
  const outDir = join(dir, "predictions");
  return {
    task: TASK,
    async predict(inputs) {
      mkdirSync(outDir, { recursive: true });
      const out: PredictedClip[] = [];
      for (const input of inputs) {
        const { frames, truth, name } = await clipOf(input, hyper);
        const pred = predictFrames(model, frames, hyper.futureFrames);
        const path = join(outDir, `${name}-predicted.png`);
        await writeImage(
          path,
          tidy(() => frameStrip(truth ? [frames, pred, truth] : [frames, pred])),
        );
        out.push({ input, output: path, frames: hyper.futureFrames });
        for (const t of [frames, pred, truth]) t?.dispose();
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}

const formatPrediction = (p: PredictedClip): string => `wrote ${p.output} (${p.frames} predicted frames)`;

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  // The quick demo is a minute of training (still a blur); --full is Shi et al.'s ConvLSTM for 20 epochs.
  const budget = o.full ? { model: "convlstm", epochs: 20 } : { model: "convlstm-small", epochs: 1, limit: 480 };
  const r = await train({ data: DATA, out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), testSequences: 100, ...budget });
  const m = r.metrics as Record<string, number>;
  return {
    task: TASK,
    dataset: "Moving MNIST (two of opencv-doc's handwritten digits bouncing in 64×64; held-out digits)",
    commands: [
      `flambeau train ${TASK} --data ${DATA} --model ${budget.model} --epochs ${budget.epochs}${"limit" in budget ? ` --limit ${budget.limit}` : ""} --test-sequences 100 --out ${o.out}`,
      `flambeau eval ${o.out} --data ${DATA} --test-sequences 100 --json`,
    ],
    metrics: { mse: m.mse!, ssim: m.ssim!, lastFrameMse: m.lastFrameMse!, meanFrameMse: m.meanFrameMse! },
    history: r.history.epochs.map((e) => ({ loss: e.loss! })),
    seconds: (performance.now() - t0) / 1000,
  };
}

export const videoPrediction = defineTask({
  name: TASK,
  description:
    "future frames of a clip (ConvLSTM encoder–forecaster or PredRNN on Moving MNIST; per-frame MSE and SSIM vs copying the last frame and the mean frame)",
  dataFormat:
    "`moving-mnist` (generated on the fly: two of opencv-doc's digits bouncing in 64×64, train and test digits disjoint); an epoch is 100 batches of fresh sequences (--limit caps its sequences); predict reads `moving-mnist:<i>` (held-out sequence i) or a PNG strip of 64 px frames",
  models: [...MODELS],
  defaultModel: "convlstm",
  options,
  baseline: "copying the last input frame; the mean input frame",
  train,
  evaluate,
  load,
  formatPrediction,
  demo,
});
