// Static post-training quantization and dynamic quantization of whole models: observers give
// PyTorch's qparams, a calibrated conv net's int8 outputs stay close to its float ones, errors
// name the layer that cannot be quantized, and a model directory with a quantization plan
// loads back into the same int8 model.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as fl from "flambeau";
import { hasTorch, NO_TORCH, torchRef } from "../learn/compress/torch-ref.js";

const nn = fl.nn;
const Q = fl.quantization;
const fwd = (m: fl.nn.Module, x: fl.Tensor): fl.Tensor => (m.forward as (x: fl.Tensor) => fl.Tensor).call(m, x);
const arr = (t: fl.Tensor): number[] => Array.from(t.float().data() as Float32Array);
const dir = mkdtempSync(join(tmpdir(), "fl-int8-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function cnn(): fl.nn.Module {
  fl.manualSeed(7);
  class Net extends nn.Module {
    features = new nn.Sequential(
      new nn.Conv2d(1, 8, 3, { padding: 1, bias: false }),
      new nn.BatchNorm2d(8),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(8, 16, 3, { padding: 1 }),
      new nn.BatchNorm2d(16),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
    );
    classifier = new nn.Sequential(
      new nn.Flatten(),
      new nn.Dropout(0.2),
      new nn.Linear(16 * 7 * 7, 32),
      new nn.ReLU(),
      new nn.Linear(32, 10),
    );
    forward(x: fl.Tensor): fl.Tensor {
      return this.classifier.forward(this.features.forward(x));
    }
  }
  const m = new Net();
  // Non-trivial BN statistics, so fusion matters.
  fl.noGrad(() => {
    for (const bn of m.modules().filter((x) => x instanceof nn.BatchNorm2d) as fl.nn.BatchNorm2d[]) {
      bn.getBuffer("running_mean")!.copy_(fl.randn([bn.numFeatures]).mul(0.1));
      bn.getBuffer("running_var")!.copy_(fl.rand([bn.numFeatures]).add(0.5));
    }
  });
  return m.eval();
}

const batches = (n: number, seed: number) => {
  fl.manualSeed(seed);
  return Array.from({ length: n }, () => fl.rand([16, 1, 28, 28]));
};

describe("observers", () => {
  it("MinMaxObserver's qparams equal torch.ao.quantization.MinMaxObserver's (full and reduced range)", {
    skip: hasTorch ? false : NO_TORCH,
  }, () => {
    const xs = [
      [-1.5, 0.2, 3.7],
      [0.5, 2, 9],
      [-4, -1, -0.25],
    ];
    for (const reduce of [false, true]) {
      const ref = torchRef<[number, number][]>(
        `
from torch.ao.quantization import MinMaxObserver
out = []
for x in inp["xs"]:
    o = MinMaxObserver(dtype=torch.quint8, reduce_range=inp["reduce"])
    o(torch.tensor(x))
    s, z = o.calculate_qparams()
    out.append([float(s), int(z)])
`,
        { xs, reduce },
      );
      xs.forEach((x, i) => {
        const o = new Q.MinMaxObserver();
        o.observe(fl.tensor(x));
        const q = o.qparams("test", reduce);
        assert.ok(Math.abs(q.scale - ref[i]![0]) < 1e-7 * ref[i]![0], `scale ${q.scale} vs ${ref[i]![0]}`);
        assert.equal(q.zeroPoint, ref[i]![1]);
      });
    }
  });
});

describe("static post-training quantization", () => {
  for (const engine of Q.supportedQuantizedEngines()) {
    it(`${engine}: prepare → calibrate → convert keeps a conv net's outputs and predictions`, () => {
      Q.setQuantizedEngine(engine);
      const model = cnn();
      const test = batches(2, 99);
      const float = test.map((x) => arr(fl.noGrad(() => fwd(model, x))));
      Q.prepare(model);
      fl.noGrad(() => {
        for (const x of batches(4, 1)) fwd(model, x);
      });
      const plan = Q.convert(model);
      assert.equal(plan.kernels, "static");
      assert.equal(plan.engine, engine);
      if (plan.kernels !== "static") return;
      assert.deepEqual(
        plan.groups.map((g) => g.layers),
        [
          ["features.0", "features.1", "features.2"],
          ["features.4", "features.5", "features.6"],
          ["classifier.2", "classifier.3"],
          ["classifier.4"],
        ],
      );
      assert.ok(Q.quantizedModuleOf(model.modules().find((m) => m instanceof nn.Conv2d)!) instanceof Q.QuantizedConv2d);
      const range = Math.max(...float.flat()) - Math.min(...float.flat());
      let agree = 0;
      let total = 0;
      test.forEach((x, b) => {
        const y = fl.noGrad(() => fwd(model, x));
        assert.equal(Q.isQuantized(y), false, "the last layer dequantizes");
        const got = arr(y);
        const err = got.reduce((m, v, i) => Math.max(m, Math.abs(v - float[b]![i]!)), 0);
        assert.ok(err < 0.05 * range, `max error ${err} vs output range ${range}`);
        for (let r = 0; r < 16; r++) {
          const am = (v: number[]) => v.slice(r * 10, r * 10 + 10).reduce((bi, x, i, a) => (x > a[bi]! ? i : bi), 0);
          agree += am(got) === am(float[b]!) ? 1 : 0;
          total++;
        }
      });
      assert.ok(agree / total >= 0.9, `argmax agreement ${agree}/${total}`);
      Q.setQuantizedEngine("onednn");
    });
  }

  it("a layer that cannot take quantized tensors is an error naming it", () => {
    const m = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.Softmax(1));
    assert.throws(
      () => Q.prepare(m),
      (e: unknown) => e instanceof fl.FlambeauError && /layer "1" \(Softmax\) cannot run on quantized tensors/.test(e.message),
    );
    const bnAlone = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.BatchNorm2d(4));
    assert.throws(() => Q.prepare(bnAlone), /layer "2" \(BatchNorm2d\).*only supported right after a Conv2d/);
  });

  it("convert before calibration is an error", () => {
    const m = cnn();
    assert.throws(() => Q.convert(m), /prepare the model and calibrate it first/);
    Q.prepare(m);
    assert.throws(() => Q.convert(m), /never ran during calibration/);
  });
});

