// node-classification: a GNN (GCN, GraphSAGE, GAT, GIN) or an MLP baseline trained full-batch
// on one graph's labelled nodes; metrics accuracy and macro-F1 on the test nodes. Built-in
// data: Zachary's karate club (one labelled member per club) and the Debian package graph.
// --model rgcn | compgcn reads the graph's typed edges instead (relational-nodes.ts).

import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tidy } from "../../core/index.js";
import { plural } from "../../tasks/format.js";
import { opt } from "../../tasks/options.js";
import {
  type DemoOptions,
  type DemoSection,
  defineTask,
  type EvalArgs,
  type Predictor,
  type TaskTrainResult,
  type TrainInput,
} from "../../tasks/task.js";
import { confusionMatrix, f1Score } from "../../train/metrics.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { loadNodeData } from "../datasets/index.js";
import { graphShallowPipeline } from "../features/pipeline.js";
import type { Graph } from "../graph.js";
import { GRAPH_FILE_FORMAT } from "../graph-file.js";
import { drawGraphSvg, forceLayout } from "../layout.js";
import { NODE_MODELS, NodeModel, type NodeModelHyper, type NodeModelName } from "../models/node-models.js";
import { TYPED_GRAPH_FORMAT } from "../typed-graph-file.js";
import { fitNodeModel, maskedAccuracy, maskIndex } from "./fit-nodes.js";
import { karateCommunities } from "./karate-communities.js";
import {
  evaluateTypedNodes,
  isRelationalNodeRun,
  isTypedNodeDir,
  RELATIONAL_NODE_MODELS,
  trainTypedNodes,
  typedNodeProbabilities,
} from "./relational-nodes.js";
import { DEFAULT_FANOUTS, evaluateSampledDir, SAMPLERS, trainSampledNodes } from "./sampled-nodes.js";

const TASK = "node-classification";

const OPTIONS = {
  topK: opt.int("labels to show", { phases: ["predict"], default: 3 }),
  sampler: opt.choice(
    SAMPLERS,
    "full: the whole graph every step; neighbor: mini-batches of --batch-size seeds on sampled neighbourhoods; saint: GraphSAINT random walks from --batch-size training roots; cluster: Cluster-GCN, the graph partitioned into --parts parts, each batch the subgraph induced on --parts-per-batch random parts",
    {
      phases: ["train"],
      default: "full",
    },
  ),
  fanouts: opt.string("neighbours drawn per node per hop with --sampler neighbor, one hop per layer (-1: all)", {
    phases: ["train"],
    default: DEFAULT_FANOUTS,
  }),
  walkLength: opt.int("steps of each GraphSAINT random walk with --sampler saint", { phases: ["train"], default: 2 }),
  parts: opt.int("parts the graph is split into with --sampler cluster (default: about 1,500 nodes a part)", { phases: ["train"] }),
  partsPerBatch: opt.int("random parts per batch with --sampler cluster (default: about 15,000 nodes a batch, at most --parts)", {
    phases: ["train"],
  }),
  hidden: opt.int(
    "hidden units of each layer (default: 16 on graphs of up to 1,000 nodes, 64 on larger ones and with --sampler, 32 for rgcn / compgcn)",
    {
      phases: ["train"],
    },
  ),
};

/** What the saved model needs to find its graph again. */
interface Preprocessing {
  data: string;
  seed: number;
}

/** Defaults per data set: karate is tiny (one-hot ids), the package graph is large and sparse. */
function recipe(g: Graph): { hidden: number; epochs: number; lr: number; dropout: number } {
  return g.numNodes <= 1000 ? { hidden: 16, epochs: 100, lr: 0.01, dropout: 0.5 } : { hidden: 64, epochs: 100, lr: 0.01, dropout: 0.5 };
}

export interface NodeTrainResult extends TaskTrainResult {
  model: NodeModel;
  graph: Graph;
}

