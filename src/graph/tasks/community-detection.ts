// community-detection: find the communities of a graph — Leiden or Louvain (modularity), DMoN
// (a GCN trained on the modularity objective), or k-means on DGI or link-prediction GCN
// embeddings — and report modularity, plus NMI and ARI against planted truth when the graph
// has it (LFR benchmark graphs, planted partitions, the karate club's two clubs, or a
// user's graph whose nodes carry a "label"). The saved "model" is the partition itself.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { tensor } from "../../core/index.js";
import { writeTextAtomic } from "../../io/index.js";
import { readJsonFile } from "../../io/read-json.js";
import { opt } from "../../tasks/options.js";
import { type DemoOptions, type DemoSection, defineTask, type EvalArgs, type Predictor, type TrainInput } from "../../tasks/task.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { adjacencyOf, modularityOf } from "../community/adjacency.js";
import { communityBenchmark } from "../community/benchmark.js";
import { scoreChartSvg } from "../community/chart.js";
import { agreement, COMMUNITY_METHODS, type CommunityMethod, detectCommunities, needsK } from "../community/detect.js";
import { leiden } from "../community/leiden.js";
import { lfrBenchmark } from "../community/lfr.js";
import { karateClub } from "../datasets/karate.js";
import { plantedPartition } from "../datasets/planted.js";
import type { Graph } from "../graph.js";
import { GRAPH_FILE_FORMAT, readGraphFile } from "../graph-file.js";

const TASK = "community-detection";

const options = {
  method: opt.choice(COMMUNITY_METHODS, "community method (the same as --model; default leiden)", { phases: ["train"] }),
  mu: opt.number("mixing μ ∈ [0, 1] of the generated lfr / sbm graphs (default 0.3)", { phases: ["train", "eval"] }),
  k: opt.int("communities the deep methods cluster into (default: the planted count, else Leiden's)", { phases: ["train"] }),
  resolution: opt.number("modularity resolution γ of leiden / louvain (default 1)", { phases: ["train"], positive: true }),
};

interface Preprocessing {
  data: string;
  mu: number;
  seed: number;
  nodes: number;
}

export interface LoadedCommunityGraph {
  graph: Graph;
  /** Planted communities, when the data has them. */
  truth: Int32Array | null;
  source: string;
}

/** The graph a --data spec names: lfr, sbm (both with mixing μ, seeded), karate, or a graph file (self-loops are errors). */
export function loadCommunityGraph(spec: string, o: { mu?: number; seed?: number } = {}): LoadedCommunityGraph {
  const mu = o.mu ?? 0.3;
  const seed = o.seed ?? 0;
  if (!(mu >= 0 && mu <= 1)) throw new FlambeauError("E_ARG", `${TASK}: --mu must be in [0, 1], got ${mu}`);
  if (spec === "lfr") {
    const r = lfrBenchmark({ mu, seed });
    return { graph: r.graph, truth: r.community, source: `lfr (μ ${mu}, seed ${seed})` };
  }
  if (spec === "sbm") {
    const graph = plantedPartition({ nodes: 500, blocks: 5, degree: 16, mu, seed });
    return { graph, truth: Int32Array.from(graph.y!.data() as BigInt64Array, Number), source: `sbm (μ ${mu}, seed ${seed})` };
  }
  if (spec === "karate") {
    const graph = karateClub();
    return { graph, truth: Int32Array.from(graph.y!.data() as BigInt64Array, Number), source: "karate" };
  }
  if (!existsSync(spec))
    throw new FlambeauError(
      "E_IO",
      `${TASK}: data "${spec}" is neither a built-in set (lfr, sbm, karate) nor an existing file; expected ${GRAPH_FILE_FORMAT} (a "label" column is the planted truth)`,
    );
  let graph = readGraphFile(spec, { allowSelfLoops: false });
  if (graph.directed) graph = graph.toUndirected();
  const y = graph.y ? Int32Array.from(graph.y.data() as BigInt64Array, Number) : null;
  // Truth only when every node has a label: NMI over a subset would score a different partition.
  const truth = y?.every((c) => c >= 0) ? y : null;
  return { graph, truth, source: spec };
}

async function train(o: TrainInput & { method?: CommunityMethod; mu?: number; k?: number; resolution?: number }) {
  const method = o.method ?? (o.model as CommunityMethod | undefined) ?? "leiden";
  if (o.method && o.model && o.method !== o.model)
    throw new FlambeauError("E_ARG", `${TASK}: --method ${o.method} and --model ${o.model} disagree; give one`);
  const mu = o.mu ?? 0.3;
  const { graph, truth, source } = loadCommunityGraph(o.data, { mu, seed: o.seed });
  let k = o.k;
  if (needsK(method) && k === undefined) k = truth ? new Set(truth).size : leiden(graph, { seed: o.seed }).count;
  o.log(
    `${TASK}: ${source}: ${graph.numNodes} nodes, ${graph.numEdges / 2} edges${truth ? `, ${new Set(truth).size} planted communities` : ""}; ${method}${needsK(method) ? ` (k ${k})` : ""}`,
  );
  const d = await detectCommunities(graph, method, { k, epochs: o.epochs, seed: o.seed, resolution: o.resolution });
  const metrics: Record<string, number> = { modularity: d.modularity, communities: d.count, seconds: d.seconds };
  if (truth) Object.assign(metrics, agreement(d.labels, truth), { planted: new Set(truth).size });
  o.log(
    `${TASK}: ${d.count} communities, modularity ${d.modularity.toFixed(4)}${truth ? `, NMI ${metrics.nmi!.toFixed(4)}, ARI ${metrics.ari!.toFixed(4)}` : ""} (${d.seconds.toFixed(1)} s)`,
  );
  const names = graph.nodeNames ?? Array.from({ length: graph.numNodes }, (_, i) => String(i));
  await saveModelDir<{ method: CommunityMethod; k?: number }, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: method,
      hyper: { method, ...(k !== undefined ? { k } : {}) },
      preprocessing: {
        data: o.data === "lfr" || o.data === "sbm" || o.data === "karate" ? o.data : source,
        mu,
        seed: o.seed,
        nodes: graph.numNodes,
      },
      metrics,
    },
    new Map([["communities", tensor(BigInt64Array.from(d.labels, BigInt))]]),
  );
  // The partition by node name, for other tools.
  const byName: Record<string, number> = {};
  names.forEach((n, i) => {
    byName[n] = d.labels[i]!;
  });
  await writeTextAtomic(TASK, join(o.out, "communities.json"), `${JSON.stringify(byName)}\n`);
  graph.dispose();
  return { dir: o.out, metrics, history: { epochs: [], seconds: d.seconds, samplesPerSecond: graph.numNodes / Math.max(d.seconds, 1e-9) } };
}

