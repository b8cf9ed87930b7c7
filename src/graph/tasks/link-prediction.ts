// link-prediction: hold out edges, train a GNN encoder with a dot-product decoder against
// sampled non-edges, report ROC-AUC and Hits@K on the held-out edges beside the
// common-neighbours heuristic. Built-in data: WormNet v3 (networkx's example) and the Debian package graph.
// --model rgcn | compgcn (or --data debian-packages-typed) predicts held-out Depends facts of the
// typed package graph instead (relational-links.ts).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { eye, manualSeed, noGrad, tidy } from "../../core/index.js";
import { plural } from "../../tasks/format.js";
import {
  type DemoOptions,
  type DemoSection,
  defineTask,
  type EvalArgs,
  type Predictor,
  type TaskTrainResult,
  type TrainInput,
} from "../../tasks/task.js";
import { loadModelDir, readModelConfig, saveModelDir } from "../../train/model-dir.js";
import { debianPackageGraph } from "../datasets/debian-packages.js";
import { wormNet } from "../datasets/wormnet.js";
import type { Graph } from "../graph.js";
import { GRAPH_FILE_FORMAT, readGraphFile } from "../graph-file.js";
import { commonNeighbours, decode, encode, fitLinkModel, linkMetrics, pairScoresMany } from "../link-model.js";
import { type EdgePairs, type LinkSplit, splitLinks } from "../link-split.js";
import { NODE_MODELS, NodeModel, type NodeModelHyper, type NodeModelName } from "../models/node-models.js";
import {
  evaluateTypedLinks,
  isRelationalLinkRun,
  RELATIONAL_LINK_MODELS,
  TYPED_LINK_DATA,
  trainTypedLinks,
  typedLinkScorer,
} from "./relational-links.js";

const TASK = "link-prediction";
const HITS_K = 50;
const SPLIT = { val: 0.05, test: 0.1 } as const;

/** What the saved encoder needs to rebuild its training graph. */
interface Preprocessing {
  data: string;
  seed: number;
  split: { val: number; test: number };
}

/** The graph (undirected, with features) a --data spec names. */
export async function loadLinkGraph(spec: string, log?: (s: string) => void): Promise<{ graph: Graph; source: string }> {
  let g: Graph;
  let source = spec;
  if (spec === "wormnet") g = wormNet();
  else if (spec === "debian-packages" || spec === "packages") {
    g = (await debianPackageGraph({ log })).graph;
    source = "debian-packages";
  } else if (existsSync(spec)) g = readGraphFile(spec);
  else
    throw new FlambeauError(
      "E_IO",
      `link data "${spec}" is neither a built-in set (wormnet, debian-packages) nor an existing file; expected ${GRAPH_FILE_FORMAT}`,
    );
  if (g.directed) g = g.toUndirected();
  // Featureless graphs: one-hot ids, so the first layer learns an embedding per node.
  if (!g.x) g = g.with({ x: eye(g.numNodes) });
  return { graph: g, source };
}

function evaluateSplit(model: NodeModel, s: LinkSplit): Record<string, number> {
  const [pos, neg] = pairScoresMany(model, s.train, [s.testPos, s.testNeg]) as [Float32Array, Float32Array];
  const gnn = linkMetrics(pos, neg, HITS_K);
  const cn = linkMetrics(commonNeighbours(s.train, s.testPos), commonNeighbours(s.train, s.testNeg), HITS_K);
  return {
    testEdges: s.testPos.src.length,
    auc: gnn.auc,
    [`hits@${HITS_K}`]: gnn.hits,
    commonNeighboursAuc: cn.auc,
    [`commonNeighboursHits@${HITS_K}`]: cn.hits,
  };
}

export async function trainLinks(o: TrainInput): Promise<TaskTrainResult & { split: LinkSplit; model: NodeModel }> {
  const { seed, log } = o;
  const { graph, source } = await loadLinkGraph(o.data, log);
  const arch = (o.model ?? "gcn") as NodeModelName;
  if (!NODE_MODELS.includes(arch) || arch === "mlp")
    throw new FlambeauError("E_ARG", `${TASK}: unknown encoder "${arch}"; models: gcn, sage, gat, gin`);
  const split = splitLinks(graph, { ...SPLIT, seed });
  const epochs = o.epochs ?? 100;
  const lr = o.lr ?? 0.01;
  const hyper: NodeModelHyper = { arch, inChannels: graph.numFeatures, hidden: 64, outChannels: 32, layers: 2, dropout: 0 };
  manualSeed(seed);
  const model = new NodeModel(hyper);
  log(
    `${TASK}: ${source}: ${graph.numNodes} nodes, ${split.trainPos.src.length} train / ${split.valPos.src.length} val / ${split.testPos.src.length} test edges; ${arch} encoder, ${plural(epochs, "epoch")}`,
  );
  const fit = await fitLinkModel(model, split, { epochs, lr, seed, hitsK: HITS_K, progress: o.progress, name: TASK });
  const metrics = evaluateSplit(model, split);
  await saveModelDir<NodeModelHyper, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: arch,
      hyper: { ...hyper },
      preprocessing: { data: source, seed, split: { ...SPLIT } },
      metrics: { test: metrics, epochs, lr, seed, bestEpoch: fit.bestEpoch, seconds: fit.seconds },
    },
    model.stateDict(),
  );
  return {
    dir: o.out,
    metrics,
    history: { epochs: fit.epochs, seconds: fit.seconds, samplesPerSecond: (2 * split.trainPos.src.length * epochs) / fit.seconds },
    split,
    model,
  };
}