export async function trainNodes(o: TrainInput & { hidden?: number }): Promise<NodeTrainResult> {
  const { seed, log } = o;
  const { graph: g, source } = await loadNodeData(o.data, { seed, log });
  if (o.val)
    throw new FlambeauError("E_ARG", `${TASK}: --val is not used; the graph's own masks (or a seeded split) give the validation nodes`);
  const arch = (o.model ?? "gcn") as NodeModelName;
  if (!NODE_MODELS.includes(arch)) throw new FlambeauError("E_ARG", `${TASK}: unknown model "${arch}"; models: ${NODE_MODELS.join(", ")}`);
  const r = recipe(g);
  const epochs = o.epochs ?? r.epochs;
  const lr = o.lr ?? r.lr;
  const hyper: NodeModelHyper = {
    arch,
    inChannels: g.numFeatures,
    hidden: o.hidden ?? r.hidden,
    outChannels: g.numClasses,
    layers: 2,
    dropout: r.dropout,
  };
  manualSeed(seed);
  const model = new NodeModel(hyper);
  const count = (m: Tensor | null) => (m ? Number(tidy(() => m.sum().item())) : 0);
  log(
    `${TASK}: ${source}: ${g.numNodes} nodes, ${g.numEdges} directed edges, ${g.numFeatures} features, ${g.numClasses} classes; ` +
      `${count(g.trainMask)} train / ${count(g.valMask)} val / ${count(g.testMask)} test nodes; ${arch}, ${plural(epochs, "epoch")}, lr ${lr}`,
  );
  const fit = await fitNodeModel(model, g, { epochs, lr, progress: o.progress, name: TASK });
  const metrics = evaluateOn(model, g, g.valMask!.any().item() ? g.valMask! : g.trainMask!);
  await saveModelDir<NodeModelHyper, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: arch,
      hyper: { ...hyper },
      labels: [...(g.classes ?? [])],
      preprocessing: { data: source, seed },
      metrics: { validation: metrics, epochs, lr, seed, bestEpoch: fit.bestEpoch, seconds: fit.seconds },
    },
    model.stateDict(),
  );
  return {
    dir: o.out,
    metrics,
    history: { epochs: fit.epochs, seconds: fit.seconds, samplesPerSecond: (g.numNodes * epochs) / fit.seconds },
    model,
    graph: g,
  };
}

/** Accuracy, macro-F1 and the confusion matrix of the model on the masked nodes. */
export function evaluateOn(model: NodeModel, g: Graph, mask: Tensor): Record<string, unknown> & { accuracy: number } {
  return noGrad(() =>
    tidy(() => {
      model.eval();
      const idx = maskIndex(mask);
      const out = model.forward(g.x!, g.edgeIndex);
      const pred = Array.from(out.indexSelect(0, idx).argmax(1).data() as BigInt64Array, Number);
      const truth = Array.from(g.y!.indexSelect(0, idx).data() as BigInt64Array, Number);
      const cm = confusionMatrix(pred, truth, g.numClasses);
      return { nodes: pred.length, accuracy: maskedAccuracy(out, g.y!, idx), macroF1: f1Score(cm), confusionMatrix: cm };
    }),
  );
}

async function loadModel(dir: string): Promise<{ model: NodeModel; pre: Preprocessing; labels: string[] }> {
  const { config, weights } = await loadModelDir<NodeModelHyper, Preprocessing>(dir, TASK);
  const model = new NodeModel(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, pre: config.preprocessing!, labels: config.labels ?? [] };
}

async function evaluate(dir: string, data: string, _o: EvalArgs = {}): Promise<Record<string, unknown>> {
  if (isTypedNodeDir(dir)) return evaluateTypedNodes(dir, data);
  const sampled = await evaluateSampledDir(dir, data);
  if (sampled) return sampled;
  const { model, pre, labels } = await loadModel(dir);
  try {
    const { graph: g } = await loadNodeData(data, { seed: pre.seed });
    if (g.numFeatures !== model.hyper.inChannels || g.numClasses !== model.hyper.outChannels)
      throw new FlambeauError(
        "E_SHAPE",
        `${TASK}: ${data} has ${g.numFeatures} features and ${g.numClasses} classes; the model in ${dir} expects ${model.hyper.inChannels} and ${model.hyper.outChannels}`,
      );
    return { ...evaluateOn(model, g, g.testMask!), labels };
  } finally {
    model.dispose();
  }
}

export interface NodePrediction {
  node: string;
  labels: { label: string; probability: number }[];
}

