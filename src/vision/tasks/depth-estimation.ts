// depth-estimation: monocular (a U-Net maps one image to log depth, L1 loss; AbsRel, RMSE,
// δ<1.25) and stereo (a small cost-volume network with soft-argmin; end-point error and
// bad-2.0), trained on rendered scenes with exact depth (src/vision/depth) and evaluated on
// held-out rendered scenes or, for stereo, on Middlebury's real motorcycle pair; predict
// writes a colourised depth or disparity PNG.
import { mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { smoothL1Loss } from "../../core/ops/loss.js";
import { Random } from "../../data/random.js";
import { writeAll, writeAtomic } from "../../io/atomic.js";
import { functional as F, type Module } from "../../nn/index.js";
import { Adam } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
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
import { colourise, robustRange } from "../depth/colormap.js";
import { depthFigureRow, depthOfDisparity } from "../depth/figures.js";
import { DepthMeter, DisparityMeter, depthMetrics, disparityMetrics } from "../depth/metrics.js";
import { middleburyMotorcycle, type StereoPair } from "../depth/middlebury.js";
import type { StereoCamera } from "../depth/render.js";
import { headOf, renderedSet, type StereoSet } from "../depth/rendered.js";
import { StereoNet } from "../depth/stereo-net.js";
import { encodePng, readImage } from "../image-io.js";
import { UNet } from "../models/unet.js";
import { sceneFiguresHtml } from "../scenes/demo-html.js";

const TASK = "depth-estimation";
const MODELS = ["stereo", "unet"] as const;
/** Middlebury is evaluated this wide: its disparities (≈ 7–58 px at 741) become ≈ 2.5–20 px, the rendered range. */
export const MIDDLEBURY_WIDTH = 256;
const TEST_SCENES = 200;
const VAL_SCENES = 100;

type Hyper = { kind: "unet"; depth: number; width: number; stemStride: number } | { kind: "stereo"; levels: number; width: number };

interface Preprocessing {
  camera: StereoCamera;
  /** Mean depth and disparity of the training scenes: the trivial baselines' constant guesses. */
  meanDepth: number;
  meanDisparity: number;
}

function hyperOf(arch: string): Hyper {
  // Half resolution inside (stem stride 2): depth maps are smooth, and it is 4× cheaper on a CPU.
  if (arch === "unet") return { kind: "unet", depth: 4, width: 16, stemStride: 2 };
  if (arch === "stereo") return { kind: "stereo", levels: 8, width: 32 };
  throw new FlambeauError("E_ARG", `${TASK}: unknown model "${arch}"; models: ${MODELS.join(", ")}`);
}

type DepthModel = UNet | StereoNet;
const buildModel = (h: Hyper): DepthModel =>
  h.kind === "unet"
    ? new UNet({ inChannels: 3, outChannels: 1, depth: h.depth, width: h.width, stemStride: h.stemStride })
    : new StereoNet(h);

/** uint8 pixels [n, 3, H, W] → float in [−0.5, 0.5]. */
const normalise = (px: Uint8Array, n: number, h: number, w: number): Tensor =>
  tensor(px, { shape: [n, 3, h, w] })
    .float()
    .div(255)
    .sub(0.5);

interface Batch {
  left: Tensor;
  right: Tensor;
  /** [n, 1, H, W] z-depth */
  depth: Tensor;
}

function gather(set: StereoSet, idx: ArrayLike<number>): Batch {
  const { height: h, width: w } = set.camera;
  const px = 3 * h * w;
  const n = idx.length;
  const l = new Uint8Array(n * px);
  const r = new Uint8Array(n * px);
  const d = new Float32Array(n * h * w);
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    l.set(set.left.subarray(i * px, (i + 1) * px), k * px);
    r.set(set.right.subarray(i * px, (i + 1) * px), k * px);
    d.set(set.depth.subarray(i * h * w, (i + 1) * h * w), k * h * w);
  }
  return { left: normalise(l, n, h, w), right: normalise(r, n, h, w), depth: tensor(d, { shape: [n, 1, h, w] }) };
}

/** An epoch: the set in a fresh random order, in batches. */
function batches(set: StereoSet, batch: number, rng: Random) {
  const steps = Math.ceil(set.count / batch);
  async function* run(): AsyncGenerator<Batch> {
    const order = rng.permutation(set.count);
    for (let s = 0; s < steps; s++) yield tidy(() => gather(set, order.subarray(s * batch, Math.min(set.count, (s + 1) * batch))));
  }
  return { length: steps, [Symbol.asyncIterator]: () => run()[Symbol.asyncIterator]() };
}

