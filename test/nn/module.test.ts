// Module behaviour: PyTorch's state-dict keys and printing, strict loading errors,
// default initialisation bounds, train/eval switching, tidy-safety of parameters.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { readFixture } from "../helpers/fixtures.js";
import { smallCnn } from "../helpers/models.js";

const nn = fl.nn;
const structure = readFixture<{ keys: Record<string, string[]>; reprs: Record<string, string> }>("nn", "structure.json");
const cnn = smallCnn;

test("state-dict keys equal PyTorch's", () => {
  assert.deepEqual([...cnn().stateDict().keys()], structure.keys.cnn);
  assert.deepEqual([...new nn.LSTM(4, 5, { numLayers: 2, bidirectional: true }).stateDict().keys()], structure.keys.lstm);
  const enc = new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 2);
  assert.deepEqual([...enc.stateDict().keys()], structure.keys.encoder);
  assert.deepEqual([...new nn.MultiheadAttention(8, 2, { kdim: 6, vdim: 4 }).stateDict().keys()], structure.keys.mha_kdim);
});

test("printing matches PyTorch's repr", () => {
  assert.equal(cnn().toString(), structure.reprs.cnn);
  assert.equal(new nn.LSTM(4, 5, { numLayers: 2, bidirectional: true, batchFirst: true }).toString(), structure.reprs.lstm);
  assert.equal(new nn.LayerNorm(6).toString(), structure.reprs.layernorm);
  assert.equal(new nn.Embedding(10, 4, { paddingIdx: 0 }).toString(), structure.reprs.embedding);
  assert.equal(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }).toString(), structure.reprs.encoder_layer);
  assert.equal(new nn.Conv1d(3, 4, 5, { padding: "same", bias: false }).toString(), structure.reprs.conv_same);
  assert.equal(new nn.ConvTranspose2d(4, 3, 3, { stride: 2, outputPadding: 1 }).toString(), structure.reprs.convt);
  assert.equal(new nn.Conv3d(2, 4, [1, 2, 3], { dilation: 2 }).toString(), structure.reprs.conv3d);
  assert.equal(new nn.BatchNorm1d(4, { momentum: null, affine: false }).toString(), structure.reprs.bn1d);
  const pools = new nn.Sequential(
    new nn.MaxPool1d(3, { stride: 2 }),
    new nn.AvgPool1d(2),
    new nn.AvgPool2d([2, 3]),
    new nn.AdaptiveAvgPool2d([1, 1]),
    new nn.AdaptiveMaxPool2d(2),
  );
  assert.equal(pools.toString(), structure.reprs.pools);
  const acts = new nn.Sequential(
    new nn.ReLU(),
    new nn.ReLU6(),
    new nn.GELU(),
    new nn.GELU({ approximate: "tanh" }),
    new nn.SiLU(),
    new nn.Sigmoid(),
    new nn.Tanh(),
    new nn.Mish(),
    new nn.LeakyReLU(0.2),
    new nn.ELU(0.5),
    new nn.Softplus({ beta: 2, threshold: 5 }),
    new nn.Hardtanh(-0.5, 1.5),
    new nn.Softmax(1),
    new nn.LogSoftmax(0),
    new nn.SELU(),
    new nn.CELU(0.7),
    new nn.Hardsigmoid(),
    new nn.Hardswish(),
    new nn.LogSigmoid(),
    new nn.GLU(),
    new nn.PReLU(),
  );
  assert.equal(acts.toString(), structure.reprs.acts);
  const misc = new nn.Sequential(
    new nn.Dropout(0.25),
    new nn.Identity(),
    new nn.Flatten(),
    new nn.Unflatten(1, [2, 3]),
    new nn.GroupNorm(2, 4),
    new nn.Bilinear(2, 3, 4),
    new nn.RNN(2, 3),
    new nn.GRU(2, 3, { dropout: 0.5, numLayers: 2 }),
  );
  assert.equal(misc.toString(), structure.reprs.misc);
});