/** Loads the model and its graph once and scores every node once; predict looks nodes up. */
async function nodeProbabilities(dir: string): Promise<{ probs: Tensor; names: readonly string[]; labels: string[]; data: string }> {
  if (isTypedNodeDir(dir)) return typedNodeProbabilities(dir);
  const { model, pre, labels } = await loadModel(dir);
  const { graph: g } = await loadNodeData(pre.data, { seed: pre.seed });
  const probs = noGrad(() => tidy(() => model.forward(g.x!, g.edgeIndex).softmax(1).keep()));
  model.dispose();
  g.dispose();
  return { probs, names: g.nodeNames ?? [], labels, data: pre.data };
}

async function load(dir: string): Promise<Predictor<NodePrediction, { topK?: number }>> {
  const { probs, names, labels, data } = await nodeProbabilities(dir);
  const pre = { data };
  const id = new Map(names.map((n, i) => [n, i]));
  const numNodes = probs.shape[0]!;
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      const k = o.topK ?? 3;
      return inputs.map((name) => {
        const i = id.get(name) ?? (/^\d+$/.test(name) && Number(name) < numNodes ? Number(name) : undefined);
        if (i === undefined) throw new FlambeauError("E_ARG", `${TASK}: node "${name}" is not in ${pre.data} (give a node name or id)`);
        const p = Array.from(tidy(() => probs.select(0, i).data() as Float32Array));
        const order = p.map((_, c) => c).sort((a, b) => p[b]! - p[a]!);
        return { node: name, labels: order.slice(0, k).map((c) => ({ label: labels[c] ?? String(c), probability: p[c]! })) };
      });
    },
    dispose: () => probs.dispose(),
  };
}

const formatPrediction = (p: NodePrediction): string => p.labels.map((l) => `${l.label} ${(100 * l.probability).toFixed(1)}%`).join(", ");

// The node-classification demo: GCN on the karate club with one labelled member per club,
// drawn coloured by prediction; communities (Louvain vs k-means on GNN embeddings) beside it;
// at full budget also GCN / GraphSAGE / MLP on the Debian package graph.
const pairsOf = (d: BigInt64Array, e: number): [number, number][] => {
  const out: [number, number][] = [];
  for (let k = 0; k < e; k++) if (Number(d[k]) < Number(d[e + k])) out.push([Number(d[k]), Number(d[e + k])]);
  return out;
};

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const r = await trainNodes({ data: "karate", out: join(o.out, "karate-gcn"), seed: 0, log, progress: o.progress });
  const g = r.graph;
  const test = evaluateOn(r.model, g, g.testMask!);
  const pred = noGrad(() => tidy(() => Int32Array.from(r.model.forward(g.x!, g.edgeIndex).argmax(1).data() as BigInt64Array, Number)));
  const truth = Int32Array.from(g.y!.data() as BigInt64Array, Number);
  const edges = pairsOf(g.edgeIndex.data() as BigInt64Array, g.numEdges);
  const layout = forceLayout(g.numNodes, edges, { seed: 1 });
  const wrong = new Set([...pred.keys()].filter((i) => pred[i] !== truth[i]));
  const trainNodes_ = new Set(Array.from(maskIndex(g.trainMask!).data() as BigInt64Array, Number));
  const classes = [...(g.classes ?? [])];
  const com = await karateCommunities({ seed: 0 });
  const metrics: Record<string, number> = {
    accuracy: test.accuracy,
    macroF1: test.macroF1 as number,
    louvainModularity: com.louvain.modularity,
    gnnKMeansModularity: com.gnn.modularity,
    louvainARI: com.louvain.ari,
    gnnKMeansARI: com.gnn.ari,
    gnnKMeansAccuracy: com.gnn.accuracy,
  };
  log(
    `node-classification demo: karate test accuracy ${test.accuracy.toFixed(3)} (${test.nodes} nodes); communities ${JSON.stringify(metrics)}`,
  );
  const svg = (colors: Int32Array, title: string, legend?: string[], extra: { highlight?: Set<number>; wrong?: Set<number> } = {}) =>
    drawGraphSvg(layout, edges, {
      colors,
      title,
      legend,
      labels: g.nodeNames?.map((n, i) => `node ${n}: ${classes[truth[i]!]}`),
      size: 300,
      ...extra,
    });
  const extraHtml = [
    '<div style="display:flex;flex-wrap:wrap;gap:12px">',
    svg(pred, "GCN: thick = labelled, ✗ = wrong", classes, { highlight: trainNodes_, wrong }),
    svg(com.louvain.labels, `Louvain: ${com.louvain.count} groups, Q=${com.louvain.modularity.toFixed(3)}`),
    svg(com.gnn.labels, `GNN k-means: Q=${com.gnn.modularity.toFixed(3)}, ARI=${com.gnn.ari.toFixed(2)}`),
    "</div>",
    `<p>Zachary's karate club: ${g.numNodes} members, ${edges.length} friendships. Truth = the club each member joined. ` +
      `Louvain ARI with the clubs ${com.louvain.ari.toFixed(2)}; GNN-embedding k-means (k = 2) matched accuracy ${(100 * com.gnn.accuracy).toFixed(1)}%.</p>`,
  ].join("");
  const commands = [
    `flambeau train node-classification --data karate --out ${join(o.out, "karate-gcn")}`,
    `flambeau eval ${join(o.out, "karate-gcn")} --data karate --json`,
  ];
  if (o.full) {
    for (const model of ["gcn", "sage", "mlp"]) {
      const dir = join(o.out, `packages-${model}`);
      const pr = await trainNodes({ data: "debian-packages", out: dir, model, seed: 0, log, progress: o.progress });
      const m = evaluateOn(pr.model, pr.graph, pr.graph.testMask!);
      metrics[`packages_${model}_accuracy`] = m.accuracy;
      commands.push(
        `flambeau train node-classification --data debian-packages --model ${model} --out ${dir}`,
        `flambeau eval ${dir} --data debian-packages --json`,
      );
    }
  }
  return {
    task: "node-classification",
    dataset: o.full ? "Zachary's karate club + Debian package graph" : "Zachary's karate club",
    commands,
    metrics,
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss, valAccuracy: e.valAccuracy })),
    seconds: (performance.now() - t0) / 1000,
    confusion: { labels: classes, matrix: test.confusionMatrix as number[][] },
    extraHtml,
  };
}

