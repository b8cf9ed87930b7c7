// The scaling sweep's pieces that need no timing: the graph both sides build from one formula,
// and the charts drawn from a result.
import assert from "node:assert/strict";
import { test } from "node:test";
import { scalingGraph } from "../../bench/fl-scaling.js";
import { scalingCharts } from "../../bench/scaling.js";

test("the scaling graph gives every node 8 out-edges inside the graph, as the Python side's formula", () => {
  const ei = scalingGraph(1000);
  assert.deepEqual(ei.shape, [2, 8000]);
  const [src, dst] = [ei.select(0, 0).data() as BigInt64Array, ei.select(0, 1).data() as BigInt64Array];
  assert.equal(src[1999], 999n);
  assert.equal(dst[1000 + 10], BigInt((10 * 3 + 5) % 1000)); // the second (p, q) pair: (3, 5)
  assert.ok(dst.every((d) => d >= 0n && d < 1000n));
});

test("scaling charts: one log-log SVG per workload with a line per library and thread count", () => {
  const m = (k: string, f: (n: number) => number) => Object.fromEntries([1, 4, 16].map((n) => [`${k}@${n}`, f(n)]));
  const side = {
    ...m("matmul", (n) => 10 * n),
    ...m("cnn", (n) => 100 * n),
    ...m("cnnOnednn", (n) => 300 * n),
    ...m("transformer", (n) => n),
    ...m("gcn", (n) => n / 100),
  };
  const charts = scalingCharts({ "1": { flambeau: side, pytorch: side }, "2": { flambeau: side, pytorch: side } });
  assert.deepEqual(Object.keys(charts).sort(), ["cnn", "gcn", "matmul", "transformer"]);
  for (const svg of Object.values(charts)) {
    assert.match(svg, /^<svg /);
    assert.ok(!svg.includes("NaN"), "no NaN coordinates");
  }
  assert.equal((charts.cnn!.match(/<polyline /g) ?? []).length, 6, "Flambeau, Flambeau oneDNN and PyTorch at 1 and 2 threads");
  assert.equal((charts.matmul!.match(/<polyline /g) ?? []).length, 4);
});
