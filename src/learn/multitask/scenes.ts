// Multi-task learning on generated scenes (issue 27's figure): what a digit is (class), where it
// is (box) and which pixels are it (mask), on `scenes:digits` with one digit a scene, learnt by
// three single-task networks or by one network with three heads. Every network is the same
// U-Net trunk: the class head pools its coarsest map (average and max), the box head reads that
// map's 4 × 4 grid (position is the answer there), the segmentation head is a 1×1 conv on the
// decoder's last map. A class or box network runs the encoder only. Losses as the tasks train
// them: cross-entropy; L1 × 5 + GIoU × 2 on the sigmoid box; pixel cross-entropy + Dice.
import { FlambeauError } from "../../core/errors.js";
import { cat, manualSeed, noGrad, type Tensor, tensor, tidy, zeros } from "../../core/index.js";
import { permutation } from "../../data/random.js";
import {
  AdaptiveAvgPool2d,
  Conv2d,
  ConvTranspose2d,
  Dropout,
  functional as F,
  Flatten,
  Linear,
  Module,
  ModuleList,
  ReLU,
  Sequential,
} from "../../nn/index.js";
import { AdamW, OneCycleLR } from "../../optim/index.js";
import { DoubleConv } from "../../vision/models/unet.js";
import { generateScenes } from "../../vision/scenes/generate.js";
import { type ImagePreprocessing, imageStats, normalise } from "../../vision/scenes/loader.js";
import { cxcywhIou, LocalizationMeter, SegmentationMeter } from "../../vision/scenes/metrics.js";
import { localizationTargets, sceneImages, semanticTargets, TEST_SEED } from "../../vision/scenes/task-data.js";
import { diceLoss } from "../../vision/tasks/segmentation.js";
import { FixedWeighting, type LossWeighting, UncertaintyWeighting } from "./weighting.js";

export const SCENE_TASKS = ["class", "box", "seg"] as const;
export type SceneTask = (typeof SCENE_TASKS)[number];

/** "apart" (three single-task networks), one of them alone, or one network with summed or uncertainty-weighted losses. */
export type SceneRun = "apart" | SceneTask | "joint" | "uncertainty";
export const SCENE_RUNS: readonly SceneRun[] = ["apart", ...SCENE_TASKS, "joint", "uncertainty"];

export interface SceneMultiTaskOptions {
  /** Fresh scenes per epoch (default 4,000). */
  scenesPerEpoch?: number;
  /** Held-out test scenes (default 500). */
  testScenes?: number;
  epochs?: number;
  seed?: number;
  /** Channels of the trunk's first block (default 16), depth (default 3). */
  width?: number;
  depth?: number;
  log?: (line: string) => void;
}

export interface SceneRunResult {
  run: SceneRun;
  accuracy?: number;
  meanIou?: number;
  mIoU?: number;
  /** Parameters of each network trained. */
  params: Record<string, number>;
  finalWeights?: Record<string, number>;
  seconds: number;
}

const SIZE = 64;
const BATCH = 32;
const GENERATOR = { size: SIZE, objects: "digits", minObjects: 1, maxObjects: 1 } as const;

interface Split {
  x: Tensor;
  loc: Tensor;
  seg: Tensor;
}

async function scenes(count: number, split: "train" | "test", seed: number): Promise<Split & { classes: number }> {
  const set = await generateScenes({ ...GENERATOR, count, split, seed });
  return { x: sceneImages(set), loc: localizationTargets(set), seg: semanticTargets(set), classes: set.classes.length };
}