test("loadStateDict: strict errors list missing, unexpected and mis-shaped keys", () => {
  const m = new nn.Linear(3, 2);
  const sd = new Map([
    ["weight", fl.zeros([2, 4])],
    ["extra", fl.zeros([1])],
  ]);
  assert.throws(
    () => m.loadStateDict(sd),
    (e: Error) =>
      e instanceof fl.FlambeauError &&
      /missing keys: bias/.test(e.message) &&
      /unexpected keys: extra/.test(e.message) &&
      /weight: checkpoint \[2, 4\] vs model \[2, 3\]/.test(e.message),
  );
  const ok = new Map([["weight", fl.ones([2, 3])]]);
  const r = m.loadStateDict(ok, { strict: false });
  assert.deepEqual(r.missingKeys, ["bias"]);
  assert.deepEqual(m.weight.toArray(), [
    [1, 1, 1],
    [1, 1, 1],
  ]);
});

test("default initialisation follows PyTorch's bounds", () => {
  fl.manualSeed(0);
  const lin = new nn.Linear(400, 300);
  const bound = 1 / Math.sqrt(400);
  assert.ok(lin.weight.abs().max().item() <= bound + 1e-7);
  assert.ok(lin.weight.abs().max().item() > 0.95 * bound);
  assert.ok(Math.abs(lin.weight.std().item() - bound / Math.sqrt(3)) < 0.002);
  const conv = new nn.Conv2d(16, 32, 3);
  const cb = 1 / Math.sqrt(16 * 9);
  assert.ok(conv.bias!.abs().max().item() <= cb + 1e-7);
  const emb = new nn.Embedding(1000, 16, { paddingIdx: 3 });
  assert.ok(Math.abs(emb.weight.std().item() - 1) < 0.05);
  assert.equal(emb.weight.select(0, 3).abs().sum().item(), 0);
});

test("train/eval switches dropout and batch-norm statistics", () => {
  const m = new nn.Sequential(new nn.Dropout(0.5));
  const x = fl.ones([1000]);
  const yTrain = m.forward(x);
  assert.ok(yTrain.eq(0).float().mean().item() > 0.4);
  m.eval();
  assert.equal(m.training, false);
  assert.equal(m.forward(x).sum().item(), 1000);
  const bn = new nn.BatchNorm2d(2);
  bn.forward(fl.randn([4, 2, 3, 3]).add(5));
  assert.ok(bn.runningMean!.mean().item() > 0.3);
  assert.equal(bn.getBuffer("num_batches_tracked")!.item(), 1);
  bn.eval();
  const before = bn.runningMean!.clone();
  bn.forward(fl.randn([4, 2, 3, 3]));
  assertEqualTensors(before, bn.runningMean!);
});

function assertEqualTensors(a: fl.Tensor, b: fl.Tensor): void {
  assert.deepEqual(a.toArray(), b.toArray());
}

test("parameters survive tidy scopes and training steps keep the live tensor count flat", () => {
  const m = cnn();
  const opt = new fl.optim.SGD(m.parameters(), { lr: 0.01 });
  const x = fl.randn([4, 1, 8, 8]);
  const y = fl.randint(0, 10, [4]);
  const step = () =>
    fl.tidy(() => {
      opt.zeroGrad();
      fl.nn.functional.crossEntropy(m.forward(x), y).backward();
      opt.step();
    });
  step();
  const live = fl.memory().liveTensors;
  for (let i = 0; i < 20; i++) step();
  assert.ok(fl.memory().liveTensors <= live + 2, `live tensors grew from ${live} to ${fl.memory().liveTensors}`);
  assert.ok(m.parameters().every((p) => !p.disposed));
});

test("zeroGrad, namedModules, numParameters, apply", () => {
  const m = cnn();
  fl.nn.functional.crossEntropy(m.forward(fl.randn([2, 1, 8, 8])), fl.tensor([1n, 2n])).backward();
  assert.ok(m.parameters().every((p) => p.grad !== null));
  m.zeroGrad();
  assert.ok(m.parameters().every((p) => p.grad === null));
  assert.deepEqual(
    m.namedModules().map(([k]) => k),
    ["", "0", "1", "2", "3", "4", "5"],
  );
  assert.equal(m.numParameters(), 8 * 9 + 8 + 16 + 1280 + 10);
  let n = 0;
  m.apply(() => n++);
  assert.equal(n, 7);
});

