// Table-driven op tests (see opinfo.ts): PyTorch parity of outputs and gradients,
// finite-difference gradient checks in float64, and dtype coverage.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as fl from "flambeau";
import { assertClose, fromJson, readFixture, type TensorJson } from "../helpers/fixtures.js";
import { OPS, type OpRow } from "./opinfo.js";

interface Fixture {
  name: string;
  inputs: TensorJson[];
  outputs: TensorJson[];
  weights: (TensorJson | null)[];
  grads: (TensorJson | null)[];
}
const fixtures = new Map(readFixture<Fixture[]>("core", "ops.json").map((f) => [f.name, f]));
const asList = (r: fl.Tensor | fl.Tensor[]): fl.Tensor[] => (Array.isArray(r) ? r : [r]);
const isFloat = (t: fl.Tensor) => t.dtype.startsWith("float");

test("every PyTorch row of the op table has a fixture (else: npm run fixtures)", () => {
  assert.deepEqual(
    OPS.filter((o) => o.torch).map((o) => o.name),
    [...fixtures.keys()],
  );
  assert.ok(OPS.length >= 40);
});

describe("PyTorch parity: outputs and input gradients", () => {
  for (const row of OPS) {
    const fx = fixtures.get(row.name);
    if (!fx) continue;
    test(row.name, () => {
      const ins = fx.inputs.map((x) => {
        const t = fromJson(x);
        return isFloat(t) && row.differentiable ? t.requiresGrad_(true) : t;
      });
      const outs = asList(row.fl(...ins));
      assert.equal(outs.length, fx.outputs.length);
      outs.forEach((o, i) => assertClose(o, fx.outputs[i]!, `${row.name} output ${i}`, row.rtol ?? 1e-4, row.atol ?? 1e-5));
      if (!row.differentiable) return;
      let loss = fl.zeros([]);
      outs.forEach((o, i) => {
        const w = fx.weights[i];
        if (w) loss = loss.add(o.mul(fromJson(w)).sum());
      });
      const wrt = ins.filter((t) => t.requiresGrad);
      const gs = fl.autograd.grad(loss, wrt, { allowUnused: true });
      let k = 0;
      ins.forEach((t, i) => {
        if (!t.requiresGrad) return;
        const g = gs[k++];
        const e = fx.grads[i];
        if (e) assertClose(g!, e, `${row.name} grad ${i}`, row.rtol ?? 1e-4, row.atol ?? 1e-5);
      });
    });
  }
});

/** Central differences of f at up to `maxElems` elements of each float input, vs autograd, in float64. */
function gradcheck(row: OpRow, inputs: fl.Tensor[], maxElems = 8): void {
  const eps = 1e-6;
  const ins = inputs.map((t) => (isFloat(t) ? t.to("float64").requiresGrad_(true) : t));
  const outs = asList(row.fl(...ins));
  const ws = outs.map((o, i) => (isFloat(o) ? fl.randn([...o.shape], { dtype: "float64" }).add(i) : null));
  const f = (xs: fl.Tensor[]): number =>
    fl.noGrad(() => asList(row.fl(...xs)).reduce((acc, o, i) => (ws[i] ? acc + o.mul(ws[i]!).sum().item() : acc), 0));
  const loss = outs.reduce((acc, o, i) => (ws[i] ? acc.add(o.mul(ws[i]!).sum()) : acc), fl.zeros([], { dtype: "float64" }));
  const wrt = ins.filter((t) => t.requiresGrad);
  const grads = fl.autograd.grad(loss, wrt, { allowUnused: true });
  wrt.forEach((x, gi) => {
    const analytic = grads[gi] ? (grads[gi]!.data() as Float64Array) : new Float64Array(x.numel);
    const flat = x.detach().reshape(-1);
    const n = x.numel;
    const step = Math.max(1, Math.floor(n / maxElems));
    for (let e = 0; e < n; e += step) {
      const orig = flat.select(0, e).item();
      const at = (v: number) => {
        const c = flat.clone();
        c.select(0, e).fill_(v);
        const xs = ins.map((t) => (t === x ? c.view([...x.shape]) : t.detach()));
        return f(xs);
      };
      const numeric = (at(orig + eps) - at(orig - eps)) / (2 * eps);
      const a = analytic[e]!;
      assert.ok(
        Math.abs(numeric - a) <= 1e-4 + 1e-3 * Math.abs(numeric),
        `${row.name}: d/dx${gi}[${e}] autograd ${a} vs finite difference ${numeric}`,
      );
    }
  });
}

describe("finite-difference gradient checks (float64)", () => {
  for (const row of OPS) {
    if (!row.differentiable) continue;
    const fx = fixtures.get(row.name);
    if (!fx) continue;
    test(row.name, { skip: row.gradcheckSkip ?? false }, () => {
      fl.manualSeed(3);
      gradcheck(row, fx.inputs.map(fromJson));
    });
  }
  test("second order: d²/dx² of x³ is 6x (createGraph)", () => {
    const x = fl.tensor([0.5, -1, 2], { dtype: "float64", requiresGrad: true });
    const [g] = fl.autograd.grad(x.pow(3).sum(), x, { createGraph: true });
    const [h] = fl.autograd.grad(g!.sum(), x);
    assert.deepEqual(h!.toArray(), [3, -6, 12]);
  });
});

describe("dtype coverage", () => {
  for (const row of OPS) {
    const fx = fixtures.get(row.name);
    if (!fx || !row.dtypes) continue;
    for (const dt of row.dtypes)
      test(`${row.name} on ${dt}`, () => {
        const ins = fx.inputs.map((x) => {
          const t = fromJson(x);
          return isFloat(t) ? (dt === "bool" ? t.gt(0) : t.mul(dt.startsWith("int") ? 3 : 1).to(dt)) : t;
        });
        const outs = asList(row.fl(...ins));
        outs.forEach((o, i) => assert.deepEqual([...o.shape], fx.outputs[i]!.shape, `${row.name} ${dt} output ${i} shape`));
      });
  }
});
