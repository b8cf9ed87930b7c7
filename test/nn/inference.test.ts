// The inference path (issue 24): oneDNN tensors (toMkldnn / toDense), the dense fallback of ops
// without a oneDNN kernel, and optimizeForInference choosing a layout that gives the dense
// forward's numbers.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const { nn } = fl;

/** A deterministic input that does not touch the global generator. */
const wave = (shape: number[]): fl.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return fl.tensor(
    Float32Array.from({ length: n }, (_, i) => Math.sin(0.37 * i) + 0.1 * Math.cos(1.3 * i)),
    { shape },
  );
};

const maxDiff = (a: fl.Tensor, b: fl.Tensor): number => fl.tidy(() => a.sub(b).abs().max().item() as number);

const smallCnn = (): fl.nn.Sequential =>
  new nn.Sequential(
    new nn.Conv2d(3, 8, 3, { padding: 1, bias: false }),
    new nn.BatchNorm2d(8),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.AdaptiveAvgPool2d(2),
    new nn.Flatten(),
    new nn.Linear(64, 5),
  );

test("toMkldnn / toDense round-trip the values; a oneDNN tensor's data reads densely and it has no strides", () => {
  const x = wave([2, 3, 5, 5]);
  const m = x.toMkldnn();
  assert.equal(m.isMkldnn, true);
  assert.equal(x.isMkldnn, false);
  assert.deepEqual(m.shape, [2, 3, 5, 5]);
  assert.deepEqual(Array.from(m.data() as Float32Array), Array.from(x.data() as Float32Array));
  const d = m.toDense();
  assert.equal(d.isMkldnn, false);
  assert.equal(maxDiff(d, x), 0);
  assert.equal(m.sum().item(), x.sum().item(), "a reduction without a oneDNN kernel takes a dense copy");
  assert.throws(() => m.strides, /oneDNN \(mkldnn\) tensor has no strides/);
  assert.equal(m.isContiguous(), false);
  // toDense of a strided tensor is an alias: disposing it leaves x.
  const alias = x.toDense();
  alias.dispose();
  assert.equal(x.disposed, false);
  assert.throws(
    () => fl.tensor([1n, 2n]).toMkldnn(),
    (e: fl.FlambeauError) => e.code === "E_ARG" && /toMkldnn.*int64/.test(e.message),
  );
  for (const t of [x, m, d]) t.dispose();
});

test("ops with a oneDNN kernel keep the layout; ops without one give the dense op's result, the second time without a refusal", () => {
  const x = wave([2, 4, 6, 6]);
  const m = x.toMkldnn();
  const relu = m.relu();
  assert.equal(relu.isMkldnn, true, "relu has a oneDNN kernel");
  assert.equal(maxDiff(relu.toDense(), x.relu()), 0);
  for (let round = 0; round < 2; round++) {
    const cat = fl.cat([m, m], 1);
    assert.equal(cat.isMkldnn, false);
    assert.equal(maxDiff(cat, fl.cat([x, x], 1)), 0);
    const silu = nn.functional.silu(m);
    assert.ok(maxDiff(silu, nn.functional.silu(x)) < 1e-6);
    const mean = m.mean([2, 3]);
    assert.ok(maxDiff(mean, x.mean([2, 3])) < 1e-6);
  }
  // Broadcasting onto a oneDNN tensor (a kernel for same-shape adds only) also falls back.
  const bias = wave([1, 4, 1, 1]);
  assert.ok(maxDiff(m.add(bias).toDense(), x.add(bias)) < 1e-6);
  fl.tidy(() => undefined);
});

test("an in-place op without a oneDNN kernel raises instead of writing into a copy", () => {
  const m = wave([1, 2, 3, 3]).toMkldnn();
  assert.throws(
    () => m.clamp_(-0.5, 0.5),
    (e: fl.FlambeauError) => e instanceof fl.FlambeauError && /clamp_/.test(e.message),
  );
});

