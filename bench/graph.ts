// Full-graph GCN training epochs on the Debian package graph (2-layer GCN, hidden 64, Adam,
// cached normalisation): Flambeau's GCNConv vs the same formula in PyTorch on the same data
// (exported as raw little-endian arrays so both sides read identical tensors).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as fl from "flambeau";
import { debianPackageGraph } from "../src/graph/datasets/debian-packages.js";
import { NodeModel } from "../src/graph/models/node-models.js";
import { median, type Row, report, runPython } from "./harness.js";

const threads = fl.getNumThreads();
const { graph: g } = await debianPackageGraph();
const dir = mkdtempSync(join(tmpdir(), "fl-bench-graph-"));
const raw = (t: fl.Tensor) => {
  const d = t.contiguous().data();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};
writeFileSync(join(dir, "edge_index.bin"), raw(g.edgeIndex));
writeFileSync(join(dir, "x.bin"), raw(g.x!));
writeFileSync(join(dir, "y.bin"), raw(g.y!));

const epochs = Number(process.env.BENCH_GRAPH_EPOCHS ?? 10);
fl.manualSeed(0);
const model = new NodeModel({ arch: "gcn", inChannels: g.numFeatures, hidden: 64, outChannels: g.numClasses, layers: 2, dropout: 0.5 });
const opt = new fl.optim.Adam(model.parameters(), { lr: 0.01 });
const step = () =>
  fl.tidy(() => {
    model.train();
    opt.zeroGrad();
    fl.nn.functional.crossEntropy(model.forward(g.x!, g.edgeIndex), g.y!).backward();
    opt.step();
  });
for (let i = 0; i < 2; i++) step();
const runs: number[] = [];
for (let i = 0; i < epochs; i++) {
  const t = performance.now();
  step();
  runs.push((performance.now() - t) / 1000);
}
const flEpoch = median(runs);
const py = runPython("graph.py", [
  dir,
  String(g.numNodes),
  String(g.numEdges),
  String(g.numFeatures),
  String(g.numClasses),
  String(threads),
  String(epochs),
]);
rmSync(dir, { recursive: true, force: true });
const rows: Row[] = [
  {
    workload: `GCN full-graph epoch, ${g.numNodes} nodes / ${g.numEdges} edges / ${g.numFeatures} features`,
    unit: "s/epoch",
    higherIsBetter: false,
    flambeau: flEpoch,
    pytorch: py?.epoch ?? null,
  },
];
report("graph", rows, { threads, epochs });