async function loadModel(dir: string): Promise<{ model: NodeModel; pre: Preprocessing }> {
  const { config, weights } = await loadModelDir<NodeModelHyper, Preprocessing>(dir, TASK);
  const model = new NodeModel(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, pre: config.preprocessing! };
}

/** Whether a saved model is a typed-edge one (its preprocessing names the typed data). */
const isTypedDir = (dir: string): boolean =>
  (readModelConfig<Record<string, unknown>, Preprocessing>(dir, TASK).preprocessing as Preprocessing | undefined)?.data === TYPED_LINK_DATA;

async function evaluate(dir: string, data: string, _o: EvalArgs = {}): Promise<Record<string, unknown>> {
  if (isTypedDir(dir)) return evaluateTypedLinks(dir, data);
  const { model, pre } = await loadModel(dir);
  try {
    const { graph } = await loadLinkGraph(data);
    if (graph.numFeatures !== model.hyper.inChannels)
      throw new FlambeauError(
        "E_SHAPE",
        `${TASK}: ${data} has ${graph.numFeatures} node features; the encoder in ${dir} expects ${model.hyper.inChannels}`,
      );
    // The same seeded split as training, so the test edges are the held-out ones.
    return evaluateSplit(model, splitLinks(graph, { ...pre.split, seed: pre.seed }));
  } finally {
    model.dispose();
  }
}

export interface LinkPrediction {
  source: string;
  target: string;
  probability: number;
}

/**
 * Loads the encoder and rebuilds its training graph once, and embeds every node once;
 * inputs are "a,b" node-name pairs, the answer is σ(z_a · z_b).
 */
/** σ(score) of node-id pairs, and the node names, of a saved model on its training graph. */
async function pairScorer(
  dir: string,
): Promise<{ names: readonly string[]; data: string; score: (p: EdgePairs) => Float32Array; dispose: () => void }> {
  if (isTypedDir(dir)) return { ...(await typedLinkScorer(dir)), data: TYPED_LINK_DATA };
  const { model, pre } = await loadModel(dir);
  const { graph } = await loadLinkGraph(pre.data);
  const split = splitLinks(graph, { ...pre.split, seed: pre.seed });
  const z = noGrad(() => tidy(() => encode(model, split.train).keep()));
  model.dispose();
  split.train.dispose();
  graph.dispose();
  return {
    names: graph.nodeNames ?? [],
    data: pre.data,
    score: (p) => noGrad(() => tidy(() => decode(z, p).sigmoid().data() as Float32Array)),
    dispose: () => z.dispose(),
  };
}

async function load(dir: string): Promise<Predictor<LinkPrediction>> {
  const scorer = await pairScorer(dir);
  const pre = { data: scorer.data };
  const id = new Map(scorer.names.map((n, i) => [n, i]));
  const look = (name: string): number => {
    const i = id.get(name) ?? (/^\d+$/.test(name) && Number(name) < scorer.names.length ? Number(name) : undefined);
    if (i === undefined) throw new FlambeauError("E_ARG", `${TASK}: node "${name}" is not in ${pre.data}`);
    return i;
  };
  return {
    task: TASK,
    async predict(inputs) {
      const pairs = inputs.map((s) => {
        const parts = s.split(",");
        if (parts.length !== 2) throw new FlambeauError("E_ARG", `${TASK}: predict takes "source,target" pairs, got "${s}"`);
        return [parts[0]!.trim(), parts[1]!.trim()] as const;
      });
      const ids = pairs.map(([a, b]) => [look(a), look(b)] as const);
      const p = { src: Int32Array.from(ids, (q) => q[0]), dst: Int32Array.from(ids, (q) => q[1]) };
      const probability = scorer.score(p);
      return pairs.map(([source, target], k) => ({ source, target, probability: probability[k]! }));
    },
    dispose: () => scorer.dispose(),
  };
}

