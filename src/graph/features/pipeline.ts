// The classic node-classification pipeline of the shallow side of `flambeau compare`: each
// node described by its raw features, its structure and its training neighbours' labels,
// under a logistic regression. A graph is one sample, so the ladder of training-set sizes is
// over the labelled training nodes: `limit` keeps a seeded subset of the task's training
// nodes, and the deep side (the task's GCN) is trained on the very same subset here, since
// node-classification's own `train` always uses the whole training mask.

import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { permutation } from "../../data/random.js";
import type { ShallowPipeline, ShallowSplits, SideResult } from "../../tasks/baseline.js";
import { loadNodeData } from "../datasets/index.js";
import type { Graph } from "../graph.js";
import { NodeModel, type NodeModelHyper } from "../models/node-models.js";
import { fitNodeModel, maskedAccuracy } from "../tasks/fit-nodes.js";
import { type NodeFeatureParts, nodeFeatureParts, nodeFeatures } from "./node-features.js";

const nodesOf = (mask: Tensor): number[] => {
  const m = tidy(() => mask.to("uint8").data() as Uint8Array);
  const out: number[] = [];
  m.forEach((b, i) => {
    if (b) out.push(i);
  });
  return out;
};

interface Loaded {
  key: string;
  graph: Graph;
  parts?: NodeFeatureParts;
}
// The last graph read (a 64k-node graph takes seconds to parse): the shallow and deep sides of
// one seed, and every size of the ladder, share it; its structure is reused across seeds.
let cache: Loaded | undefined;
let structure: { data: string; parts: NodeFeatureParts } | undefined;

async function graphOf(data: string, seed: number): Promise<Graph> {
  const key = `${seed}\0${data}`;
  if (cache?.key !== key) cache = { key, graph: (await loadNodeData(data, { seed })).graph };
  return cache.graph;
}

function partsOf(data: string, g: Graph): NodeFeatureParts {
  if (structure?.data !== data) {
    if (structure) structure.parts.structure.dispose();
    structure = { data, parts: nodeFeatureParts(g) };
    structure.parts.structure.keep();
  }
  return structure.parts;
}

/** The task's training nodes, the first `limit` of a seeded permutation when limited. */
function trainingNodes(g: Graph, seed: number, limit?: number): { nodes: number[]; available: number } {
  const all = nodesOf(g.trainMask!);
  if (limit === undefined || limit >= all.length) return { nodes: all, available: all.length };
  const p = permutation(all.length, seed, 505);
  return { nodes: Array.from(p.subarray(0, limit), (i) => all[i]!).sort((a, b) => a - b), available: all.length };
}

const index = (nodes: readonly number[]): Tensor => tensor(BigInt64Array.from(nodes, BigInt));

export const graphShallowPipeline: ShallowPipeline<Tensor> = {
  name: "raw features + degree, clustering, PageRank + training-neighbour label histogram → logistic regression",
  async load(data, o): Promise<ShallowSplits<Tensor>> {
    const g = await graphOf(data, o.seed);
    const { nodes, available } = trainingNodes(g, o.seed, o.limit);
    const parts = partsOf(data, g);
    let all: Tensor | undefined;
    const y = g.y!;
    const split = (n: readonly number[]) => {
      const x = index(n);
      return { x, y: y.indexSelect(0, x), n: n.length };
    };
    const train = split(nodes);
    // Graphs without validation nodes (karate) choose the L2 strength on the training nodes,
    // as node-classification falls back to them.
    const valNodes = g.valMask ? nodesOf(g.valMask) : [];
    return {
      train,
      val: split(valNodes.length ? valNodes : nodes),
      test: split(nodesOf(g.testMask!)),
      classes: [...(g.classes ?? Array.from({ length: g.numClasses }, (_, c) => String(c)))],
      available,
      // Built on first use (inside compare's training timer): the label histogram reads only
      // the labels of this run's training nodes.
      features: (x) => {
        if (!all) all = nodeFeatures(g, parts, nodes).keep();
        return all.indexSelect(0, x);
      },
      release: () => all?.dispose(),
    };
  },
  dispose(s) {
    for (const t of [s.train.x, s.train.y, s.val.x, s.val.y, s.test.x, s.test.y]) t.dispose();
    s.release?.();
  },
  /** node-classification's default model and recipe (GCN, 2 layers, 100 epochs, lr 0.01) on the limited training nodes. */
  async deep(data, o): Promise<SideResult> {
    const g0 = await graphOf(data, o.seed);
    const { nodes } = trainingNodes(g0, o.seed, o.limit);
    const m = new Uint8Array(g0.numNodes);
    for (const v of nodes) m[v] = 1;
    const trainMask = tensor(m).to("bool");
    const g = g0.with({ trainMask });
    const hyper: NodeModelHyper = {
      arch: "gcn",
      inChannels: g.numFeatures,
      hidden: g.numNodes <= 1000 ? 16 : 64,
      outChannels: g.numClasses,
      layers: 2,
      dropout: 0.5,
    };
    manualSeed(o.seed);
    const model = new NodeModel(hyper);
    const t0 = performance.now();
    await fitNodeModel(model, g, { epochs: o.epochs ?? 100, lr: 0.01 });
    const trainSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const testIdx = index(nodesOf(g.testMask!));
    const accuracy = noGrad(() => tidy(() => maskedAccuracy(model.forward(g.x!, g.edgeIndex), g.y!, testIdx)));
    const inferMs = (performance.now() - t1) / testIdx.shape[0]!;
    testIdx.dispose();
    trainMask.dispose();
    return { accuracy, trainSeconds, inferMs };
  },
};
