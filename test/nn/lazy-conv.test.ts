// LazyConv*: the input channels come from the first input or from the first state dict loaded
// (PyTorch's LazyConvXdMixin); afterwards the module is the plain convolution. Numbers against
// PyTorch are checked by the ModuleInfo replay (moduleinfo-db.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

test("LazyConv2d takes its input channels from the first input, batched or not", () => {
  const m = new fl.nn.LazyConv2d(5, 3, { padding: 1 });
  assert.equal(m.inChannels, 0);
  const y = m.forward(fl.randn([2, 4, 6, 6]));
  assert.deepEqual([...m.weight.shape], [5, 4, 3, 3]);
  assert.deepEqual([...(m.bias as fl.Tensor).shape], [5]);
  assert.deepEqual([...y.shape], [2, 5, 6, 6]);
  assert.equal(m.inChannels, 4);
  const u = new fl.nn.LazyConvTranspose1d(3, 2);
  u.forward(fl.randn([7, 5]));
  assert.deepEqual([...u.weight.shape], [7, 3, 2]);
});

test("LazyConv shapes itself from a loaded state dict and then computes as the plain convolution", () => {
  const ref = new fl.nn.Conv1d(6, 4, 3, { groups: 2 }).to("float64");
  const lazy = new fl.nn.LazyConv1d(4, 3, { groups: 2 }).to("float64");
  lazy.loadStateDict(ref.stateDict());
  assert.equal(lazy.inChannels, 6);
  assert.equal(lazy.weight.dtype, "float64");
  const x = fl.randn([2, 6, 9], { dtype: "float64" });
  assert.deepEqual(lazy.forward(x).toArray(), ref.forward(x).toArray());
});

test("LazyConv errors name the problem", () => {
  assert.throws(() => new fl.nn.LazyConv2d(5, 3, { groups: 2 }), /outChannels 5 must be divisible by groups 2/);
  assert.throws(
    () => new fl.nn.LazyConv2d(4, 3, { groups: 2 }).forward(fl.randn([1, 3, 5, 5])),
    /inChannels 3 must be divisible by groups 2/,
  );
  assert.throws(() => new fl.nn.LazyConv2d(4, 3).forward(fl.randn([5, 5])), /rank 4 \(batched\) or 3 \(unbatched\)/);
});
