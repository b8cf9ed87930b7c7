// Autograd semantics as in PyTorch: accumulation, retained graphs, detach, grad modes,
// version-counter errors for in-place changes of saved tensors, higher order.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

test("backward accumulates into .grad; explicit output gradients", () => {
  const x = fl.tensor([1, 2, 3], { requiresGrad: true });
  x.mul(x).sum().backward();
  x.mul(3).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [5, 7, 9]);
  x.grad = null;
  x.mul(2).backward(fl.tensor([1, 0, -1]));
  assert.deepEqual(x.grad!.toArray(), [2, 0, -2]);
  assert.ok(x.isLeaf);
  assert.equal(x.mul(x).gradFn, "MulBackward0");
});

test("a freed graph cannot be reused without retainGraph", () => {
  const x = fl.tensor([1, 2], { requiresGrad: true });
  const y = x.exp().sum();
  y.backward(null, { retainGraph: true });
  y.backward();
  assert.throws(() => y.backward(), /backward through the graph a second time/);
});

test("detach, noGrad and enableGrad", () => {
  const x = fl.tensor([1, 2], { requiresGrad: true });
  assert.equal(x.detach().requiresGrad, false);
  const y = fl.noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(fl.isGradEnabled(), true);
  const z = fl.noGrad(() => fl.enableGrad(() => x.mul(2)));
  assert.equal(z.requiresGrad, true);
  assert.throws(() => x.mul(2).backward(), /grad can be implicitly created only for scalar outputs/);
  assert.throws(() => fl.tensor([1, 2]).sum().backward(), /does not require grad/);
});

test("modifying a tensor saved for backward raises PyTorch's version-counter error", () => {
  const x = fl.tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(2);
  const z = y.mul(y);
  fl.noGrad(() => y.add_(1));
  assert.throws(() => z.sum().backward(), /modified by an inplace operation/);
  assert.throws(() => x.add_(1), /leaf Variable that requires grad/);
});

test("autograd.grad: returns gradients, allowUnused, createGraph for higher order", () => {
  const x = fl.tensor([2], { requiresGrad: true });
  const w = fl.tensor([3], { requiresGrad: true });
  const y = x.pow(3).mul(w);
  const [gx, gw] = fl.autograd.grad(y, [x, w], { retainGraph: true });
  assert.deepEqual(gx!.toArray(), [36]);
  assert.deepEqual(gw!.toArray(), [8]);
  const u = fl.tensor([1], { requiresGrad: true });
  assert.deepEqual(fl.autograd.grad(y, [u], { allowUnused: true }), [null]);
  const [g] = fl.autograd.grad(x.pow(3).sum(), x, { createGraph: true });
  const [g2] = fl.autograd.grad(g!.sum(), x, { createGraph: true });
  const [g3] = fl.autograd.grad(g2!.sum(), x);
  assert.deepEqual(g3!.toArray(), [6]);
});

test("requiresGrad on integer tensors is refused clearly", () => {
  assert.throws(() => fl.arange(3).requiresGrad_(), /floating point/);
});