const formatPrediction = (q: LinkPrediction): string => `${q.source} — ${q.target}: ${(100 * q.probability).toFixed(1)}%`;

/** An SVG ROC curve of the GNN and the common-neighbours scores. */
function rocSvg(curves: { name: string; color: string; pos: ArrayLike<number>; neg: ArrayLike<number> }[]): string {
  const s = 260;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${s + 150}" height="${s + 30}" style="background:#fff">`];
  parts.push(`<rect x="20" y="10" width="${s - 30}" height="${s - 30}" fill="none" stroke="#999"/>`);
  parts.push(`<line x1="20" y1="${s - 20}" x2="${s - 10}" y2="10" stroke="#ddd" stroke-dasharray="4"/>`);
  curves.forEach((c, ci) => {
    const all = [...Array.from(c.pos, (v) => [v, 1] as const), ...Array.from(c.neg, (v) => [v, 0] as const)].sort((a, b) => b[0] - a[0]);
    let tp = 0;
    let fp = 0;
    const pts = ["20,250"];
    for (let i = 0; i < all.length; i++) {
      if (all[i]![1]) tp++;
      else fp++;
      if (i + 1 < all.length && all[i + 1]![0] === all[i]![0]) continue;
      pts.push(`${(20 + (fp / c.neg.length) * (s - 30)).toFixed(1)},${(s - 20 - (tp / c.pos.length) * (s - 30)).toFixed(1)}`);
    }
    parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${c.color}" stroke-width="2"/>`);
    parts.push(`<text x="${s}" y="${30 + 18 * ci}" font-size="12" font-family="sans-serif" fill="${c.color}">${c.name}</text>`);
  });
  parts.push(`<text x="${s / 2 - 30}" y="${s + 5}" font-size="11" font-family="sans-serif">false positive rate</text>`);
  parts.push(
    `<text x="12" y="${s / 2 + 40}" font-size="11" font-family="sans-serif" transform="rotate(-90 12 ${s / 2 + 40})">true positive rate</text>`,
  );
  parts.push("</svg>");
  return parts.join("");
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const out = join(o.out, "wormnet-gcn");
  const epochs = o.full ? 200 : 40;
  const r = await trainLinks({ data: "wormnet", out, seed: 0, epochs, log: o.log ?? (() => {}), progress: o.progress });
  const s = r.split;
  const [gnnPos, gnnNeg] = pairScoresMany(r.model, s.train, [s.testPos, s.testNeg]) as [Float32Array, Float32Array];
  const cnPos = commonNeighbours(s.train, s.testPos);
  const cnNeg = commonNeighbours(s.train, s.testNeg);
  const m = r.metrics as Record<string, number>;
  const extraHtml = `${rocSvg([
    { name: `GCN AUC ${m.auc!.toFixed(3)}`, color: "#1f77b4", pos: gnnPos, neg: gnnNeg },
    { name: `common nbrs ${m.commonNeighboursAuc!.toFixed(3)}`, color: "#ff7f0e", pos: cnPos, neg: cnNeg },
  ])}<p>ROC on ${s.testPos.src.length} held-out WormNet edges and as many sampled non-edges.</p>`;
  return {
    task: TASK,
    dataset: "WormNet v3 (networkx example data)",
    commands: [`flambeau train ${TASK} --data wormnet --epochs ${epochs} --out ${out}`, `flambeau eval ${out} --data wormnet --json`],
    metrics: {
      auc: m.auc!,
      [`hits@${HITS_K}`]: m[`hits@${HITS_K}`]!,
      commonNeighboursAuc: m.commonNeighboursAuc!,
      [`commonNeighboursHits@${HITS_K}`]: m[`commonNeighboursHits@${HITS_K}`]!,
    },
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valAccuracy: e.valAuc })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml,
  };
}

export const linkPrediction = defineTask({
  name: TASK,
  description:
    "predict missing edges of a graph (GNN encoder + dot-product decoder, negative sampling; R-GCN/CompGCN + DistMult over typed edges); ROC-AUC and Hits@50 beside common neighbours",
  dataFormat: `wormnet (WormNet v3, networkx example data), debian-packages (apt Depends graph; rgcn/compgcn, or any model with debian-packages-typed: every typed relation, Depends facts held out), or ${GRAPH_FILE_FORMAT}; 5% / 10% of the edges held out (seeded) for validation / test`,
  models: ["gcn", "sage", "gat", "gin", ...RELATIONAL_LINK_MODELS],
  defaultModel: "gcn",
  baseline: "common neighbours (reported beside the GNN's figures)",
  train: (o) => (isRelationalLinkRun(o.model, o.data) ? trainTypedLinks(o) : trainLinks(o)),
  evaluate,
  load,
  formatPrediction,
  demo,
});
