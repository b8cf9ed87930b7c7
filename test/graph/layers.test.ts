// Message-passing layers against PyTorch Geometric's formulas (written in plain torch by
// scripts/fixtures/graph.py): outputs and gradients for the same weights on a tiny graph
// with a self-loop, a reciprocal pair and an isolated node; plus finite differences.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose, fromJson, readFixture, stateFromJson, type TensorJson } from "../helpers/fixtures.js";

const { graph } = fl;
interface Case {
  name: string;
  state: Record<string, TensorJson>;
  x: TensorJson;
  edgeIndex: TensorJson;
  edgeWeight: TensorJson;
  batch?: TensorJson;
  output: TensorJson;
  weight: TensorJson;
  xGrad: TensorJson;
  paramGrads: Record<string, TensorJson>;
}
type Layer = fl.nn.Module;
type Run = (m: Layer | null, x: fl.Tensor, ei: fl.Tensor, ew: fl.Tensor, batch: fl.Tensor | null) => fl.Tensor;

const mlp = () => new fl.nn.Sequential(new fl.nn.Linear(4, 8), new fl.nn.ReLU(), new fl.nn.Linear(8, 3));
const ROWS: Record<string, [() => Layer | null, Run]> = {
  gcn: [() => new graph.GCNConv(4, 3), (m, x, ei) => (m as fl.graph.GCNConv).forward(x, ei)],
  gcn_weighted_improved: [() => new graph.GCNConv(4, 3, { improved: true }), (m, x, ei, ew) => (m as fl.graph.GCNConv).forward(x, ei, ew)],
  sage_mean: [() => new graph.SAGEConv(4, 5), (m, x, ei) => (m as fl.graph.SAGEConv).forward(x, ei)],
  sage_max_normalize: [
    () => new graph.SAGEConv(4, 5, { aggr: "max", normalize: true }),
    (m, x, ei) => (m as fl.graph.SAGEConv).forward(x, ei),
  ],
  sage_sum: [() => new graph.SAGEConv(4, 5, { aggr: "sum" }), (m, x, ei) => (m as fl.graph.SAGEConv).forward(x, ei)],
  gat_concat: [() => new graph.GATConv(4, 3, { heads: 2 }), (m, x, ei) => (m as fl.graph.GATConv).forward(x, ei)],
  gat_mean: [() => new graph.GATConv(4, 3, { heads: 2, concat: false }), (m, x, ei) => (m as fl.graph.GATConv).forward(x, ei)],
  gin: [() => new graph.GINConv(mlp(), { eps: 0.1 }), (m, x, ei) => (m as fl.graph.GINConv).forward(x, ei)],
  graph_conv: [() => new graph.GraphConv(4, 3), (m, x, ei, ew) => (m as fl.graph.GraphConv).forward(x, ei, ew)],
  graph_conv_mean: [() => new graph.GraphConv(4, 3, { aggr: "mean" }), (m, x, ei) => (m as fl.graph.GraphConv).forward(x, ei)],
  attention_pool: [
    () => new graph.AttentionalAggregation(new fl.nn.Linear(4, 1), new fl.nn.Linear(4, 3)),
    (m, x, _ei, _ew, b) => (m as fl.graph.AttentionalAggregation).forward(x, b, 2),
  ],
  global_sum_pool: [() => null, (_m, x, _ei, _ew, b) => graph.globalAddPool(x, b, 2)],
  global_mean_pool: [() => null, (_m, x, _ei, _ew, b) => graph.globalMeanPool(x, b, 2)],
  global_max_pool: [() => null, (_m, x, _ei, _ew, b) => graph.globalMaxPool(x, b, 2)],
};

test("layers match PyG's formulas: outputs, input and parameter gradients, state-dict names", () => {
  const cases = readFixture<Case[]>("graph", "layers.json");
  assert.deepEqual(cases.map((c) => c.name).sort(), Object.keys(ROWS).sort());
  for (const c of cases) {
    const [make, run] = ROWS[c.name]!;
    const m = make();
    if (m) {
      assert.deepEqual([...m.stateDict().keys()].sort(), Object.keys(c.state).sort(), `${c.name}: state-dict keys`);
      m.loadStateDict(stateFromJson(c.state));
    }
    const x = fromJson(c.x).requiresGrad_(true);
    const y = run(m, x, fromJson(c.edgeIndex), fromJson(c.edgeWeight), c.batch ? fromJson(c.batch) : null);
    assertClose(y, c.output, `${c.name} output`, 1e-4, 1e-5);
    y.mul(fromJson(c.weight)).sum().backward();
    assertClose(x.grad!, c.xGrad, `${c.name} grad x`, 1e-4, 1e-5);
    if (m)
      for (const [k, p] of m.namedParameters()) {
        const g = c.paramGrads[k];
        assert.ok(g, `${c.name}: PyTorch has a gradient for ${k}`);
        assertClose(p.grad!, g, `${c.name} grad ${k}`, 1e-4, 1e-5);
      }
  }
});