async function loadPartition(dir: string): Promise<{ labels: Int32Array; pre: Preprocessing; method: string }> {
  const { config, weights } = await loadModelDir<{ method: string }, Preprocessing>(dir, TASK);
  const t = weights.get("communities");
  if (!t) throw new FlambeauError("E_FORMAT", `${TASK}: ${dir}/model.safetensors holds no "communities" tensor`);
  const labels = Int32Array.from(t.data() as BigInt64Array, Number);
  t.dispose();
  return { labels, pre: config.preprocessing!, method: config.hyper.method };
}

/** Scores the saved partition on `data` (the same nodes): modularity, and NMI / ARI when it has truth. */
async function evaluate(dir: string, data: string, o: EvalArgs & { mu?: number } = {}): Promise<Record<string, unknown>> {
  const { labels, pre } = await loadPartition(dir);
  const { graph, truth } = loadCommunityGraph(data, { mu: o.mu ?? pre.mu, seed: pre.seed });
  try {
    if (graph.numNodes !== labels.length)
      throw new FlambeauError("E_SHAPE", `${TASK}: ${data} has ${graph.numNodes} nodes; the partition in ${dir} covers ${labels.length}`);
    const out: Record<string, unknown> = { modularity: modularityOf(adjacencyOf(graph), labels), communities: new Set(labels).size };
    if (truth) Object.assign(out, agreement(labels, truth));
    return out;
  } finally {
    graph.dispose();
  }
}

export interface CommunityPrediction {
  node: string;
  community: number;
  /** Members of that community. */
  size: number;
}

/** Predict: node names (or ids) → their community and its size. */
async function load(dir: string): Promise<Predictor<CommunityPrediction>> {
  const { labels, pre } = await loadPartition(dir);
  let names: string[] | undefined;
  if (pre.data !== "lfr" && pre.data !== "sbm" && pre.data !== "karate" && existsSync(join(dir, "communities.json"))) {
    names = Object.keys(readJsonFile(TASK, join(dir, "communities.json")) as Record<string, number>);
  }
  const id = new Map((names ?? []).map((n, i) => [n, i]));
  const size = new Map<number, number>();
  for (const c of labels) size.set(c, (size.get(c) ?? 0) + 1);
  return {
    task: TASK,
    async predict(inputs) {
      return inputs.map((raw) => {
        const node = raw.trim();
        const i = id.get(node) ?? (/^\d+$/.test(node) && Number(node) < labels.length ? Number(node) : undefined);
        if (i === undefined) throw new FlambeauError("E_ARG", `${TASK}: node "${node}" is not in ${pre.data}`);
        return { node, community: labels[i]!, size: size.get(labels[i]!)! };
      });
    },
    dispose: () => {},
  };
}

const formatPrediction = (p: CommunityPrediction): string => `community ${p.community} (${p.size} members)`;

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const out = join(o.out, "karate-leiden");
  const r = await train({ data: "karate", out, seed: 0, log: o.log ?? (() => {}), method: "leiden" });
  const mus = o.full ? [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] : [0.2, 0.5, 0.7];
  const rows = await communityBenchmark({ data: "lfr", mus, methods: ["leiden", "louvain"], seed: 0, log: o.log });
  const m = r.metrics as Record<string, number>;
  return {
    task: TASK,
    dataset: "Zachary's karate club; LFR benchmark graphs (n 1000, τ1 3, τ2 1.5, ⟨k⟩ 20, k_max 50, sizes 20–100)",
    commands: [
      `flambeau train ${TASK} --data karate --method leiden --out ${out}`,
      `node dist/bench/graph-communities.js --data lfr --methods leiden,louvain --mus ${mus.join(",")}`,
    ],
    metrics: { modularity: m.modularity!, nmi: m.nmi!, ari: m.ari! },
    history: [],
    seconds: (performance.now() - t0) / 1000,
    extraHtml: `${scoreChartSvg(rows, "nmi", "NMI against planted LFR communities")}<p>Leiden and Louvain on LFR graphs as the mixing μ grows (seed 0).</p>`,
  };
}

export const communityDetection = defineTask({
  name: TASK,
  description:
    "find a graph's communities (Leiden, Louvain, DMoN, DGI or link-GCN embeddings + k-means); modularity, and NMI / ARI against planted truth",
  dataFormat: `lfr (an LFR benchmark graph, --mu), sbm (planted partition, --mu), karate, or ${GRAPH_FILE_FORMAT}; a "label" on every node is the planted truth; self-loops are errors`,
  models: COMMUNITY_METHODS,
  defaultModel: "leiden",
  options,
  baseline: "Louvain (graphology), beside Leiden and the deep methods",
  train,
  evaluate,
  load,
  formatPrediction,
  demo,
});