test("optimizeForInference: oneDNN's layout gives the eager forward's numbers on a conv-BN-ReLU-pool net and reads the current weights", () => {
  fl.manualSeed(0);
  const net = smallCnn();
  const x = wave([4, 3, 12, 12]);
  net.eval();
  const eager = fl.noGrad(() => net.forward(x));
  const fast = nn.utils.optimizeForInference(net, x, { layout: "mkldnn" });
  assert.equal(fast.layout, "mkldnn");
  const y = fast.forward(x);
  assert.equal(y.isMkldnn, false, "the output is dense");
  assert.equal(y.requiresGrad, false);
  assert.ok(maxDiff(y, eager) < 1e-5, `|Δ| ${maxDiff(y, eager)}`);
  // Nothing is packed: a weight changed afterwards is what the next forward uses.
  fl.noGrad(() => (net.at(0) as fl.nn.Conv2d).weight.mul_(2));
  const eager2 = fl.noGrad(() => net.forward(x));
  const y2 = fast.forward(x);
  assert.ok(maxDiff(eager2, eager) > 1e-3);
  assert.ok(maxDiff(y2, eager2) < 1e-5);
  // auto measures, and keeps oneDNN's layout only when it is faster; either way the numbers agree.
  const auto = nn.utils.optimizeForInference(net, x, { runs: 3 });
  assert.match(auto.reason, /^1: oneDNN [\d.]+ ms, dense [\d.]+ ms; \d+: oneDNN [\d.]+ ms, dense [\d.]+ ms$/);
  for (const n of [1, 3, 8, 17]) {
    const xn = wave([n, 3, 12, 12]);
    assert.ok(
      maxDiff(
        auto.forward(xn),
        fl.noGrad(() => net.forward(xn)),
      ) < 1e-5,
      `batch ${n}`,
    );
  }
  assert.ok(maxDiff(auto.forward(x), eager2) < 1e-5);
  assert.equal(net.training, false);
});

test("optimizeForInference frees every intermediate: live tensors stay flat over 200 forwards", () => {
  const net = smallCnn();
  const x = wave([2, 3, 8, 8]);
  const fast = nn.utils.optimizeForInference(net, x, { layout: "mkldnn" });
  fast.forward(x).dispose();
  const before = fl.memory().liveTensors;
  for (let i = 0; i < 200; i++) fast.forward(x).dispose();
  // Earlier tests' garbage may be collected meanwhile: the count may fall, never grow.
  assert.ok(fl.memory().liveTensors <= before, `${fl.memory().liveTensors} live tensors after, ${before} before`);
});

test("optimizeForInference keeps the dense layout, saying why, where oneDNN's cannot run or is not asked for", () => {
  const net = smallCnn();
  const ints = nn.utils.optimizeForInference(new nn.Identity(), fl.tensor([1n, 2n]));
  assert.equal(ints.layout, "dense");
  assert.match(ints.reason, /int64/);
  const dense = nn.utils.optimizeForInference(net, wave([1, 3, 8, 8]), { layout: "dense" });
  assert.equal(dense.layout, "dense");
  assert.equal(dense.batchLayout, "dense");
  class Pair extends nn.Module {
    forward(x: fl.Tensor) {
      return [x, x];
    }
  }
  assert.throws(() => nn.utils.optimizeForInference(new Pair(), wave([1, 2])), /must return a Tensor/);
  assert.throws(() => nn.utils.optimizeForInference(net, wave([1, 3, 8, 8]), { layout: "fast" as "auto" }), /layout must be/);
  assert.throws(() => nn.utils.optimizeForInference(net, wave([1, 3, 8, 8]), { runs: 0 }), /runs must be a positive integer/);
  assert.throws(() => nn.utils.optimizeForInference(net, [1, 0, 8]), /an example shape must be positive integers, got \[1, 0, 8\]/);
  assert.throws(() => nn.utils.optimizeForInference(net, "x" as unknown as number[]), /example must be a Tensor or a shape/);
  // A shape (what a predictor knows) measures on a deterministic input it makes and frees.
  const live = fl.memory().liveTensors;
  const byShape = nn.utils.optimizeForInference(net, [1, 3, 8, 8], { runs: 2 });
  assert.match(byShape.reason, /^1: oneDNN/);
  assert.ok(fl.memory().liveTensors <= live, "the example is freed");
  const x = wave([2, 3, 8, 8]);
  assert.ok(
    maxDiff(
      byShape.forward(x),
      fl.noGrad(() => net.forward(x)),
    ) < 1e-5,
  );
});
