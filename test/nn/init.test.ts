// nn.init against torch.nn.init's formulas: gains, bounds, standard deviations, orthogonality.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const init = fl.nn.init;
const absMax = (t: fl.Tensor) => t.abs().max().item();
const std = (t: fl.Tensor) => t.std().item();
const near = (a: number, b: number, rel: number, what: string) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} vs ${b}`);

test("calculateGain equals PyTorch's table", () => {
  assert.equal(init.calculateGain("linear"), 1);
  assert.equal(init.calculateGain("conv_transpose2d"), 1);
  assert.equal(init.calculateGain("sigmoid"), 1);
  assert.equal(init.calculateGain("tanh"), 5 / 3);
  assert.equal(init.calculateGain("relu"), Math.SQRT2);
  assert.equal(init.calculateGain("leaky_relu"), Math.sqrt(2 / (1 + 0.01 ** 2)));
  assert.equal(init.calculateGain("leaky_relu", 0.2), Math.sqrt(2 / 1.04));
  assert.equal(init.calculateGain("selu"), 0.75);
});

test("kaiming and xavier: bounds and standard deviations", () => {
  fl.manualSeed(3);
  const w = fl.empty([256, 128]);
  const kb = Math.SQRT2 * Math.sqrt(3 / 128); // leaky_relu with a = 0 → gain √2
  init.kaimingUniform_(w);
  assert.ok(absMax(w) <= kb && absMax(w) > 0.98 * kb);
  init.kaimingNormal_(w, { mode: "fanOut", nonlinearity: "relu" });
  near(std(w), Math.SQRT2 / Math.sqrt(256), 0.03, "kaimingNormal_ std");
  const xb = Math.sqrt(6 / (128 + 256));
  init.xavierUniform_(w);
  assert.ok(absMax(w) <= xb && absMax(w) > 0.98 * xb);
  init.xavierNormal_(w, 2);
  near(std(w), 2 * Math.sqrt(2 / 384), 0.03, "xavierNormal_ std");
  const conv = fl.empty([16, 8, 3, 3]);
  init.kaimingUniform_(conv, { a: Math.sqrt(5) });
  assert.ok(absMax(conv) <= 1 / Math.sqrt(72) && absMax(conv) > 0.95 / Math.sqrt(72), "Conv default bound 1/√fan_in");
  assert.throws(() => init.kaimingUniform_(fl.empty([5])), /rank >= 2/);
});

test("default layer initialisations use PyTorch's bounds", () => {
  fl.manualSeed(4);
  const lstm = new fl.nn.LSTM(8, 16);
  for (const p of lstm.parameters()) assert.ok(absMax(p) <= 1 / 4);
  const mha = new fl.nn.MultiheadAttention(32, 4);
  const sd = mha.stateDict();
  const xb = Math.sqrt(6 / (32 + 96));
  assert.ok(absMax(sd.get("in_proj_weight")!) <= xb && absMax(sd.get("in_proj_weight")!) > 0.95 * xb);
  assert.equal(absMax(sd.get("in_proj_bias")!), 0);
  assert.equal(absMax(sd.get("out_proj.bias")!), 0);
  const ct = new fl.nn.ConvTranspose2d(4, 6, 3);
  // fan_in of a transposed conv weight [in, out, k, k] is out·k·k, as PyTorch computes it.
  assert.ok(absMax(ct.bias!) <= 1 / Math.sqrt(54));
});

test("orthogonal_ gives (semi-)orthogonal matrices scaled by the gain", () => {
  fl.manualSeed(5);
  for (const shape of [
    [6, 10],
    [10, 6],
    [4, 2, 3],
  ]) {
    const w = init.orthogonal_(fl.empty(shape, { dtype: "float64" }), 2);
    const m = w.reshape([shape[0]!, -1]);
    const wide = m.shape[0]! <= m.shape[1]!;
    const gram = wide ? m.matmul(m.t()) : m.t().matmul(m);
    const n = gram.shape[0]!;
    const err = gram
      .sub(fl.eye(n, n, { dtype: "float64" }).mul(4))
      .abs()
      .max();
    assert.ok(err.item() < 1e-10, `[${shape.join(", ")}]: WWᵀ = 4I`);
  }
});

test("truncNormal_ stays within [a, b] with the requested centre", () => {
  fl.manualSeed(6);
  const w = init.truncNormal_(fl.empty([20000]), 0.5, 1, -1, 2);
  assert.ok(w.min().item() >= -1 && w.max().item() <= 2);
  near(w.mean().item(), 0.5, 0.05, "mean of a symmetric truncation");
  const c = init.constant_(fl.empty([3]), 0.3);
  assert.deepEqual(Array.from(c.data() as Float32Array), [0.3, 0.3, 0.3].map(Math.fround));
  assert.deepEqual(init.ones_(fl.empty([2])).toArray(), [1, 1]);
  assert.deepEqual(init.zeros_(fl.ones([2])).toArray(), [0, 0]);
});