export const nodeClassification = defineTask({
  name: TASK,
  description:
    "classify the nodes of a graph from their features and their neighbours (GCN, GraphSAGE, GAT, GIN; R-GCN and CompGCN over typed edges; MLP baseline); accuracy, macro-F1",
  dataFormat: `karate (Zachary's karate club, 1 labelled member per club), debian-packages (this machine's apt Packages index: depends graph, description words, Section labels; 20/10/70 seeded split; rgcn/compgcn, or any model with debian-packages-typed, read its typed relations Depends, Recommends, Suggests, Conflicts, Provides and Maintainer), a graph store (store:DIR, written by node dist/bench/graph-scale.js convert or gen; read by offset with --sampler neighbor, saint or cluster, loaded whole otherwise), or ${GRAPH_FILE_FORMAT} (rgcn/compgcn: ${TYPED_GRAPH_FORMAT}); nodes without a split get a seeded 60/20/20 split`,
  models: [...NODE_MODELS, ...RELATIONAL_NODE_MODELS],
  defaultModel: "gcn",
  options: OPTIONS,
  shallow: graphShallowPipeline,
  baseline: "raw features + structure + neighbours' labels under a logistic regression (`flambeau compare node-classification`)",
  train: (o) => {
    if ((o.parts !== undefined || o.partsPerBatch !== undefined) && o.sampler !== "cluster")
      throw new FlambeauError(
        "E_ARG",
        `${TASK}: --parts (${o.parts ?? "unset"}) and --parts-per-batch (${o.partsPerBatch ?? "unset"}) go with --sampler cluster, not --sampler ${o.sampler ?? "full"}`,
      );
    return isRelationalNodeRun(o.model, o.data)
      ? trainTypedNodes(o)
      : o.sampler === "neighbor" || o.sampler === "saint" || o.sampler === "cluster"
        ? trainSampledNodes(o)
        : trainNodes(o);
  },
  evaluate,
  load,
  loadModule: async (dir) => {
    if (isTypedNodeDir(dir))
      throw new FlambeauError(
        "E_ARG",
        `${TASK}: ${dir} holds a model over typed relations (rgcn / compgcn); compress takes the homogeneous-graph models (${NODE_MODELS.join(", ")})`,
      );
    return (await loadModel(dir)).model;
  },
  formatPrediction,
  demo,
});
