// Structured pruning that removes channels: the rebuilt small-cnn computes what the masked one
// does (to 1e-5), the smaller widths survive a save and load through the model directory, and
// `compress --shrink` writes a variant that the task's eval and loadModule read as a smaller net.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as fl from "flambeau";
import { writeFashionImageFolder } from "../helpers/image-folder.js";

const C = fl.learn.compress;
const { maskFollowers, shrinkStateDict, writeShrunkConfig } = C;
const { SmallCNN } = fl.vision;
type SmallCNN = fl.vision.SmallCNN;
const fwd = (m: fl.nn.Module, x: fl.Tensor): fl.Tensor => (m.forward as (x: fl.Tensor) => fl.Tensor).call(m, x);
const arr = (t: fl.Tensor): number[] => Array.from(t.float().contiguous().data() as Float32Array);
const count = (m: fl.nn.Module) => m.parameters().reduce((s, p) => s + p.numel, 0);
const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function trainedLike(o: { width: number; size: number }): SmallCNN {
  fl.manualSeed(3);
  const m = new SmallCNN({ inChannels: 1, numClasses: 10, size: o.size, width: o.width });
  fl.noGrad(() => {
    for (const bn of m.modules().filter((x) => x instanceof fl.nn.BatchNorm2d) as fl.nn.BatchNorm2d[]) {
      bn.getBuffer("running_mean")!.copy_(fl.randn([bn.numFeatures]).mul(0.2));
      bn.getBuffer("running_var")!.copy_(fl.rand([bn.numFeatures]).add(0.5));
      bn.bias!.copy_(fl.randn([bn.numFeatures]).mul(0.1));
    }
  });
  return m.eval();
}

describe("shrink", () => {
  for (const [amount, size] of [
    [0.5, 28],
    [0.8, 28],
    [0.5, 32],
  ] as const) {
    it(`a ${amount * 100} % channel-pruned small-cnn (${size} px) rebuilt smaller gives the masked net's outputs`, () => {
      const m = trainedLike({ width: 8, size });
      C.pruneModel(m, { amount, structured: true });
      maskFollowers(m);
      fl.manualSeed(4);
      const x = fl.randn([5, 1, size, size]);
      const masked = arr(fl.noGrad(() => fwd(m, x)));
      C.removePruning(m);
      const { weights, layers } = shrinkStateDict(m);
      const keep = (n: number) => n - Math.round(amount * n);
      assert.deepEqual(
        layers.map((l) => [l.layer, l.out, l.of]),
        [
          ["features.0", keep(8), 8],
          ["features.4", keep(16), 16],
          ["classifier.2", keep(32), 32],
          ["classifier.5", 10, 10],
        ],
      );
      const small = new SmallCNN({ inChannels: 1, numClasses: 10, size, channels: [keep(8), keep(16)], hidden: keep(32) });
      small.loadStateDict(weights);
      small.eval();
      const out = arr(fl.noGrad(() => fwd(small, x)));
      const worst = Math.max(...out.map((v, i) => Math.abs(v - masked[i]!)));
      assert.ok(worst < 1e-5, `max |shrunk − masked| ${worst}`);
      assert.ok(count(small) < count(m) * (1 - amount) + 400, `${count(small)} of ${count(m)} parameters`);
    });
  }

  it("without maskFollowers a pruned channel's BatchNorm β keeps it alive (not removed)", () => {
    const m = trainedLike({ width: 8, size: 28 });
    C.pruneModel(m, { amount: 0.5, structured: true });
    C.removePruning(m);
    const { layers } = shrinkStateDict(m);
    assert.equal(layers[0]!.out, 8);
  });

  it("names the layer it cannot pass", () => {
    const m = new fl.nn.Sequential(new fl.nn.Conv2d(1, 4, 3), new fl.nn.Softmax(1), new fl.nn.Conv2d(4, 2, 3));
    assert.throws(() => shrinkStateDict(m), /layer "1" \(Softmax\) is not one removing channels can pass/);
  });
});

describe("compress --shrink", () => {
  it("writes a smaller small-cnn that loads, evaluates and predicts; other architectures are refused", async () => {
    const root = await writeFashionImageFolder({ train: 20, test: 8 });
    roots.push(root);
    const task = fl.tasks.getTask("image-classification");
    const base = join(root, "model");
    await task.train({ data: join(root, "train"), out: base, epochs: 1, seed: 0 });
    const results = await C.compressModelDir(task, {
      dir: base,
      out: join(root, "cmp"),
      data: join(root, "test"),
      prune: [0.5],
      shrink: true,
    });
    assert.deepEqual(
      results.map((r) => r.variant),
      ["baseline", "pruned-50-shrunk"],
    );
    const [b, s] = results as [fl.learn.compress.VariantResult, fl.learn.compress.VariantResult];
    const config = JSON.parse(readFileSync(join(s.dir, "config.json"), "utf8"));
    assert.deepEqual([config.hyper.channels, config.hyper.hidden], [[16, 32], 64]);
    assert.equal(config.compression.pruned.shrunk, true);
    assert.ok(s.parameters < b.parameters / 3, `${s.parameters} of ${b.parameters}`);
    assert.ok(s.bytes < b.bytes / 3);
    const model = await task.loadModule!(s.dir);
    assert.equal(count(model), s.parameters);
    model.dispose();
    const classify = await fl.pipeline("image-classification", s.dir);
    try {
      const bag = join(root, "test", "bag");
      const [first] = await classify.predict([join(bag, (await import("node:fs")).readdirSync(bag)[0]!)]);
      assert.ok(first!.labels[0]!.probability > 0);
    } finally {
      classify.dispose();
    }
    // The variant directory round-trips through writeShrunkConfig unchanged.
    await writeShrunkConfig(s.dir, [
      { layer: "features.0", kind: "conv2d", out: 16, of: 32 },
      { layer: "features.4", kind: "conv2d", out: 32, of: 64 },
      { layer: "classifier.2", kind: "linear", out: 64, of: 128 },
      { layer: "classifier.5", kind: "linear", out: 3, of: 3 },
    ]);
    const again = await task.evaluate(s.dir, join(root, "test"));
    assert.equal(again.accuracy, s.value);

    const lenet = join(root, "lenet");
    await task.train({ data: join(root, "train"), out: lenet, model: "lenet5", epochs: 1, seed: 0 });
    await assert.rejects(
      C.compressModelDir(task, { dir: lenet, out: join(root, "cmp2"), data: join(root, "test"), prune: [0.5], shrink: true }),
      /--shrink rebuilds small-cnn only, not "lenet5"/,
    );
  });
});