class Trunk extends Module {
  readonly inc: DoubleConv;
  readonly down: ModuleList;
  readonly up: ModuleList | null;
  readonly upConv: ModuleList | null;
  constructor(
    readonly width: number,
    readonly depth: number,
    decoder: boolean,
  ) {
    super();
    const w = (i: number) => width * 2 ** i;
    this.inc = new DoubleConv(3, width);
    this.down = new ModuleList(Array.from({ length: depth }, (_, i) => new DoubleConv(w(i), w(i + 1))));
    this.up = decoder
      ? new ModuleList(Array.from({ length: depth }, (_, k) => new ConvTranspose2d(w(depth - k), w(depth - k - 1), 2, { stride: 2 })))
      : null;
    this.upConv = decoder ? new ModuleList(Array.from({ length: depth }, (_, k) => new DoubleConv(w(depth - k), w(depth - k - 1)))) : null;
  }
  /** The decoder's last map, or the coarsest map when there is no decoder. */
  forward(x: Tensor): Tensor {
    const skips = this.encode(x);
    return this.up ? this.decode(skips) : skips.at(-1)!;
  }
  /** The skips, coarsest last (8 × 8 at 64 px with depth 3). */
  encode(x: Tensor): Tensor[] {
    const skips = [this.inc.forward(x)];
    for (const d of this.down) skips.push((d as DoubleConv).forward(F.maxPool2d(skips.at(-1)!, 2)));
    return skips;
  }
  decode(skips: readonly Tensor[]): Tensor {
    const s = [...skips];
    let y = s.pop()!;
    for (let i = 0; i < this.depth; i++)
      y = (this.upConv!.at(i) as DoubleConv).forward(cat([s.pop()!, (this.up!.at(i) as ConvTranspose2d).forward(y)], 1));
    return y;
  }
}

/** The shared trunk with a head per task in `tasks`; the decoder is built only for segmentation. */
export class SceneMultiTaskNet extends Module {
  readonly trunk: Trunk;
  readonly classHead: Linear | null;
  readonly boxHead: Sequential | null;
  readonly segHead: Conv2d | null;
  constructor(
    readonly tasks: readonly SceneTask[],
    classes: number,
    o: { width?: number; depth?: number } = {},
  ) {
    super();
    const width = o.width ?? 16;
    const depth = o.depth ?? 3;
    const c = width * 2 ** depth;
    this.trunk = new Trunk(width, depth, tasks.includes("seg"));
    this.classHead = tasks.includes("class") ? new Linear(2 * c, classes) : null;
    this.boxHead = tasks.includes("box")
      ? new Sequential(new AdaptiveAvgPool2d(4), new Flatten(), new Dropout(0.2), new Linear(c * 16, 128), new ReLU(), new Linear(128, 4))
      : null;
    this.segHead = tasks.includes("seg") ? new Conv2d(width, classes + 1, 1) : null;
  }
  /** Class logits [N, C], box logits [N, 4] (sigmoid: cx, cy, w, h) and mask logits [N, C + 1, S, S], for the heads it has. */
  forward(x: Tensor): Partial<Record<SceneTask, Tensor>> {
    const skips = this.trunk.encode(x);
    const f = skips.at(-1)!;
    const out: Partial<Record<SceneTask, Tensor>> = {};
    if (this.classHead) out.class = this.classHead.forward(cat([f.mean({ dim: [2, 3] }), f.amax([2, 3])], 1));
    if (this.boxHead) out.box = this.boxHead.forward(f);
    if (this.segHead) out.seg = this.segHead.forward(this.trunk.decode(skips));
    return out;
  }
}

const LOSSES: Record<SceneTask, (o: Partial<Record<SceneTask, Tensor>>, y: Omit<Split, "x">) => Tensor> = {
  class: (o, y) => F.crossEntropy(o.class!, y.loc.select(1, 0).long()),
  box: (o, y) => {
    const box = o.box!.sigmoid();
    const t = y.loc.narrow(1, 1, 4);
    const { giou } = cxcywhIou(box, t);
    return F.l1Loss(box, t).mul(5).add(giou.neg().add(1).mean().mul(2));
  },
  seg: (o, y) => F.crossEntropy(o.seg!, y.seg, { ignoreIndex: 255 }).add(diceLoss(o.seg!, y.seg)),
};