describe("dynamic quantization", () => {
  it("quantizeDynamic runs every Linear on int8 weights, close to float", () => {
    fl.manualSeed(3);
    const m = new nn.Sequential(new nn.Linear(20, 64), new nn.Tanh(), new nn.Linear(64, 5)).eval();
    const x = fl.randn([8, 20]);
    const before = arr(fl.noGrad(() => m.forward(x)));
    const plan = Q.quantizeDynamic(m);
    assert.deepEqual(plan.kernels === "dynamic" && plan.layers, ["0", "2"]);
    const got = arr(fl.noGrad(() => m.forward(x)));
    const err = got.reduce((a, v, i) => Math.max(a, Math.abs(v - before[i]!)), 0);
    assert.ok(err < 0.05, `max error ${err}`);
    assert.throws(() => Q.quantizeDynamic(new nn.Sequential(new nn.ReLU())), /has no Linear, LSTM or GRU layer/);
  });
});

describe("int8 model directory", () => {
  it("a saved plan rebuilds the same quantized model when the directory is loaded", async () => {
    const model = cnn();
    const x = batches(1, 5)[0]!;
    Q.prepare(model);
    fl.noGrad(() => {
      for (const b of batches(3, 2)) fwd(model, b);
    });
    // What compress stores: the float weights as int8 + scales, and the plan.
    const { weights } = fl.learn.compress.quantizedStateDict(cnn(), { dtype: "int8" });
    const plan = Q.convert(model);
    const d = join(dir, "m");
    await fl.train.saveModelDir(d, { task: "image-classification", architecture: "test-net", hyper: {} }, weights);
    await fl.learn.compress.annotate(d, { quantization: "int8", int8Kernels: plan });
    const loaded = await fl.train.loadModelDir(d);
    const again = cnn();
    again.loadStateDict(loaded.weights);
    assert.ok(Q.quantizedModuleOf(again.modules().find((m) => m instanceof nn.Linear)!) instanceof Q.QuantizedLinear);
    const a = arr(fl.noGrad(() => fwd(model, x)));
    const b = arr(fl.noGrad(() => fwd(again, x)));
    // The stored int8 weights repack to the same integers: identical outputs.
    assert.deepEqual(b, a);
  });
});
