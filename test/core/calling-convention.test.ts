// The calling convention of the hand-written ops: PyTorch's optional arguments positionally or in
// one trailing options object; unknown keys and a value given both ways are refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const same = (a: fl.Tensor, b: fl.Tensor) => assert.deepEqual(a.toArray(), b.toArray());

test("optional arguments positionally or by name give the same result", () => {
  fl.tidy(() => {
    const x = fl.tensor([
      [1.5, -2.5],
      [3, 4],
    ]);
    const y = fl.tensor([
      [2, 2],
      [2, 2],
    ]);
    same(fl.div(x, y, "floor"), fl.div(x, y, { roundingMode: "floor" }));
    same(x.div(y, "trunc"), x.div(y, { roundingMode: "trunc" }));
    same(fl.addcmul(x, x, y, 0.5), fl.addcmul(x, x, y, { value: 0.5 }));
    same(fl.argmax(x, 1, true), fl.argmax(x, { dim: 1, keepdim: true }));
    same(x.all(0, true), x.all(0, { keepdim: true }));
    same(fl.cat([x, y], 1), fl.cat([x, y], { dim: 1 }));
    same(fl.diagonal(x, 1), fl.diagonal(x, { offset: 1 }));
    same(fl.norm(x, 1, 0), fl.norm(x, { p: 1, dim: 0 }));
    same(fl.norm(x, "fro"), fl.norm(x));
    same(fl.nn.functional.hardtanh(x, -1, 2), fl.nn.functional.hardtanh(x, { minVal: -1, maxVal: 2 }));
    same(fl.nn.functional.softshrink(x, 1), fl.nn.functional.softshrink(x, { lambd: 1 }));
    same(fl.nn.functional.dropout(x, 0.5, false), fl.nn.functional.dropout(x, { p: 0.5, training: false }));
    same(fl.eye(2, 3, { dtype: "float64" }), fl.eye(2, { m: 3, dtype: "float64", device: "cpu" }));
    const img = fl.arange(0, 32).reshape([1, 2, 4, 4]).to("float32");
    same(
      fl.nn.functional.interpolate(img, [2, 2], null, "bilinear", true),
      fl.nn.functional.interpolate(img, { size: [2, 2], mode: "bilinear", alignCorners: true }),
    );
    same(fl.nn.functional.avgPool2d(img, 2, 1, 0, true), fl.nn.functional.avgPool2d(img, 2, { stride: 1, ceilMode: true }));
    same(fl.nn.functional.unfold(img, 2, 1, 0, 2), fl.nn.functional.unfold(img, 2, { stride: 2 }));
    same(fl.nn.functional.adaptiveAvgPool2d(img, [null, 2]), fl.nn.functional.adaptiveAvgPool2d(img, [4, 2]));
  });
});

test("cheap gaps: expand with -1, to('cpu'), narrow with a tensor start, T and mT", () => {
  fl.tidy(() => {
    const x = fl.tensor([[1], [2]]);
    assert.deepEqual(x.expand(-1, 3).shape, [2, 3]);
    assert.equal(x.to("cpu").dtype, "float32");
    assert.equal(x.to("cpu", "float64").dtype, "float64");
    same(x.narrow(0, fl.tensor(1n), 1), x.narrow(0, 1, 1));
    assert.deepEqual(fl.zeros([2, 3, 4]).T.shape, [4, 3, 2]);
    assert.deepEqual(fl.zeros([2, 3, 4]).mT.shape, [2, 4, 3]);
    assert.equal(fl.nn.functional.logsigmoid, fl.nn.functional.logSigmoid);
  });
});

test("unknown options, values given twice and arguments after the options are refused", () => {
  const x = fl.ones([2, 2]);
  assert.throws(() => fl.div(x, x, { rounding: "floor" } as never), /div: unknown option "rounding"; options: roundingMode/);
  assert.throws(() => fl.argmax(x, 1, { dim: 0 } as never), /argmax: dim is given both positionally and in the options/);
  assert.throws(() => fl.norm(x, { p: 1 }, 0 as never), /norm: the options object must come last/);
  assert.throws(() => fl.nn.functional.batchNorm(x, null, null, { weights: null } as never), /batchNorm: unknown option "weights"/);
  x.dispose();
});
