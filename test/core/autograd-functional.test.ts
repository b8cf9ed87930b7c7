// autograd.functional against PyTorch 1.13's torch.autograd.functional on the same functions
// and inputs (test/fixtures/core/autograd.json, scripts/fixtures/autograd.py), plus shapes,
// createGraph and argument errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";

const AF = fl.autograd.functional;
type Nested = TensorJson | Nested[];
const fx = readFixture<{ inputs: Record<string, TensorJson> } & Record<string, Nested>>("core", "autograd.json");
const I = Object.fromEntries(Object.entries(fx.inputs).map(([k, v]) => [k, fromJson(v)])) as Record<string, fl.Tensor>;
const ex = (k: string) => fx[k] as Nested;

// The functions of scripts/fixtures/autograd.py.
const fScalar = (x: fl.Tensor) => x.sin().mul(x.exp()).sum();
const fMat = (x: fl.Tensor, y: fl.Tensor) => x.matmul(y).tanh();
const fCube = (x: fl.Tensor) => x.pow(3);
const fTwo = (a: fl.Tensor, b: fl.Tensor) => a.mul(b.exp()).sum().add(a.pow(2).mul(b).sum());

function close(actual: unknown, expected: Nested, what: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${what}: expected an array`);
    assert.equal((actual as unknown[]).length, expected.length, `${what}: length`);
    expected.forEach((e, i) => close((actual as unknown[])[i], e, `${what}[${i}]`));
  } else {
    assert.ok(actual instanceof fl.Tensor, `${what}: expected a Tensor`);
    assertClose(actual, expected, what, 1e-10, 1e-12);
  }
}

test("jacobian = torch.autograd.functional.jacobian (tensor and tuple inputs)", () => {
  close(AF.jacobian(fMat, [I.x23!, I.y32!]), ex("jacobian_mat"), "jacobian(fMat)");
  close(AF.jacobian(fCube, I.x3!), ex("jacobian_cube"), "jacobian(fCube)");
  // Several outputs and one input: one Jacobian per output.
  const j = AF.jacobian((x: fl.Tensor) => [x.mul(2), x.sum()], I.x3!);
  assert.deepEqual(
    j.map((t) => [...t.shape]),
    [[3, 3], [3]],
  );
});

test("hessian = torch.autograd.functional.hessian", () => {
  close(AF.hessian(fScalar, I.x3!), ex("hessian_scalar"), "hessian(fScalar)");
  close(AF.hessian(fTwo, [I.a4!, I.b4!]), ex("hessian_two"), "hessian(fTwo)");
});

test("vjp, jvp (double-vjp), vhp, hvp = PyTorch", () => {
  const [out, vj] = AF.vjp(fMat, [I.x23!, I.y32!], I.v22!);
  assertClose(out, fMat(I.x23!, I.y32!), "vjp output", 0, 0);
  close(vj, ex("vjp_mat"), "vjp(fMat)");
  close(AF.jvp(fMat, [I.x23!, I.y32!], [I.vx23!, I.vy32!])[1], ex("jvp_mat"), "jvp(fMat)");
  close(AF.vhp(fScalar, I.x3!, I.v3!)[1], ex("vhp_scalar"), "vhp(fScalar)");
  close(AF.hvp(fTwo, [I.a4!, I.b4!], [I.va4!, I.vb4!])[1], ex("hvp_two"), "hvp(fTwo)");
  // jvp agrees with the Jacobian times v.
  const J = AF.jacobian(fCube, I.x3!);
  assertClose(AF.jvp(fCube, I.x3!, I.v3!)[1], J.matmul(I.v3!), "jvp = J v", 1e-12, 1e-14);
});

test("results are detached unless createGraph; createGraph keeps them differentiable", () => {
  const x = I.x3!.clone().requiresGrad_(true);
  const [, g] = AF.vjp(fScalar, x);
  assert.equal(g.requiresGrad, false);
  const [, g2] = AF.vjp(fScalar, x, null, { createGraph: true });
  assert.equal(g2.requiresGrad, true);
  // d/dx of sum(grad f) = H·1: equals hessian row sums.
  const [h] = fl.autograd.grad(g2.sum(), x);
  assertClose(h!, AF.hessian(fScalar, I.x3!).sum({ dim: 1 }), "grad of vjp", 1e-10, 1e-12);
  // Works inside noGrad too (PyTorch enables grad inside the functional API).
  const J = fl.noGrad(() => AF.jacobian(fCube, I.x3!));
  close(J, ex("jacobian_cube"), "jacobian under noGrad");
});

test("autograd.functional argument errors name the function and the value", () => {
  assert.throws(() => AF.jacobian(5 as unknown as () => fl.Tensor, I.x3!), /jacobian: expects a function, got 5/);
  assert.throws(() => AF.vjp(fMat, [I.x23!, 3 as unknown as fl.Tensor], I.v22!), /vjp: inputs\[1\] must be a Tensor, got 3/);
  assert.throws(() => AF.vjp(fCube, I.x3!), /vjp: v may be omitted only when the function returns a single element/);
  assert.throws(() => AF.vjp(fCube, I.x3!, fl.ones([2], { dtype: "float64" })), /vjp: v\[0\] has shape \[2\], the output\[0\] has \[3\]/);
  assert.throws(() => AF.jvp(fCube, I.x3!, fl.ones([4], { dtype: "float64" })), /jvp: v\[0\] has shape \[4\], the input\[0\] has \[3\]/);
  assert.throws(() => AF.hessian(fCube, I.x3!), /hessian: the function must return a Tensor with a single element/);
  assert.throws(() => AF.hvp(fScalar, I.x3!, [] as unknown as fl.Tensor), /hvp: v must be a Tensor or a non-empty array of Tensors/);
  assert.throws(() => AF.jacobian(fCube, fl.tensor([1n, 2n])), /inputs must be floating point, got int64/);
  assert.throws(
    () => AF.jacobian(fCube, I.x3!, { createGraph: "no" as unknown as boolean }),
    /jacobian: createGraph must be a boolean, got "no"/,
  );
  assert.throws(
    () => AF.jacobian(() => 7 as unknown as fl.Tensor, I.x3!),
    /jacobian: the function's output must be a Tensor or a non-empty array of Tensors, got 7/,
  );
});

test("a custom Function's first and second derivatives = the same torch.autograd.Function in PyTorch", () => {
  class Softplus extends fl.autograd.Function {
    static override forward(ctx: fl.autograd.FunctionCtx, x: fl.Tensor): fl.Tensor {
      ctx.saveForBackward(x);
      return x.exp().add(1).log();
    }
    static override backward(ctx: fl.autograd.FunctionCtx, g: fl.Tensor): fl.Tensor {
      return g.mul(ctx.savedTensors[0]!.sigmoid());
    }
  }
  const x = I.x3!.clone().requiresGrad_(true);
  const [g1] = fl.autograd.grad(Softplus.apply(x).pow(2).sum(), x, { createGraph: true });
  const [g2] = fl.autograd.grad(g1!.sum(), x);
  close(g1, ex("custom_softplus_grad"), "grad");
  close(g2, ex("custom_softplus_gradgrad"), "grad of grad");
});
