// The README's scenes multi-task figure: classification + box + segmentation of one digit
// pasted on a photo (`scenes:digits`, one object a scene), learnt by three single-task
// networks or by one network with three heads. Every network is the same U-Net trunk
// (width 16, depth 3): the class head pools its coarsest features (average and max), the box
// head reads their 4 × 4 grid (position is the answer there), the segmentation head is a 1×1
// conv on the decoder's last map. A single-task network runs only what its head needs (the
// encoder alone for class or box), so "apart" costs two encoders and a U-Net per step and
// "joint" one U-Net: the same steps, a third or so of the compute. Losses as the tasks train
// them: cross-entropy; L1 (×5) + GIoU (×2) on the sigmoid box; pixel cross-entropy + Dice. Joint
// losses are summed 1:1 (`fixed`) or weighted by Kendall et al.'s learnt uncertainty
// (`uncertainty`). Test: held-out digits on held-out photos (the tasks' fixed test seed).
// usage (after the build): node scripts/multitask-scenes.mjs [scenesPerEpoch] [testScenes] [epochs] [seed] [runs]
// runs: comma-separated, of apart (the three single-task networks), class, box, seg (one of
// them), joint, uncertainty; default apart,joint,uncertainty.
import * as fl from "../dist/src/index.js";
import { generateScenes } from "../dist/src/vision/scenes/generate.js";
import { imageStats, normalise } from "../dist/src/vision/scenes/loader.js";
import { cxcywhIou, LocalizationMeter, SegmentationMeter } from "../dist/src/vision/scenes/metrics.js";
import { localizationTargets, sceneImages, semanticTargets, TEST_SEED } from "../dist/src/vision/scenes/task-data.js";
import { DoubleConv } from "../dist/src/vision/models/unet.js";
import { diceLoss } from "../dist/src/vision/tasks/segmentation.js";

const [perEpoch, nTest, epochs, seed] = [4000, 500, 6, 0].map((d, i) => Number(process.argv[2 + i] ?? d));
const runs = (process.argv[6] ?? "apart,joint,uncertainty").split(",");
const { multitask } = fl.learn;
const { nn } = fl;
const F = nn.functional;
const SIZE = 64;
const BATCH = 32;
const WIDTH = 16;
const DEPTH = 3;
const GEN = { size: SIZE, objects: "digits", minObjects: 1, maxObjects: 1 };
const TASKS = ["class", "box", "seg"];

/** Images, [N, 5] localization targets and [N, S, S] masks of a generated split. */
async function split(count, which, s) {
  const set = await generateScenes({ ...GEN, count, split: which, seed: s });
  return { set, x: sceneImages(set), loc: localizationTargets(set), seg: semanticTargets(set) };
}

const test = await split(nTest, "test", TEST_SEED);
const classes = test.set.classes.length;
const first = await split(perEpoch, "train", seed);
const pre = { size: SIZE, ...imageStats(first.x), generator: null };

class Trunk extends nn.Module {
  constructor(decoder) {
    super();
    this.inc = new DoubleConv(3, WIDTH);
    this.down = new nn.ModuleList(Array.from({ length: DEPTH }, (_, i) => new DoubleConv(WIDTH * 2 ** i, WIDTH * 2 ** (i + 1))));
    if (!decoder) return;
    this.up = new nn.ModuleList(
      Array.from({ length: DEPTH }, (_, k) => new nn.ConvTranspose2d(WIDTH * 2 ** (DEPTH - k), WIDTH * 2 ** (DEPTH - k - 1), 2, { stride: 2 })),
    );
    this.upConv = new nn.ModuleList(Array.from({ length: DEPTH }, (_, k) => new DoubleConv(WIDTH * 2 ** (DEPTH - k), WIDTH * 2 ** (DEPTH - k - 1))));
  }
  /** The skips and the coarsest map (8 × 8 at 64 px). */
  encode(x) {
    const skips = [this.inc.forward(x)];
    for (const d of this.down) skips.push(d.forward(F.maxPool2d(skips.at(-1), 2)));
    return skips;
  }
  decode(skips) {
    const s = [...skips];
    let y = s.pop();
    for (let i = 0; i < DEPTH; i++) y = this.upConv.at(i).forward(fl.cat([s.pop(), this.up.at(i).forward(y)], 1));
    return y;
  }
}