/** Trains and scores each run in `runs` on the same scenes and steps. */
export async function sceneMultiTask(runs: readonly SceneRun[], o: SceneMultiTaskOptions = {}): Promise<SceneRunResult[]> {
  const perEpoch = o.scenesPerEpoch ?? 4000;
  const nTest = o.testScenes ?? 500;
  const epochs = o.epochs ?? 6;
  const seed = o.seed ?? 0;
  for (const r of runs)
    if (!SCENE_RUNS.includes(r)) throw new FlambeauError("E_ARG", `multi-task scenes: unknown run "${r}"; runs: ${SCENE_RUNS.join(", ")}`);
  for (const [k, v] of Object.entries({ scenesPerEpoch: perEpoch, testScenes: nTest, epochs }))
    if (!Number.isInteger(v) || v < 1) throw new FlambeauError("E_ARG", `multi-task scenes: ${k} must be a positive integer, got ${v}`);
  const test = await scenes(nTest, "test", TEST_SEED);
  const first = await scenes(perEpoch, "train", seed);
  const pre: ImagePreprocessing = { size: SIZE, ...imageStats(first.x), generator: null };
  const classes = test.classes;

  async function fit(model: SceneMultiTaskNet, weighting: LossWeighting & { parameters?: () => Tensor[] }): Promise<void> {
    manualSeed(seed);
    const params = [...model.parameters(), ...(weighting.parameters?.() ?? [])];
    const steps = epochs * Math.ceil(perEpoch / BATCH);
    const opt = new AdamW(params, { lr: 2e-3, weightDecay: 1e-4 });
    const sched = new OneCycleLR(opt, { maxLr: 2e-3, totalSteps: steps });
    model.train();
    for (let e = 0; e < epochs; e++) {
      const d = e === 0 ? first : await scenes(perEpoch, "train", seed + 7919 * e);
      const order = permutation(perEpoch, seed + 1000 * e);
      for (let s = 0; s < perEpoch; s += BATCH)
        tidy(() => {
          const idx = tensor(Array.from(order.subarray(s, s + BATCH)), { dtype: "int64" });
          const out = model.forward(normalise(d.x.indexSelect(0, idx), pre));
          const y = { loc: d.loc.indexSelect(0, idx), seg: d.seg.indexSelect(0, idx) };
          const losses = Object.fromEntries(model.tasks.map((t) => [t, LOSSES[t](out, y)]));
          const loss = weighting.combine(losses);
          opt.zeroGrad();
          loss.backward();
          opt.step();
          sched.step();
        });
      if (e > 0) for (const t of [d.x, d.loc, d.seg]) t.dispose();
    }
  }

  function score(model: SceneMultiTaskNet): Pick<SceneRunResult, "accuracy" | "meanIou" | "mIoU"> {
    model.eval();
    const loc = new LocalizationMeter(classes);
    const seg = new SegmentationMeter(classes + 1);
    let correct = 0;
    noGrad(() => {
      for (let s = 0; s < nTest; s += 100)
        tidy(() => {
          const n = Math.min(100, nTest - s);
          const out = model.forward(normalise(test.x.narrow(0, s, n), pre));
          const y = test.loc.narrow(0, s, n);
          if (out.class) correct += out.class.argmax(1).eq(y.select(1, 0).long()).sum().item();
          // The meter reads [N, C + 4]; only its box columns count when there is no class head.
          if (out.box) loc.update(cat([out.class ?? zeros([n, classes]), out.box], 1), y);
          if (out.seg) seg.update(out.seg, test.seg.narrow(0, s, n));
        });
    });
    return {
      ...(model.tasks.includes("class") ? { accuracy: correct / nTest } : {}),
      ...(model.tasks.includes("box") ? { meanIou: loc.compute().meanIou as number } : {}),
      ...(model.tasks.includes("seg") ? { mIoU: seg.compute().meanIou as number } : {}),
    };
  }

  const results: SceneRunResult[] = [];
  try {
    for (const run of runs) {
      const t0 = performance.now();
      const r: SceneRunResult = { run, params: {}, seconds: 0 };
      if (run === "joint" || run === "uncertainty") {
        // Each network's initial weights come from the seed, whatever ran before it.
        manualSeed(seed);
        const m = new SceneMultiTaskNet(SCENE_TASKS, classes, o);
        r.params.joint = m.numParameters();
        const w = run === "uncertainty" ? new UncertaintyWeighting(SCENE_TASKS) : new FixedWeighting({ class: 1, box: 1, seg: 1 });
        await fit(m, w);
        Object.assign(r, score(m));
        if (w instanceof UncertaintyWeighting) r.finalWeights = w.weights();
        m.dispose();
      } else
        for (const t of run === "apart" ? SCENE_TASKS : [run]) {
          manualSeed(seed);
          const m = new SceneMultiTaskNet([t], classes, o);
          r.params[t] = m.numParameters();
          await fit(m, new FixedWeighting({ [t]: 1 }));
          Object.assign(r, score(m));
          m.dispose();
        }
      r.seconds = (performance.now() - t0) / 1000;
      o.log?.(`multi-task scenes, ${run}: ${JSON.stringify(r)}`);
      results.push(r);
    }
  } finally {
    for (const t of [test.x, test.loc, test.seg, first.x, first.loc, first.seg]) t.dispose();
  }
  return results;
}
