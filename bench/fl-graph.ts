// Flambeau side of the GCN workload: full-graph training epochs of a 2-layer GCN (hidden 64,
// dropout 0.5, Adam, cached normalisation) on the Debian package graph (~64k nodes). The
// graph is written once as raw little-endian arrays so PyTorch and tfjs read identical data.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as fl from "flambeau";
import { debianPackageGraph } from "../src/graph/datasets/debian-packages.js";
import { selfAdversarialLoss } from "../src/graph/kg/fit.js";
import { RotatE } from "../src/graph/kg/models/rotate.js";
import { NodeModel } from "../src/graph/models/node-models.js";
import { median, type RunOptions, type RunResult, timeRuns } from "./workload.js";

export interface GraphMeta {
  nodes: number;
  edges: number;
  features: number;
  classes: number;
}

const raw = (t: fl.Tensor): Uint8Array => {
  const d = t.contiguous().data();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};

/** The benchmark graph as tensors; written to `dir` (meta.json + *.bin) for the other sides. */
async function benchGraph(dir: string, smoke: boolean): Promise<{ x: fl.Tensor; edgeIndex: fl.Tensor; y: fl.Tensor; meta: GraphMeta }> {
  let x: fl.Tensor;
  let edgeIndex: fl.Tensor;
  let y: fl.Tensor;
  let meta: GraphMeta;
  if (smoke) {
    // A small random graph: the smoke run proves the code path, not the data set.
    fl.manualSeed(0);
    meta = { nodes: 500, edges: 4000, features: 32, classes: 5 };
    x = fl.randn([meta.nodes, meta.features]);
    edgeIndex = fl.randint(0, meta.nodes, [2, meta.edges]);
    y = fl.randint(0, meta.classes, [meta.nodes]);
  } else {
    const { graph: g } = await debianPackageGraph();
    x = g.x!;
    edgeIndex = g.edgeIndex;
    y = g.y!;
    meta = { nodes: g.numNodes, edges: g.numEdges, features: g.numFeatures, classes: g.numClasses };
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "edge_index.bin"), raw(edgeIndex));
  writeFileSync(join(dir, "x.bin"), raw(x));
  writeFileSync(join(dir, "y.bin"), raw(y));
  writeFileSync(join(dir, "meta.json"), JSON.stringify(meta));
  return { x, edgeIndex, y, meta };
}

export function readGraphMeta(dir: string): GraphMeta | null {
  const p = join(dir, "meta.json");
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as GraphMeta) : null;
}

/** One full-graph training epoch of the benchmark's GCN (2 layers, hidden 64, dropout 0.5, Adam) on these tensors. */
export function gcnEpoch(x: fl.Tensor, edgeIndex: fl.Tensor, y: fl.Tensor, classes: number): () => void {
  const model = new NodeModel({ arch: "gcn", inChannels: x.shape[1]!, hidden: 64, outChannels: classes, layers: 2, dropout: 0.5 });
  const opt = new fl.optim.Adam(model.parameters(), { lr: 0.01 });
  model.train();
  return () =>
    fl.tidy(() => {
      opt.zeroGrad();
      // The loss in its own scope: the forward's intermediates go before backward, as in the Trainer.
      fl.tidy(() => fl.nn.functional.crossEntropy(model.forward(x, edgeIndex), y)).backward();
      opt.step();
    });
}

export async function gcn(o: RunOptions & { dir: string }): Promise<RunResult> {
  const { x, edgeIndex, y, meta } = await benchGraph(o.dir, o.smoke);
  fl.manualSeed(0);
  const step = gcnEpoch(x, edgeIndex, y, meta.classes);
  step();
  const runs: number[] = [];
  for (let i = 0; i < (o.smoke ? 1 : 5); i++) {
    const t = performance.now();
    step();
    runs.push((performance.now() - t) / 1000);
  }
  return { metrics: { sPerEpoch: median(runs), nodes: meta.nodes, edges: meta.edges } };
}

/**
 * One training step of RotatE with self-adversarial negatives, as the knowledge-graph task runs
 * it on WordNet's 3-core (37,983 entities, 11 relations): 512 triples × 64 sampled tails, dim
 * 200, Adam. Its [512, 64, 200] intermediates (52 MB each) are the large-tensor case: every op
 * allocates tens of megabytes, so the allocator's handling of big blocks shows here.
 */
export async function kgEmbedding(o: RunOptions): Promise<RunResult> {
  const [b, k, d, n] = o.smoke ? [8, 4, 8, 100] : [512, 64, 200, 37983];
  fl.manualSeed(0);
  const model = new RotatE({ arch: "rotate", numEntities: n, numRelations: 11, dim: d, gamma: 6 });
  const opt = new fl.optim.Adam(model.parameters(), { lr: 1e-3 });
  const step = () =>
    fl.tidy(() => {
      const h = fl.randint(0, n, [b]);
      const r = fl.randint(0, 11, [b]);
      const t = fl.randint(0, n, [b]);
      const cand = fl.randint(0, n, [b, k]);
      opt.zeroGrad();
      selfAdversarialLoss(model.forward(h, r, t), model.scoreCandidates(h, r, cand, "tail"), 0.5).backward();
      opt.step();
    });
  const runs = await timeRuns(step, o.smoke ? 1 : 20, o.smoke ? 1 : 3);
  return { metrics: { msPerStep: median(runs) * 1000 } };
}