test("GATConv gradients agree with finite differences (float64)", () => {
  fl.manualSeed(3);
  const conv = new graph.GATConv(3, 2, { heads: 2 }).to("float64");
  const ei = graph.edgeIndexFrom([
    [0, 1],
    [1, 2],
    [2, 0],
    [3, 2],
    [1, 3],
  ]);
  const x = fl.randn([4, 3], { dtype: "float64" });
  const w = fl.randn([4, 4], { dtype: "float64" });
  const f = (xx: fl.Tensor) => fl.noGrad(() => conv.forward(xx, ei).mul(w).sum().item());
  const xg = x.clone().requiresGrad_(true);
  conv.forward(xg, ei).mul(w).sum().backward();
  const g = xg.grad!.data() as Float64Array;
  const base = x.data() as Float64Array;
  const h = 1e-6;
  for (let k = 0; k < base.length; k++) {
    const plus = Float64Array.from(base);
    const minus = Float64Array.from(base);
    plus[k]! += h;
    minus[k]! -= h;
    const num = (f(fl.tensor(plus, { shape: [4, 3] })) - f(fl.tensor(minus, { shape: [4, 3] }))) / (2 * h);
    assert.ok(Math.abs(num - g[k]!) < 1e-6 * Math.max(1, Math.abs(num)), `d/dx[${k}]: autograd ${g[k]}, numeric ${num}`);
  }
  // And for the attention vector, through the per-target softmax.
  conv.zeroGrad();
  conv.forward(x, ei).mul(w).sum().backward();
  const ga = conv.attSrc.grad!.data() as Float64Array;
  const a0 = conv.attSrc.detach().clone();
  const ad = a0.data() as Float64Array;
  for (let k = 0; k < ad.length; k++) {
    const shifted = (d: number) => {
      const v = Float64Array.from(ad);
      v[k]! += d;
      fl.noGrad(() => conv.attSrc.copy_(fl.tensor(v, { shape: [1, 2, 2] })));
      return f(x);
    };
    const num = (shifted(h) - shifted(-h)) / (2 * h);
    fl.noGrad(() => conv.attSrc.copy_(a0));
    assert.ok(Math.abs(num - ga[k]!) < 1e-6 * Math.max(1, Math.abs(num)), `d/d att_src[${k}]: autograd ${ga[k]}, numeric ${num}`);
  }
});

test("layers reject edge indices that do not fit the features", () => {
  const conv = new graph.GCNConv(4, 2);
  const x = fl.randn([3, 4]);
  assert.throws(
    () => conv.forward(x, graph.edgeIndexFrom([[0, 5]])),
    (e: Error) => e instanceof fl.FlambeauError && /node id 5, outside \[0, 3\)/.test(e.message),
  );
  assert.throws(
    () => conv.forward(x, fl.tensor([[0, 1]], { dtype: "int64" })),
    (e: Error) => e instanceof fl.FlambeauError && /shape \[2, E\]/.test(e.message),
  );
  assert.throws(
    () => conv.forward(x, fl.tensor([[0], [1]])),
    (e: Error) => e instanceof fl.FlambeauError && /int64/.test(e.message),
  );
  assert.throws(() => new graph.SAGEConv(4, 2, { aggr: "median" as "mean" }), /unknown aggr "median"/);
});

test("SAGEConv projecting before aggregating (out < in) gives linL(mean x_j) + linR(x)", () => {
  fl.manualSeed(5);
  const x = fl.randn([5, 6]);
  const ei = graph.edgeIndexFrom([
    [0, 1],
    [2, 1],
    [3, 1],
    [1, 0],
    [4, 3],
  ]);
  for (const aggr of ["mean", "sum"] as const) {
    const conv = new graph.SAGEConv(6, 2, { aggr });
    const agg = graph.scatter(x.indexSelect(0, ei.select(0, 0)), ei.select(0, 1), 5, aggr);
    const expected = conv.linL.forward(agg).add(conv.linR!.forward(x));
    assertClose(conv.forward(x, ei), expected, `SAGEConv ${aggr} projected`, 1e-5, 1e-6);
  }
});
