// Typed-edge node classification (node-classification --model rgcn | compgcn): a relational
// encoder over the Debian package graph's typed relations (Depends, Recommends, Suggests,
// Conflicts, Provides, Maintainer; Section is the label, so its edges are left out), or over a
// typed graph file. The package split is the homogeneous task's (the same seed gives the same
// train/val/test packages), so `--model gcn` on debian-packages is the baseline on that split.
import { existsSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { eye, manualSeed, noGrad, type Tensor, tidy } from "../../core/index.js";
import { plural } from "../../tasks/format.js";
import type { TaskTrainResult, TrainInput } from "../../tasks/task.js";
import { confusionMatrix, f1Score } from "../../train/metrics.js";
import { loadModelDir, readModelConfig, saveModelDir } from "../../train/model-dir.js";
import { PACKAGE_SPLIT } from "../datasets/index.js";
import { randomNodeSplit } from "../datasets/split.js";
import { typedPackageGraph } from "../datasets/typed-packages.js";
import { RelationalModel, type RelationalModelHyper, type RelationalModelName } from "../models/relational-models.js";
import { inversesOf, type TypedGraph } from "../typed-graph.js";
import { readTypedGraphFile, TYPED_GRAPH_FORMAT } from "../typed-graph-file.js";
import { fitNodeModel, maskedAccuracy, maskIndex } from "./fit-nodes.js";

const TASK = "node-classification";
export const RELATIONAL_NODE_MODELS = ["rgcn", "compgcn"] as const;
/** The package graph with its typed relations, for any model (gcn: the homogeneous baseline on the same edges). */
export const TYPED_NODE_DATA = "debian-packages-typed";
export const isRelationalNodeRun = (model: string | undefined, data: string): boolean =>
  (RELATIONAL_NODE_MODELS as readonly string[]).includes(model ?? "") || data === TYPED_NODE_DATA;
/** Whether a saved node-classification model is a typed-edge one (it records its relations). */
export const isTypedNodeDir = (dir: string): boolean =>
  Array.isArray((readModelConfig(dir, TASK).preprocessing as Partial<Preprocessing> | undefined)?.relations);

interface Preprocessing {
  data: string;
  seed: number;
  relations: string[];
}

/** A typed graph with node labels and train/val/test masks. */
export async function loadTypedNodeData(
  spec: string,
  o: { seed?: number; log?: (s: string) => void } = {},
): Promise<{ typed: TypedGraph; source: string }> {
  const seed = o.seed ?? 0;
  if (spec === "debian-packages" || spec === "packages" || spec === TYPED_NODE_DATA) {
    const t = await typedPackageGraph({ log: o.log, sectionEdges: false });
    return { typed: { ...t, graph: t.graph.with(randomNodeSplit(t.graph.y!, PACKAGE_SPLIT, seed)) }, source: "debian-packages" };
  }
  if (!existsSync(spec))
    throw new FlambeauError(
      "E_IO",
      `typed node data "${spec}" is neither a built-in set (debian-packages) nor an existing file; expected ${TYPED_GRAPH_FORMAT}`,
    );
  const t = readTypedGraphFile(spec);
  let g = t.graph;
  if (!g.y) throw new FlambeauError("E_FORMAT", `${spec}: no node has a label; node classification needs "label" on (some) nodes`);
  if (!g.x) g = g.with({ x: g.numNodes <= 4096 ? eye(g.numNodes) : tidy(() => g.degree().add(1).log().view(-1, 1)) });
  if (!g.trainMask) g = g.with(randomNodeSplit(g.y!, { train: 0.6, val: 0.2 }, seed));
  return { typed: { ...t, graph: g }, source: spec };
}

/** The logits of every node (inverse edges built once per graph). */
function logitsOf(model: RelationalModel, t: TypedGraph): () => Tensor {
  const inv = model.hyper.arch === "compgcn" ? undefined : inversesOf(t);
  return () => model.forward(t.graph.x!, t.graph.edgeIndex, t.edgeType, inv);
}

/** Accuracy, macro-F1 and the confusion matrix on the masked nodes. */
export function evaluateTypedOn(model: RelationalModel, t: TypedGraph, mask: Tensor): Record<string, unknown> & { accuracy: number } {
  const g = t.graph;
  const logits = logitsOf(model, t);
  return noGrad(() =>
    tidy(() => {
      model.eval();
      const idx = maskIndex(mask);
      const out = logits();
      const pred = Array.from(out.indexSelect(0, idx).argmax(1).data() as BigInt64Array, Number);
      const truth = Array.from(g.y!.indexSelect(0, idx).data() as BigInt64Array, Number);
      const cm = confusionMatrix(pred, truth, g.numClasses);
      return { nodes: pred.length, accuracy: maskedAccuracy(out, g.y!, idx), macroF1: f1Score(cm), confusionMatrix: cm };
    }),
  );
}

export async function trainTypedNodes(
  o: TrainInput & { hidden?: number },
): Promise<TaskTrainResult & { model: RelationalModel; typed: TypedGraph }> {
  const { seed, log } = o;
  const arch = (o.model ?? "gcn") as RelationalModelName;
  if (o.val)
    throw new FlambeauError("E_ARG", `${TASK}: --val is not used; the graph's own masks (or a seeded split) give the validation nodes`);
  const { typed: t, source } = await loadTypedNodeData(o.data, { seed, log });
  const g = t.graph;
  const epochs = o.epochs ?? 100;
  const lr = o.lr ?? 0.01;
  const hyper: RelationalModelHyper = {
    arch,
    inChannels: g.numFeatures,
    hidden: o.hidden ?? 32,
    outChannels: g.numClasses,
    layers: 2,
    dropout: 0.5,
    numRelations: t.relations.length,
    numBases: 4,
    composition: "corr",
  };
  manualSeed(seed);
  const model = new RelationalModel(hyper);
  const count = (m: Tensor | null) => (m ? Number(tidy(() => m.sum().item())) : 0);
  log(
    `${TASK}: ${source}: ${g.numNodes} nodes, ${g.numEdges} typed edges (${t.relations.join(", ")}), ${g.numFeatures} features, ${g.numClasses} classes; ` +
      `${count(g.trainMask)} train / ${count(g.valMask)} val / ${count(g.testMask)} test nodes; ${arch}, ${plural(epochs, "epoch")}, lr ${lr}`,
  );
  const fit = await fitNodeModel(model, g, { epochs, lr, progress: o.progress, name: TASK, forward: logitsOf(model, t) });
  const metrics = evaluateTypedOn(model, t, g.valMask!.any().item() ? g.valMask! : g.trainMask!);
  await saveModelDir<RelationalModelHyper, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: arch,
      hyper: { ...hyper },
      labels: [...(g.classes ?? [])],
      preprocessing: { data: source, seed, relations: [...t.relations] },
      metrics: { validation: metrics, epochs, lr, seed, bestEpoch: fit.bestEpoch, seconds: fit.seconds },
    },
    model.stateDict(),
  );
  return {
    dir: o.out,
    metrics,
    history: { epochs: fit.epochs, seconds: fit.seconds, samplesPerSecond: (g.numNodes * epochs) / fit.seconds },
    model,
    typed: t,
  };
}