const disparityOf = (depth: Tensor, cam: StereoCamera): Tensor => depth.reciprocal().mul(cam.focal * cam.baseline);

/** Monocular: L1 on log depth (scale errors cost the same near and far). Stereo: smooth L1 on refined + ½ coarse disparity. */
function lossOf(model: DepthModel, b: Batch, cam: StereoCamera): Tensor {
  if (model instanceof UNet) return model.forward(b.left).sub(b.depth.log()).abs().mean();
  const out = model.forwardBoth(b.left, b.right);
  const gt = disparityOf(b.depth, cam);
  return smoothL1Loss(out.refined, gt).add(smoothL1Loss(out.coarse, gt).mul(0.5));
}

/** The model's map for a batch: depth (monocular) or disparity (stereo), [n, H, W] as float32. */
function inferBatch(model: DepthModel, left: Tensor, right: Tensor | null): Float32Array {
  return noGrad(() =>
    tidy(() => {
      if (model instanceof UNet) return model.forward(left).exp().contiguous().data() as Float32Array;
      if (right === null) throw new FlambeauError("E_ARG", `${TASK}: a stereo model needs a right image`);
      return model.forward(left, right).contiguous().data() as Float32Array;
    }),
  );
}

/** Stereo on any size: pads (replicate) to multiples of 4, predicts, crops back. */
function stereoDisparity(model: StereoNet, pair: { left: Uint8Array; right: Uint8Array; height: number; width: number }): Float32Array {
  const { height: h, width: w } = pair;
  const ph = (4 - (h % 4)) % 4;
  const pw = (4 - (w % 4)) % 4;
  return noGrad(() =>
    tidy(() => {
      const pad = (x: Tensor) => (ph || pw ? F.pad(x, [0, pw, 0, ph], "replicate") : x);
      const out = model.forward(pad(normalise(pair.left, 1, h, w)), pad(normalise(pair.right, 1, h, w)));
      return out.narrow(2, 0, h).narrow(3, 0, w).contiguous().data() as Float32Array;
    }),
  );
}

function meanOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

/** Metrics of the model on rendered scenes, with the constant baseline (the training mean). */
function scoreRendered(model: DepthModel, pre: Preprocessing, set: StereoSet, batch: number): Record<string, number> {
  const cam = set.camera;
  const hw = cam.height * cam.width;
  const fb = cam.focal * cam.baseline;
  if (model instanceof UNet) {
    const m = new DepthMeter();
    const base = new DepthMeter();
    const constant = new Float32Array(hw).fill(pre.meanDepth);
    for (let s = 0; s < set.count; s += batch) {
      const idx = Array.from({ length: Math.min(batch, set.count - s) }, (_, k) => s + k);
      const pred = tidy(() => inferBatch(model, gather(set, idx).left, null));
      const gt = set.depth.subarray(s * hw, (s + idx.length) * hw);
      m.add(pred, gt);
      for (let k = 0; k < idx.length; k++) base.add(constant, gt.subarray(k * hw, (k + 1) * hw));
    }
    const r = m.result();
    const b = base.result();
    return {
      scenes: set.count,
      absRel: r.absRel,
      rmse: r.rmse,
      delta1: r.delta1,
      meanDepthAbsRel: b.absRel,
      meanDepthRmse: b.rmse,
      meanDepthDelta1: b.delta1,
    };
  }
  const m = new DisparityMeter();
  const base = new DisparityMeter();
  const constant = new Float32Array(hw).fill(pre.meanDisparity);
  for (let s = 0; s < set.count; s += batch) {
    const idx = Array.from({ length: Math.min(batch, set.count - s) }, (_, k) => s + k);
    const pred = tidy(() => {
      const b = gather(set, idx);
      return inferBatch(model, b.left, b.right);
    });
    const gt = set.depth.subarray(s * hw, (s + idx.length) * hw).map((z) => fb / z);
    m.add(pred, gt);
    for (let k = 0; k < idx.length; k++) base.add(constant, gt.subarray(k * hw, (k + 1) * hw));
  }
  const r = m.result();
  const b = base.result();
  return { scenes: set.count, epe: r.epe, bad2: r.bad, meanDisparityEpe: b.epe, meanDisparityBad2: b.bad };
}

