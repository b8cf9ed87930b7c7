// Weight quantization for compression: int8 per-channel values by hand, a quantized model
// directory read back by loadModelDir with outputs close to the float model's and a smaller
// file, float16 storage, and the errors for unsupported layers and malformed scales.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as fl from "flambeau";

const nn = fl.nn;
const C = fl.learn.compress;
const dir = mkdtempSync(join(tmpdir(), "fl-quant-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function net(): fl.nn.Sequential {
  fl.manualSeed(4);
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3),
    new nn.BatchNorm2d(16),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear(16 * 6 * 6, 64),
    new nn.ReLU(),
    new nn.Linear(64, 10),
  );
}
const arr = (t: fl.Tensor): number[] => Array.from(t.float().data() as Float32Array);

async function saveDir(name: string, weights: ReadonlyMap<string, fl.Tensor>): Promise<string> {
  const d = join(dir, name);
  await fl.train.saveModelDir(d, { task: "image-classification", architecture: "test-net", hyper: {} }, new Map(weights));
  return d;
}

describe("int8 weights", () => {
  it("quantizes each output channel with its own symmetric scale (by hand)", () => {
    const w = fl.tensor([
      [1, -2, 0.5],
      [0, 0, 0],
      [0.1, 0.2, -0.3],
    ]);
    const { q, scale } = fl.io.quantizeInt8(w);
    assert.equal(q.dtype, "int8");
    assert.deepEqual(scale.shape, [3, 1]);
    const s = arr(scale);
    assert.ok(Math.abs(s[0]! - 2 / 127) < 1e-9 && s[1] === 1 && Math.abs(s[2]! - 0.3 / 127) < 1e-9);
    // round(w / scale), halves to even as torch.round: 63.5 → 64, 31.75 → 32; 42.33 → 42, 84.67 → 85.
    assert.deepEqual(Array.from(q.data() as Int8Array), [64, -127, 32, 0, 0, 0, 42, 85, -127]);
    const back = arr(fl.io.dequantizeInt8(q, scale));
    arr(w).forEach((v, i) => {
      assert.ok(Math.abs(back[i]! - v) <= s[Math.floor(i / 3)]! / 2 + 1e-7);
    });
  });

  it("a quantized model directory loads as float32, predicts within tolerance and is about 4× smaller", async () => {
    const model = net();
    model.eval();
    fl.manualSeed(1);
    const x = fl.randn([8, 1, 8, 8]);
    const ref = model.forward(x) as fl.Tensor;
    const floatDir = await saveDir("float", model.stateDict());
    const { weights, layers } = C.quantizedStateDict(model, { dtype: "int8" });
    assert.deepEqual(
      layers.map((l) => `${l.layer}:${l.quantized.join("+")}`),
      ["0:weight", "4:weight", "6:weight"],
    );
    assert.equal(weights.get("4.weight")!.dtype, "int8");
    assert.equal(weights.get("4.bias")!.dtype, "float32");
    assert.equal(weights.get("1.weight")!.dtype, "float32", "BatchNorm stays float");
    const qDir = await saveDir("int8", weights);
    const { weights: loaded } = await fl.train.loadModelDir(qDir);
    assert.equal(loaded.get("4.weight")!.dtype, "float32");
    assert.equal(loaded.has("4.weight_int8_scale"), false);
    const back = net();
    back.loadStateDict(loaded);
    back.eval();
    const out = back.forward(x) as fl.Tensor;
    const err = out.sub(ref).abs().max().item();
    const span = ref.abs().max().item();
    assert.ok(err < 0.02 * span, `int8 outputs within 2 % of the float range (max error ${err}, range ${span})`);
    const ratio = statSync(join(qDir, "model.safetensors")).size / statSync(join(floatDir, "model.safetensors")).size;
    assert.ok(ratio < 0.3, `int8 file is ${ratio.toFixed(3)} of the float one`);
  });

  it("float16 storage loads into a float32 model", async () => {
    const model = net();
    model.eval();
    const x = fl.randn([2, 1, 8, 8]);
    const { weights } = C.quantizedStateDict(model, { dtype: "float16" });
    assert.equal(weights.get("0.weight")!.dtype, "float16");
    const back = net();
    back.loadStateDict((await fl.train.loadModelDir(await saveDir("half", weights))).weights);
    back.eval();
    const err = (back.forward(x) as fl.Tensor)
      .sub(model.forward(x) as fl.Tensor)
      .abs()
      .max()
      .item();
    assert.ok(err < 1e-2, `float16 error ${err}`);
  });
});

class Scaled extends nn.Module {
  gain = new nn.Parameter(fl.ones([4, 4]));
  forward(x: fl.Tensor): fl.Tensor {
    return x.matmul(this.gain);
  }
}

describe("bad inputs name the layer or key", () => {
  it("a layer int8 does not support is an error naming it, unless kept in float", () => {
    const model = new nn.Sequential(new nn.Linear(4, 4), new Scaled());
    assert.throws(
      () => C.quantizedStateDict(model, { dtype: "int8" }),
      (e: Error) => e.name === "FlambeauError" && /layer "1" \(Scaled\) holds matrix weights \(gain\)/.test(e.message),
    );
    const { layers } = C.quantizedStateDict(model, { dtype: "int8", keepFloat: ["1"] });
    assert.deepEqual(
      layers.map((l) => l.layer),
      ["0"],
    );
    assert.throws(() => C.quantizedStateDict(model, { dtype: "int8", keepFloat: ["head"] }), /no layer "head"/);
    assert.throws(
      () => C.quantizedStateDict(model, { dtype: "int4" as never }),
      /dtype must be one of int8, float16, bfloat16, got "int4"/,
    );
  });

  it("a scale of the wrong shape is a malformed file", () => {
    const w = new Map([
      ["fc.weight", fl.zeros([3, 2], { dtype: "int8" })],
      ["fc.weight_int8_scale", fl.ones([2, 1])],
    ]);
    assert.throws(
      () => fl.io.dequantizeWeights(w, "m.safetensors"),
      (e: Error) =>
        e.name === "FlambeauError" && /m\.safetensors: "fc\.weight_int8_scale" must be .*\[3, 1\].*got float32 \[2, 1\]/.test(e.message),
    );
  });
});