const C = WIDTH * 2 ** DEPTH;
class SceneNet extends nn.Module {
  constructor(tasks) {
    super();
    this.tasks = tasks;
    this.trunk = new Trunk(tasks.includes("seg"));
    if (tasks.includes("class")) this.classHead = new nn.Linear(2 * C, classes);
    if (tasks.includes("box"))
      this.boxHead = new nn.Sequential(new nn.AdaptiveAvgPool2d(4), new nn.Flatten(), new nn.Dropout(0.2), new nn.Linear(C * 16, 128), new nn.ReLU(), new nn.Linear(128, 4));
    if (tasks.includes("seg")) this.segHead = new nn.Conv2d(WIDTH, classes + 1, 1);
  }
  forward(x) {
    const skips = this.trunk.encode(x);
    const f = skips.at(-1);
    const out = {};
    if (this.classHead) out.class = this.classHead.forward(fl.cat([f.mean({ dim: [2, 3] }), f.amax([2, 3])], 1));
    if (this.boxHead) out.box = this.boxHead.forward(f);
    if (this.segHead) out.seg = this.segHead.forward(this.trunk.decode(skips));
    return out;
  }
}

const lossOf = {
  class: (o, y) => F.crossEntropy(o.class, y.loc.select(1, 0).long()),
  box: (o, y) => {
    const box = o.box.sigmoid();
    const t = y.loc.narrow(1, 1, 4);
    const { giou } = cxcywhIou(box, t);
    return F.l1Loss(box, t).mul(5).add(giou.neg().add(1).mean().mul(2));
  },
  seg: (o, y) => F.crossEntropy(o.seg, y.seg, { ignoreIndex: 255 }).add(diceLoss(o.seg, y.seg)),
};

async function fit(model, weighting) {
  fl.manualSeed(seed);
  const params = [...model.parameters(), ...(weighting.parameters?.() ?? [])];
  const steps = epochs * Math.ceil(perEpoch / BATCH);
  const opt = new fl.optim.AdamW(params, { lr: 2e-3, weightDecay: 1e-4 });
  const sched = new fl.optim.OneCycleLR(opt, { maxLr: 2e-3, totalSteps: steps });
  model.train();
  for (let e = 0; e < epochs; e++) {
    const d = e === 0 ? first : await split(perEpoch, "train", seed + 7919 * e);
    const order = fl.data.permutation(perEpoch, seed + 1000 * e);
    for (let s = 0; s < perEpoch; s += BATCH)
      fl.tidy(() => {
        const idx = fl.tensor(Array.from(order.slice(s, s + BATCH)), { dtype: "int64" });
        const x = normalise(d.x.indexSelect(0, idx), pre);
        const y = { loc: d.loc.indexSelect(0, idx), seg: d.seg.indexSelect(0, idx) };
        const out = model.forward(x);
        const losses = Object.fromEntries(model.tasks.map((t) => [t, lossOf[t](out, y)]));
        const loss = weighting.combine(losses);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        sched.step();
      });
    if (e > 0) for (const t of [d.x, d.loc, d.seg]) t.dispose();
  }
}

function score(model) {
  model.eval();
  const loc = new LocalizationMeter(classes);
  const seg = new SegmentationMeter(classes + 1);
  const r = {};
  let correct = 0;
  fl.noGrad(() => {
    for (let s = 0; s < nTest; s += 100)
      fl.tidy(() => {
        const n = Math.min(100, nTest - s);
        const out = model.forward(normalise(test.x.narrow(0, s, n), pre));
        const y = test.loc.narrow(0, s, n);
        if (out.class) correct += out.class.argmax(1).eq(y.select(1, 0).long()).sum().item();
        // The meter reads [N, C + 4]; only the box columns matter when there is no class head.
        if (out.box) loc.update(fl.cat([out.class ?? fl.zeros([n, classes]), out.box], 1), y);
        if (out.seg) seg.update(out.seg, test.seg.narrow(0, s, n));
      });
  });
  if (model.tasks.includes("class")) r.accuracy = correct / nTest;
  if (model.tasks.includes("box")) r.meanIou = loc.compute().meanIou;
  if (model.tasks.includes("seg")) r.mIoU = seg.compute().meanIou;
  return r;
}

console.log(JSON.stringify({ scenesPerEpoch: perEpoch, testScenes: nTest, epochs, seed, classes, width: WIDTH, depth: DEPTH }));
for (const run of runs) {
  const t0 = Date.now();
  let r = {};
  const params = {};
  if (run === "apart" || TASKS.includes(run)) {
    // "apart": the three single-task networks; "class", "box" or "seg": one of them.
    for (const t of run === "apart" ? TASKS : [run]) {
      const m = new SceneNet([t]);
      params[t] = m.numParameters();
      await fit(m, new multitask.FixedWeighting({ [t]: 1 }));
      Object.assign(r, score(m));
    }
  } else {
    const m = new SceneNet(TASKS);
    params.joint = m.numParameters();
    const w = run === "uncertainty" ? new multitask.UncertaintyWeighting(TASKS) : new multitask.FixedWeighting({ class: 1, box: 1, seg: 1 });
    await fit(m, w);
    r = score(m);
    if (run === "uncertainty") r.finalWeights = w.weights();
  }
  console.log(JSON.stringify({ run, ...r, params, seconds: (Date.now() - t0) / 1000 }));
}