/** Stereo on a real pair, beside the constant baseline at the ground truth's own median (an oracle constant: no fixed guess does better on EPE). */
export function scorePair(model: StereoNet, pair: StereoPair): Record<string, number> {
  const pred = stereoDisparity(model, pair);
  const r = new DisparityMeter();
  r.add(pred, pair.disparity);
  const valid = Array.from(pair.disparity)
    .filter((d) => Number.isFinite(d) && d > 0)
    .sort((a, b) => a - b);
  const median = valid[valid.length >> 1] ?? 0;
  const base = new DisparityMeter();
  base.add(new Float32Array(pair.disparity.length).fill(median), pair.disparity);
  const m = r.result();
  const b = base.result();
  return {
    width: pair.width,
    height: pair.height,
    validPixels: m.pixels,
    epe: m.epe,
    bad2: m.bad,
    medianConstantEpe: b.epe,
    medianConstantBad2: b.bad,
  };
}

async function train(o: TrainInput): Promise<TaskTrainResult> {
  const { seed, log } = o;
  if (o.data !== "rendered") throw new FlambeauError("E_ARG", `${TASK}: trains on --data rendered (got "${o.data}")`);
  manualSeed(seed);
  const arch = o.model ?? "stereo";
  const hyper = hyperOf(arch);
  const count = o.limit ?? 2000;
  const tr = await renderedSet("train", { count, seed, log });
  const val = await renderedSet("val", { count: Math.min(VAL_SCENES, Math.max(4, count >> 2)), seed, log });
  const cam = tr.camera;
  const pre: Preprocessing = {
    camera: cam,
    meanDepth: meanOf(tr.depth),
    meanDisparity: meanOf(tr.depth.map((z) => (cam.focal * cam.baseline) / z)),
  };
  const model = buildModel(hyper);
  const epochs = o.epochs ?? 10;
  const batch = o.batchSize ?? 8;
  const peakLr = o.lr ?? 1e-3;
  const steps = Math.ceil(count / batch);
  log(
    `${TASK}: ${count} rendered scenes ${cam.width}×${cam.height}, ${arch}, ${plural(epochs, "epoch")} × ${steps} steps of ${batch}, lr ${peakLr}`,
  );
  const optimizer = new Adam(model.parameters(), { lr: peakLr });
  const trainer = new Trainer<Batch>({
    name: TASK,
    model,
    optimizer,
    step: (b) => lossOf(model, b, cam),
    progress: o.progress,
    callbacks: [new WarmupCosineLR(optimizer, peakLr, epochs * steps, Math.min(100, steps))],
  });
  const history = await trainer.fit(batches(tr, batch, new Random(seed, 7)), { epochs });
  model.eval();
  const metrics = scoreRendered(model, pre, val, 16);
  log(`${TASK}: validation ${JSON.stringify(metrics)}`);
  await saveModelDir<Hyper, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: arch,
      hyper,
      preprocessing: pre,
      metrics: { validation: metrics, epochs, batchSize: batch, lr: peakLr, seed, trainScenes: count },
    },
    model.stateDict(),
  );
  model.dispose();
  return { dir: o.out, metrics, history };
}

async function loadModel(dir: string): Promise<{ model: DepthModel; hyper: Hyper; pre: Preprocessing; arch: string }> {
  const { config, weights } = await loadModelDir<Hyper, Preprocessing>(dir, TASK);
  const model = buildModel(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  if (!config.preprocessing) throw new FlambeauError("E_FORMAT", `${TASK}: ${join(dir, "config.json")} has no preprocessing`);
  return { model, hyper: config.hyper, pre: config.preprocessing, arch: config.architecture };
}

/** `rendered`: held-out rendered scenes (held-out photos as textures); `middlebury`: the real motorcycle pair (stereo models). */
async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  const { model, arch, pre } = await loadModel(dir);
  try {
    if (data === "rendered") {
      const set = headOf(await renderedSet("test", { count: TEST_SCENES }), o.limit ?? TEST_SCENES);
      return { model: arch, data: "rendered test scenes (held-out photos)", ...scoreRendered(model, pre, set, o.batchSize ?? 16) };
    }
    if (data === "middlebury") {
      if (!(model instanceof StereoNet))
        throw new FlambeauError(
          "E_ARG",
          `${TASK}: the Middlebury pair has disparities for stereo models; evaluate ${arch} on --data rendered`,
        );
      const pair = await middleburyMotorcycle(MIDDLEBURY_WIDTH);
      return {
        model: arch,
        data: `Middlebury motorcycle at ${pair.width}×${pair.height}, disparities scaled by ${pair.width}/741`,
        ...scorePair(model, pair),
      };
    }
    throw new FlambeauError("E_ARG", `${TASK}: --data must be rendered or middlebury, got "${data}"`);
  } finally {
    model.dispose();
  }
}