test("bad constructor and forward arguments raise FlambeauError", () => {
  assert.throws(() => new nn.Linear(-1, 3), fl.FlambeauError);
  assert.throws(() => new nn.Conv2d(3, 4, 3, { groups: 2 }), /divisible by groups/);
  assert.throws(() => new nn.Dropout(2), /p must be in \[0, 1\]/);
  assert.throws(() => new nn.MultiheadAttention(10, 3), /divisible by numHeads/);
  assert.throws(() => new nn.Linear(3, 2).forward(fl.zeros([2, 4])), /mat1 and mat2 shapes cannot be multiplied/);
  assert.throws(() => new nn.LSTM(4, 5).forward(fl.zeros([2, 3, 5])), /expected 4/);
  assert.throws(() => new nn.BatchNorm2d(3).forward(fl.zeros([2, 3])), /rank 4/);
});

test("a custom module: properties in declaration order, PyTorch names, buffers", () => {
  class Block extends nn.Module {
    layers = new nn.ModuleList([new nn.Linear(2, 3), new nn.Linear(3, 2)]);
    posScale = new nn.Parameter(fl.ones([2]));
    head: fl.nn.Linear | null = null;
    constructor() {
      super();
      this.registerBuffer("running_total", fl.zeros([2]));
      this.registerBuffer("cache", fl.zeros([1]), false);
    }
    forward(x: fl.Tensor): fl.Tensor {
      let y = x;
      for (const l of this.layers) y = (l as fl.nn.Linear).forward(y);
      return y.mul(this.posScale);
    }
  }
  const b = new Block();
  assert.deepEqual(
    b.namedParameters().map(([k]) => k),
    ["pos_scale", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"],
    "own parameters first, then children's (PyTorch's order)",
  );
  assert.deepEqual(
    b.namedBuffers().map(([k]) => k),
    ["running_total", "cache"],
  );
  assert.deepEqual(
    [...b.stateDict().keys()],
    ["pos_scale", "running_total", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"],
    "non-persistent buffers stay out of the state dict",
  );
  assert.deepEqual(b.parameters(false), [b.posScale]);
  assert.deepEqual(
    b.namedModules().map(([k]) => k),
    ["", "layers", "layers.0", "layers.1"],
  );
  assert.equal(b.getBuffer("running_total")!.kept, true, "buffers survive tidy scopes");
  assert.throws(() => b.loadStateDict({ pos_scale: 1 as unknown as fl.Tensor }), /value of "pos_scale" is not a Tensor/);
  // Round trip through a plain object.
  const other = new Block();
  other.loadStateDict(Object.fromEntries(b.stateDict()));
  assert.deepEqual(other.layers.at(1).stateDict().get("weight")!.toArray(), b.layers.at(1).stateDict().get("weight")!.toArray());
});

test("forward hooks see every call with inputs and output, containers included, and detach cleanly", () => {
  const lin = new nn.Linear(3, 2);
  const seq = new nn.Sequential(lin, new nn.ReLU());
  const seen: [number[], number[]][] = [];
  const h = lin.registerForwardHook((m, inputs, out) => {
    assert.equal(m, lin);
    seen.push([[...(inputs[0] as fl.Tensor).shape], [...(out as fl.Tensor).shape]]);
  });
  const order: string[] = [];
  const h2 = lin.registerForwardHook(() => order.push("second"));
  fl.tidy(() => seq.forward(fl.randn([4, 3])));
  fl.tidy(() => lin.forward(fl.randn([5, 3])));
  assert.deepEqual(seen, [
    [
      [4, 3],
      [4, 2],
    ],
    [
      [5, 3],
      [5, 2],
    ],
  ]);
  assert.deepEqual(order, ["second", "second"]);
  assert.deepEqual(
    lin.namedParameters().map(([k]) => k),
    ["weight", "bias"],
    "a hook adds nothing to parameter discovery",
  );
  h.remove();
  h2.remove();
  assert.equal(Object.hasOwn(lin, "forward"), false, "the last removal restores the class's forward");
  fl.tidy(() => seq.forward(fl.randn([1, 3])));
  assert.equal(seen.length, 2);
});
