// RGCNConv and CompGCNConv against the papers' formulas written as plain-torch loops
// (scripts/fixtures/relational.py): outputs, input and parameter gradients for the same
// weights on a tiny typed graph (a self-loop, parallel edges of two relations, an isolated
// node); finite differences in float64; bad relation ids name the edge.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose, fromJson, readFixture, stateFromJson, type TensorJson } from "../helpers/fixtures.js";

const { graph } = fl;
interface Case {
  name: string;
  state: Record<string, TensorJson>;
  inputs: Record<string, TensorJson>;
  outputs: TensorJson[];
  weights: TensorJson[];
  inputGrads: Record<string, TensorJson>;
  paramGrads: Record<string, TensorJson>;
}
interface Fixture {
  edgeIndex: TensorJson;
  edgeType: TensorJson;
  numRelations: number;
  cases: Case[];
}

const F = 4;
const H = 3;

function layerFor(
  name: string,
  r: number,
): { m: fl.nn.Module; run: (i: Record<string, fl.Tensor>, ei: fl.Tensor, et: fl.Tensor) => fl.Tensor[] } {
  if (name.startsWith("rgcn")) {
    const m = new graph.RGCNConv(F, H, r, name === "rgcn_bases" ? { numBases: 2 } : {});
    return { m, run: (i, ei, et) => [m.forward(i.x!, ei, et)] };
  }
  const m = new graph.CompGCNConv(F, H, r, { composition: name.split("_")[1] as fl.graph.Composition });
  return {
    m,
    run: (i, ei, et) => {
      const o = m.forward(i.x!, ei, et, i.rel!);
      return [o.x, o.rel];
    },
  };
}

test("RGCNConv and CompGCNConv match the papers' formulas: outputs, input and parameter gradients", () => {
  const fx = readFixture<Fixture>("graph", "relational.json");
  const ei = fromJson(fx.edgeIndex);
  const et = fromJson(fx.edgeType);
  assert.deepEqual(
    fx.cases.map((c) => c.name),
    ["rgcn_bases", "rgcn_full", "compgcn_sub", "compgcn_mult", "compgcn_corr"],
  );
  for (const c of fx.cases) {
    const { m, run } = layerFor(c.name, fx.numRelations);
    m.to("float64");
    assert.deepEqual([...m.stateDict().keys()].sort(), Object.keys(c.state).sort(), `${c.name}: state-dict keys`);
    m.loadStateDict(stateFromJson(c.state));
    const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, fromJson(v).requiresGrad_(true)]));
    const outs = run(inputs, ei, et);
    outs.forEach((o, k) => assertClose(o, c.outputs[k]!, `${c.name} output ${k}`, 1e-9, 1e-10));
    outs
      .map((o, k) => o.mul(fromJson(c.weights[k]!)).sum())
      .reduce((a, b) => a.add(b))
      .backward();
    for (const [k, g] of Object.entries(c.inputGrads)) assertClose(inputs[k]!.grad!, g, `${c.name} grad ${k}`, 1e-9, 1e-10);
    for (const [k, p] of m.namedParameters()) assertClose(p.grad!, c.paramGrads[k]!, `${c.name} grad ${k}`, 1e-9, 1e-10);
  }
});

/** Central differences of f at every entry of t against the autograd gradient g. */
function checkFiniteDifferences(what: string, t: fl.Tensor, g: fl.Tensor, f: () => number): void {
  const base = fl.noGrad(() => t.detach().clone());
  const data = base.data() as Float64Array;
  const grad = g.data() as Float64Array;
  const h = 1e-6;
  for (let k = 0; k < data.length; k++) {
    const at = (d: number) => {
      const v = Float64Array.from(data);
      v[k]! += d;
      fl.noGrad(() => t.copy_(fl.tensor(v, { shape: [...t.shape] })));
      return f();
    };
    const num = (at(h) - at(-h)) / (2 * h);
    fl.noGrad(() => t.copy_(base));
    assert.ok(Math.abs(num - grad[k]!) < 1e-6 * Math.max(1, Math.abs(num)), `${what}[${k}]: autograd ${grad[k]}, numeric ${num}`);
  }
}

test("RGCNConv (bases) and CompGCNConv (corr) gradients agree with finite differences (float64)", () => {
  fl.manualSeed(11);
  const ei = graph.edgeIndexFrom([
    [0, 1],
    [2, 1],
    [1, 2],
    [3, 0],
    [0, 3],
  ]);
  const et = fl.tensor([0, 1, 1, 0, 2], { dtype: "int64" });
  const x = fl.randn([4, 3], { dtype: "float64" }).requiresGrad_(true);
  const rgcn = new graph.RGCNConv(3, 2, 3, { numBases: 2 }).to("float64") as fl.graph.RGCNConv;
  const w = fl.randn([4, 2], { dtype: "float64" });
  const fr = () => fl.noGrad(() => rgcn.forward(x, ei, et).mul(w).sum().item());
  rgcn.forward(x, ei, et).mul(w).sum().backward();
  checkFiniteDifferences("rgcn d/dx", x, x.grad!.clone(), fr);
  checkFiniteDifferences("rgcn d/dcomp", rgcn.comp!, rgcn.comp!.grad!.clone(), fr);
  checkFiniteDifferences("rgcn d/dweight", rgcn.weight, rgcn.weight.grad!.clone(), fr);

  const comp = new graph.CompGCNConv(3, 2, 3, { composition: "corr" }).to("float64") as fl.graph.CompGCNConv;
  const rel = fl.randn([6, 3], { dtype: "float64" }).requiresGrad_(true);
  const wr = fl.randn([6, 2], { dtype: "float64" });
  const loss = () => {
    const o = comp.forward(x, ei, et, rel);
    return o.x.mul(w).sum().add(o.rel.mul(wr).sum());
  };
  const fc = () => fl.noGrad(() => loss().item());
  x.grad = null;
  loss().backward();
  checkFiniteDifferences("compgcn d/dx", x, x.grad!.clone(), fc);
  checkFiniteDifferences("compgcn d/drel", rel, rel.grad!.clone(), fc);
  checkFiniteDifferences("compgcn d/dloopRel", comp.loopRel, comp.loopRel.grad!.clone(), fc);
});

test("relational layers reject relation ids out of range and mismatched shapes, naming the edge", () => {
  const x = fl.randn([3, 4]);
  const ei = graph.edgeIndexFrom([
    [0, 1],
    [1, 2],
  ]);
  const conv = new graph.RGCNConv(4, 2, 2);
  assert.throws(
    () => conv.forward(x, ei, fl.tensor([0, 2], { dtype: "int64" })),
    (e: Error) => e instanceof fl.FlambeauError && /edge 1 has relation id 2, outside \[0, 2\)/.test(e.message),
  );
  assert.throws(
    () => conv.forward(x, ei, fl.tensor([-1, 0], { dtype: "int64" })),
    (e: Error) => e instanceof fl.FlambeauError && /edge 0 has relation id -1/.test(e.message),
  );
  assert.throws(() => conv.forward(x, ei, fl.tensor([0], { dtype: "int64" })), /edgeType must have shape \[2\]/);
  assert.throws(() => new graph.RGCNConv(4, 2, 0), /numRelations must be a positive integer, got 0/);
  const comp = new graph.CompGCNConv(4, 2, 2);
  assert.throws(() => comp.forward(x, ei, fl.tensor([0, 1], { dtype: "int64" }), fl.randn([2, 4])), /rel must be \[4, 4\]/);
  assert.throws(() => new graph.CompGCNConv(4, 2, 2, { composition: "rotate" as "sub" }), /unknown composition "rotate"/);
});