export interface DepthPrediction {
  input: string;
  output: string;
  kind: "depth" | "disparity";
  min: number;
  max: number;
}

/** A stereo pair read from two files, the same size (resized to at most `maxWidth` wide). */
export async function readPair(leftFile: string, rightFile: string, maxWidth: number) {
  const l = await readImage(leftFile, { channels: 3 });
  const r = await readImage(rightFile, { channels: 3 });
  if (l.height !== r.height || l.width !== r.width)
    throw new FlambeauError(
      "E_ARG",
      `${TASK}: the left image ${leftFile} is ${l.width}×${l.height} but the right image ${rightFile} is ${r.width}×${r.height}; a rectified pair has one size`,
    );
  if (l.width <= maxWidth) return { left: l.data, right: r.data, height: l.height, width: l.width };
  const size: [number, number] = [Math.max(1, Math.round((l.height * maxWidth) / l.width)), maxWidth];
  const [a, b] = [await readImage(leftFile, { channels: 3, size }), await readImage(rightFile, { channels: 3, size })];
  return { left: a.data, right: b.data, height: a.height, width: a.width };
}

/** Monocular: each input → <dir>/predictions/<name>-depth.png. Stereo: inputs are left/right pairs → <left>-disparity.png. */
async function load(dir: string): Promise<Predictor<DepthPrediction>> {
  const { model, pre } = await loadModel(dir);
  const outDir = join(dir, "predictions");
  const write = async (input: string, kind: DepthPrediction["kind"], values: Float32Array, h: number, w: number) => {
    // Depth: near bright, so the ramp runs over −depth.
    const shown = kind === "depth" ? values.map((v) => -v) : values;
    const [lo, hi] = robustRange(shown);
    const png = await encodePng(colourise(shown, h, w, lo, hi), 3, h, w);
    const output = join(outDir, `${basename(input, extname(input))}-${kind}.png`);
    mkdirSync(outDir, { recursive: true });
    await writeAtomic("predict", output, (fh) => writeAll(fh, [png]));
    const [min, max] = robustRange(values);
    return { input, output, kind, min, max };
  };
  return {
    task: TASK,
    async predict(inputs) {
      const out: DepthPrediction[] = [];
      if (model instanceof StereoNet) {
        if (inputs.length % 2 !== 0)
          throw new FlambeauError("E_ARG", `${TASK}: a stereo model predicts from pairs (left right …), got ${inputs.length} files`);
        for (let i = 0; i < inputs.length; i += 2) {
          const pair = await readPair(inputs[i]!, inputs[i + 1]!, MIDDLEBURY_WIDTH);
          out.push(await write(inputs[i]!, "disparity", stereoDisparity(model, pair), pair.height, pair.width));
        }
        return out;
      }
      const { height: h, width: w } = pre.camera;
      for (const file of inputs) {
        // The depth scale belongs to the training camera: the image is shown to the net at its size.
        const img = await readImage(file, { channels: 3, size: [h, w] });
        const depth = tidy(() => inferBatch(model, normalise(img.data, 1, h, w), null));
        out.push(await write(file, "depth", depth, h, w));
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}

const formatPrediction = (r: DepthPrediction): string =>
  `wrote ${r.output} (${r.kind} ${r.min.toFixed(2)}–${r.max.toFixed(2)}${r.kind === "disparity" ? " px" : ""}, 2nd–98th percentile)`;

/** Held-out scenes drawn in the demo's figure. */
const FIGURE_SCENES = 4;

/** Stereo and monocular trained side by side, scored on held-out scenes beside the constant baselines, with a figure. */
async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  // Full: the README's recipe (1,000 scenes, batches of 4; stereo 1 epoch, monocular 2) and its 200 test scenes.
  const b = o.full ? { limit: 1000, stereo: 1, mono: 2, test: TEST_SCENES } : { limit: 48, stereo: 2, mono: 3, test: 24 };
  const common = { data: "rendered", limit: b.limit, batchSize: 4, seed: 0, progress: o.progress, log };
  const dirs = { stereo: join(o.out, "stereo"), mono: join(o.out, "mono") };
  const r = await train({ ...common, model: "stereo", epochs: b.stereo, out: dirs.stereo });
  await train({ ...common, model: "unet", epochs: b.mono, out: dirs.mono });
  const test = await renderedSet("test", { count: b.test, log });
  const stereo = await loadModel(dirs.stereo);
  const mono = await loadModel(dirs.mono);
  try {
    const s = scoreRendered(stereo.model, stereo.pre, test, 16);
    const m = scoreRendered(mono.model, mono.pre, test, 16);
    const { height: h, width: w, focal, baseline } = test.camera;
    const hw = h * w;
    const shown = headOf(test, FIGURE_SCENES);
    const idx = Array.from({ length: shown.count }, (_, k) => k);
    const disparity = tidy(() => {
      const x = gather(shown, idx);
      return inferBatch(stereo.model, x.left, x.right);
    });
    const depth = tidy(() => inferBatch(mono.model, gather(shown, idx).left, null));
    const rows = idx.map((k) => {
      const gt = shown.depth.subarray(k * hw, (k + 1) * hw);
      const d = disparity.subarray(k * hw, (k + 1) * hw);
      const z = depth.subarray(k * hw, (k + 1) * hw);
      const epe = disparityMetrics(
        d,
        gt.map((g) => (focal * baseline) / g),
      ).epe;
      return depthFigureRow(
        shown.left.subarray(k * 3 * hw, (k + 1) * 3 * hw),
        gt,
        [
          { depth: depthOfDisparity(d, focal * baseline), caption: `stereo (EPE ${epe.toFixed(2)} px)` },
          { depth: z, caption: `monocular (AbsRel ${depthMetrics(z, gt).absRel.toFixed(2)})` },
        ],
        h,
        w,
      );
    });
    const trainCmd = (dir: string, model: string, epochs: number) =>
      `flambeau train ${TASK} --data rendered --model ${model} --limit ${b.limit} --epochs ${epochs} --batch-size 4 --out ${dir}`;
    return {
      task: TASK,
      dataset: `rendered stereo scenes ${w}×${h} (exact depth; ${b.limit} for training, ${test.count} held-out scenes with held-out photos for test)`,
      commands: [
        trainCmd(dirs.stereo, "stereo", b.stereo),
        trainCmd(dirs.mono, "unet", b.mono),
        `flambeau eval ${dirs.stereo} --data rendered --limit ${test.count} --json`,
        `flambeau eval ${dirs.mono} --data rendered --limit ${test.count} --json`,
      ],
      metrics: {
        epe: s.epe!,
        bad2: s.bad2!,
        meanDisparityEpe: s.meanDisparityEpe!,
        meanDisparityBad2: s.meanDisparityBad2!,
        absRel: m.absRel!,
        delta1: m.delta1!,
        meanDepthAbsRel: m.meanDepthAbsRel!,
        meanDepthDelta1: m.meanDepthDelta1!,
      },
      history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss })),
      seconds: (performance.now() - t0) / 1000,
      extraHtml: await sceneFiguresHtml(
        "Held-out scenes: left view, true depth, the stereo model's depth (f·B/disparity) and the monocular model's, on the truth's colours (near bright; the loss curve is the stereo model's)",
        rows,
        { height: h, width: w },
      ),
    };
  } finally {
    stereo.model.dispose();
    mono.model.dispose();
  }
}

export const depthEstimation = defineTask({
  name: TASK,
  description:
    "depth from one image (U-Net; AbsRel, δ<1.25) or a rectified stereo pair (cost volume + soft-argmin; end-point error, bad-2.0); predict writes a colourised depth/disparity PNG",
  dataFormat:
    "train: `rendered` (exact-depth stereo scenes ray-cast here: textured planes, boxes and spheres with Debian's photos as textures; --limit = scenes, default 2000); eval: `rendered` (held-out photos) or `middlebury` (the real motorcycle pair from python3-skimage, stereo models)",
  models: [...MODELS],
  defaultModel: "stereo",
  baseline: "a constant: the training scenes' mean depth/disparity (rendered); the ground truth's median disparity (Middlebury)",
  train,
  evaluate,
  load,
  formatPrediction,
  demo,
});

/** For tests and scripts: the model a directory holds. */
export const loadDepthModel = (dir: string): Promise<{ model: Module; arch: string }> => loadModel(dir);