/** The saved relational model of a directory, with what it needs to find its graph again. */
export async function loadTypedNodeModel(dir: string): Promise<{ model: RelationalModel; pre: Preprocessing; labels: string[] }> {
  const { config, weights } = await loadModelDir<RelationalModelHyper, Preprocessing>(dir, TASK);
  const model = new RelationalModel(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, pre: config.preprocessing!, labels: config.labels ?? [] };
}

export async function evaluateTypedNodes(dir: string, data: string): Promise<Record<string, unknown>> {
  const { model, pre, labels } = await loadTypedNodeModel(dir);
  try {
    const { typed: t } = await loadTypedNodeData(data, { seed: pre.seed });
    const h = model.hyper;
    if (t.graph.numFeatures !== h.inChannels || t.graph.numClasses !== h.outChannels || t.relations.length !== h.numRelations)
      throw new FlambeauError(
        "E_SHAPE",
        `${TASK}: ${data} has ${t.graph.numFeatures} features, ${t.graph.numClasses} classes and ${t.relations.length} relations; the model in ${dir} expects ${h.inChannels}, ${h.outChannels} and ${h.numRelations}`,
      );
    return { ...evaluateTypedOn(model, t, t.graph.testMask!), labels };
  } finally {
    model.dispose();
  }
}

/** Class probabilities of every node [N, C] of the model's own graph, and the node names. */
export async function typedNodeProbabilities(
  dir: string,
): Promise<{ probs: Tensor; names: readonly string[]; labels: string[]; data: string }> {
  const { model, pre, labels } = await loadTypedNodeModel(dir);
  const { typed: t } = await loadTypedNodeData(pre.data, { seed: pre.seed });
  const logits = logitsOf(model, t);
  const probs = noGrad(() => tidy(() => logits().softmax(1).keep()));
  model.dispose();
  return { probs, names: t.graph.nodeNames ?? [], labels, data: pre.data };
}
