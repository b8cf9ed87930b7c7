// Mini-batch node classification on sampled subgraphs (--sampler neighbor): each step takes a
// batch of training nodes, draws their multi-hop neighbourhood with the GraphSAGE sampler
// (fanouts per hop, one hop per layer), reads just those nodes' features, and takes the loss on
// the seeds' rows — so activations cover the batch's neighbourhood, never the whole graph.
// The graph is a store on disk (read by offset, store/graph-store.ts) or one in memory.
// Under --nproc each rank trains on its rows of every batch (disjoint seed shards, rank,
// rank + N, …) and the Trainer all-reduces the gradients, as in the other tasks.
// --sampler saint takes the batch's seeds as roots of GraphSAINT random walks; --sampler
// cluster (Cluster-GCN) partitions the graph once into --parts parts and each batch is the
// subgraph induced on --parts-per-batch random parts (under --nproc each rank its own parts).
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { Random } from "../../data/random.js";
import { AdamW } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import type { TaskTrainResult, TrainInput } from "../../tasks/task.js";
import { shardRows } from "../../train/distributed/shard.js";
import { confusionMatrix, f1Score } from "../../train/metrics.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { ClusterSampler, defaultClusterSizes } from "../cluster-sampler.js";
import { loadNodeData } from "../datasets/index.js";
import { epochProgress } from "../full-graph.js";
import { NODE_MODELS, NodeModel, type NodeModelHyper, type NodeModelName } from "../models/node-models.js";
import { edgeCut, partitionGraph } from "../partition.js";
import { RandomWalkSampler, type WalkSubgraph } from "../saint-sampler.js";
import { NeighborSampler } from "../sampler.js";
import { GraphStore, isStoreSpec } from "../store/graph-store.js";
import { graphSource, type NodeDataSource } from "../store/source.js";

const TASK = "node-classification";
export const SAMPLERS = ["full", "neighbor", "saint", "cluster"] as const;
export type SamplerName = (typeof SAMPLERS)[number];
export const DEFAULT_FANOUTS = "10,5";
/**
 * Validation (during training and the saved model's validation metrics) scores at most this
 * many val nodes, a seeded fixed subset: on a graph of millions of nodes scoring every val
 * node would cost as much as an epoch. `flambeau eval` scores every test node.
 */
const VAL_NODES = 4096;

export interface SampledOptions {
  sampler?: SamplerName;
  hidden?: number;
  fanouts?: string;
  walkLength?: number;
  parts?: number;
  partsPerBatch?: number;
}

/** What the saved model needs to sample its graph again. */
export interface SampledPreprocessing {
  data: string;
  seed: number;
  sampler: "neighbor" | "saint" | "cluster";
  fanouts: number[];
  batchSize: number;
  /** --sampler cluster: K and q. */
  parts?: number;
  partsPerBatch?: number;
}

export function parseFanouts(raw: string): number[] {
  const f = raw.split(",").map((s) => Number(s.trim()));
  if (f.length === 0 || f.some((v) => !Number.isInteger(v) || (v < 1 && v !== -1)))
    throw new FlambeauError("E_ARG", `${TASK}: --fanouts must be comma-separated positive integers (or -1 for all), got "${raw}"`);
  return f;
}

/** Opens --data as a node source: a graph store read by offset, or any graph loaded whole. */
export async function openNodeSource(
  data: string,
  o: { seed: number; log?: (s: string) => void },
): Promise<{ source: NodeDataSource; close: () => void }> {
  if (isStoreSpec(data)) {
    const s = new GraphStore(data);
    return { source: s, close: () => s.close() };
  }
  const { graph } = await loadNodeData(data, o);
  if (!graph.x || !graph.y) throw new FlambeauError("E_FORMAT", `${TASK}: ${data} needs node features and labels for sampled training`);
  return { source: graphSource(graph), close: () => graph.dispose() };
}

/** A batch: seed nodes and their labels, or (--sampler cluster) the ids of its parts in `seeds`. */
interface SeedBatch {
  seeds: Tensor;
  y?: Tensor;
}

const seedsOf = (t: Tensor): number[] => Array.from(t.data() as BigInt64Array, Number);

/** Logits of `seeds` from their sampled neighbourhood (rows in the order of seeds). */
function sampledLogits(model: NodeModel, source: NodeDataSource, sampler: NeighborSampler, seeds: ArrayLike<number>): Tensor {
  const sub = sampler.sample(seeds);
  const x = tensor(source.features(sub.nodes), { shape: [sub.nodes.length, source.numFeatures] });
  // GCN layers cache the normalisation of one graph; every batch is another subgraph.
  model.clearCache();
  return model.forward(x, sub.edgeIndex).narrow(0, 0, sub.batchSize);
}

/** GraphSAINT / Cluster-GCN step: the loss on the training nodes of the subgraph (0 when it has none). */
function subgraphLoss(model: NodeModel, source: NodeDataSource, sub: WalkSubgraph, isTrain: Uint8Array): Tensor {
  const x = tensor(source.features(sub.nodes), { shape: [sub.nodes.length, source.numFeatures] });
  const at: number[] = [];
  for (let k = 0; k < sub.nodes.length; k++) if (isTrain[sub.nodes[k]!]) at.push(k);
  const y = source.labels(at.map((k) => sub.nodes[k]!));
  model.clearCache();
  const out = model.forward(x, sub.edgeIndex);
  // A batch without training nodes (possible with --limit) still gives a loss, one with no gradient.
  if (at.length === 0) return out.sum().mul(0);
  return crossEntropy(out.indexSelect(0, tensor(BigInt64Array.from(at, BigInt))), tensor(BigInt64Array.from(y, BigInt)));
}

/**
 * --sampler cluster: checks --parts and --parts-per-batch (defaults sized to the graph,
 * defaultClusterSizes), partitions the graph (seeded; every rank computes the same parts).
 */
function clusterSetUp(
  source: NodeDataSource,
  o: SampledOptions,
  seed: number,
  log: (s: string) => void,
): { sampler: ClusterSampler; stats: Record<string, number> } {
  const n = source.numNodes;
  const k = o.parts ?? defaultClusterSizes(n).parts;
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new FlambeauError("E_ARG", `${TASK}: --parts must be an integer in [1, ${n}] (the graph's node count), got ${k}`);
  const q = o.partsPerBatch ?? defaultClusterSizes(n, k).partsPerBatch;
  if (!Number.isInteger(q) || q < 1 || q > k)
    throw new FlambeauError("E_ARG", `${TASK}: --parts-per-batch must be an integer in [1, ${k}] (--parts), got ${q}`);
  const t0 = performance.now();
  const { parts, sizes, levels } = partitionGraph(source, k, { seed });
  const seconds = (performance.now() - t0) / 1000;
  const cut = edgeCut(source, parts);
  let minSize = n;
  let maxSize = 0;
  for (const z of sizes) {
    minSize = Math.min(minSize, z);
    maxSize = Math.max(maxSize, z);
  }
  log(
    `${TASK}: partitioned ${n} nodes into ${k} parts in ${seconds.toFixed(1)} s (${levels} levels): ` +
      `part sizes ${minSize}–${maxSize}, ${(100 * cut.fraction).toFixed(1)}% of ${cut.edges} edges cut`,
  );
  return {
    sampler: new ClusterSampler(source, parts, { numParts: k, partsPerBatch: q }),
    stats: { parts: k, partsPerBatch: q, seconds, edgeCutFraction: cut.fraction, minPartSize: minSize, maxPartSize: maxSize },
  };
}

/** How a sampled model is evaluated: neighbour sampling, or (Cluster-GCN) the training's cluster batches. */
export interface SampledEvalOptions {
  fanouts: number[];
  batchSize: number;
  seed: number;
  cluster?: ClusterSampler;
}

/**
 * Cluster-GCN evaluation: every part once, q parts per batch in a fixed seeded order, each
 * node's logits from the subgraph induced on its batch — the neighbourhoods training saw.
 */
function predictClustered(model: NodeModel, source: NodeDataSource, cluster: ClusterSampler, nodes: Int32Array, seed: number): Int32Array {
  const want = new Map<number, number>();
  for (let k = 0; k < nodes.length; k++) want.set(nodes[k]!, k);
  const needed = new Uint8Array(cluster.numParts);
  for (const v of nodes) needed[cluster.partOf[v]!] = 1;
  const pred = new Int32Array(nodes.length).fill(-1);
  model.eval();
  noGrad(() => {
    for (const parts of cluster.epochBatches(new Random(seed, 8))) {
      if (!parts.some((p) => needed[p])) continue;
      tidy(() => {
        const sub = cluster.sample(parts);
        const rows: number[] = [];
        const dest: number[] = [];
        for (let k = 0; k < sub.nodes.length; k++) {
          const d = want.get(sub.nodes[k]!);
          if (d !== undefined) {
            rows.push(k);
            dest.push(d);
          }
        }
        const x = tensor(source.features(sub.nodes), { shape: [sub.nodes.length, source.numFeatures] });
        model.clearCache();
        const out = model.forward(x, sub.edgeIndex).indexSelect(0, tensor(BigInt64Array.from(rows, BigInt)));
        const am = out.argmax(1).data() as BigInt64Array;
        for (let j = 0; j < dest.length; j++) pred[dest[j]!] = Number(am[j]);
      });
    }
  });
  return pred;
}

/** Predictions for `nodes` in batches, in eval mode without grad. */
export function predictSampled(model: NodeModel, source: NodeDataSource, nodes: Int32Array, o: SampledEvalOptions): Int32Array {
  if (o.cluster) return predictClustered(model, source, o.cluster, nodes, o.seed);
  const sampler = new NeighborSampler(source, o.fanouts, { seed: o.seed });
  const pred = new Int32Array(nodes.length);
  model.eval();
  noGrad(() => {
    for (let i = 0; i < nodes.length; i += o.batchSize) {
      const part = nodes.subarray(i, Math.min(nodes.length, i + o.batchSize));
      tidy(() => pred.set(Int32Array.from(sampledLogits(model, source, sampler, part).argmax(1).data() as BigInt64Array, Number), i));
    }
  });
  return pred;
}

/** Accuracy, macro-F1 and the confusion matrix on `nodes` from sampled neighbourhoods. */
export function evaluateSampled(
  model: NodeModel,
  source: NodeDataSource,
  nodes: Int32Array,
  o: SampledEvalOptions,
): Record<string, unknown> & { accuracy: number } {
  const pred = predictSampled(model, source, nodes, o);
  const truth = Array.from(source.labels(nodes));
  const cm = confusionMatrix(Array.from(pred), truth, source.classes.length);
  let right = 0;
  for (let k = 0; k < pred.length; k++) if (pred[k] === truth[k]) right++;
  return { nodes: nodes.length, accuracy: nodes.length ? right / nodes.length : Number.NaN, macroF1: f1Score(cm), confusionMatrix: cm };
}

export async function trainSampledNodes(o: TrainInput & SampledOptions): Promise<TaskTrainResult> {
  const { seed, log } = o;
  if (o.val) throw new FlambeauError("E_ARG", `${TASK}: --val is not used; the graph's own split gives the validation nodes`);
  const fanouts = parseFanouts(o.fanouts ?? DEFAULT_FANOUTS);
  const batchSize = o.batchSize ?? 1024;
  const arch = (o.model ?? "sage") as NodeModelName;
  if (!NODE_MODELS.includes(arch)) throw new FlambeauError("E_ARG", `${TASK}: unknown model "${arch}"; models: ${NODE_MODELS.join(", ")}`);
  const epochs = o.epochs ?? 10;
  const lr = o.lr ?? 0.01;
  const { source, close } = await openNodeSource(o.data, { seed, log });
  try {
    const train = source.splitNodes("train");
    if (train.length === 0) throw new FlambeauError("E_FORMAT", `${TASK}: ${o.data} has no labelled training nodes`);
    // --limit keeps a seeded random subset: node ids may be ordered by class (a generated graph's are).
    const limit =
      o.limit && o.limit < train.length
        ? Int32Array.from(new Random(seed, 6).permutation(train.length).subarray(0, o.limit), (k) => train[k]!).sort()
        : train;
    const trainY = source.labels(limit);
    const val = source.splitNodes("val");
    const valSub =
      val.length > VAL_NODES
        ? Int32Array.from(new Random(seed, 3).permutation(val.length).subarray(0, VAL_NODES), (k) => val[k]!).sort()
        : val;
    const hyper: NodeModelHyper = {
      arch,
      inChannels: source.numFeatures,
      hidden: o.hidden ?? 64,
      outChannels: source.classes.length,
      layers: fanouts.length,
      dropout: 0.5,
    };
    manualSeed(seed);
    const model = new NodeModel(hyper);
    const rank = Number(process.env.RANK ?? 0);
    // Ranks draw different neighbourhoods for their disjoint seeds; validation samples alike on all.
    const sampler = new NeighborSampler(source, fanouts, { seed: seed + 1 + rank });
    // --sampler saint: the batch's seeds are the roots of random walks; the loss is on every
    // training node the walks visit; evaluation samples neighbourhoods as for neighbor.
    // --sampler cluster: the loss is on the training nodes of the batch's parts; evaluation
    // runs on cluster batches too, so a node sees the neighbourhood it was trained on.
    const saint = o.sampler === "saint";
    const walker = saint ? new RandomWalkSampler(source, { walkLength: o.walkLength ?? 2, seed: seed + 1 + rank }) : undefined;
    const cluster = o.sampler === "cluster" ? clusterSetUp(source, o, seed, log) : undefined;
    let isTrain: Uint8Array | undefined;
    if (saint || cluster) {
      isTrain = new Uint8Array(source.numNodes);
      for (const v of limit) isTrain[v] = 1;
    }
    const how = cluster
      ? `Cluster-GCN: ${cluster.sampler.partsPerBatch} of ${cluster.sampler.numParts} parts per batch (evaluation: on the same cluster batches)`
      : saint
        ? `GraphSAINT random walks of ${o.walkLength ?? 2} steps (evaluation: neighbour sampling [${fanouts.join(", ")}]), batch ${batchSize}`
        : `neighbour sampling [${fanouts.join(", ")}], batch ${batchSize}`;
    log(
      `${TASK}: ${o.data}: ${source.numNodes} nodes, ${source.numFeatures} features, ${source.classes.length} classes; ` +
        `${limit.length} train / ${val.length} val nodes; ${arch}, ${how}, ${plural(epochs, "epoch")}, lr ${lr}`,
    );
    let epoch = 0;
    const clusterBatches = cluster && {
      length: Math.ceil(cluster.sampler.numParts / cluster.sampler.partsPerBatch),
      *[Symbol.iterator](): Generator<SeedBatch> {
        // The same part order on every rank: the trainer then hands each rank its parts.
        for (const parts of cluster.sampler.epochBatches(new Random(seed, 7, ++epoch)))
          yield { seeds: tensor(BigInt64Array.from(parts, BigInt)) };
      },
    };
    const batches = clusterBatches || {
      length: Math.ceil(limit.length / batchSize),
      *[Symbol.iterator](): Generator<SeedBatch> {
        // The same order on every rank: the trainer then hands each rank its rows.
        const order = new Random(seed, 4, ++epoch).permutation(limit.length);
        for (let i = 0; i < order.length; i += batchSize) {
          const idx = order.subarray(i, Math.min(order.length, i + batchSize));
          yield {
            seeds: tensor(BigInt64Array.from(idx, (k) => BigInt(limit[k]!))),
            y: tensor(BigInt64Array.from(idx, (k) => BigInt(trainY[k]!))),
          };
        }
      },
    };
    const evalOpts: SampledEvalOptions = { fanouts, batchSize, seed, ...(cluster ? { cluster: cluster.sampler } : {}) };
    const trainer = new Trainer<SeedBatch>({
      name: TASK,
      model,
      optimizer: new AdamW(model.parameters(), { lr, weightDecay: 5e-4 }),
      step: (b) =>
        cluster
          ? subgraphLoss(model, source, cluster.sampler.sample(seedsOf(b.seeds)), isTrain!)
          : walker
            ? subgraphLoss(model, source, walker.sample(seedsOf(b.seeds)), isTrain!)
            : crossEntropy(sampledLogits(model, source, sampler, seedsOf(b.seeds)), b.y!),
      shard: (b, r, world) =>
        b.seeds.shape[0]! < world ? null : { seeds: shardRows(b.seeds, r, world), ...(b.y ? { y: shardRows(b.y, r, world) } : {}) },
      validate: valSub.length > 0 ? () => ({ valAccuracy: evaluateSampled(model, source, valSub, evalOpts).accuracy }) : undefined,
      keepBest: { monitor: "valAccuracy" },
      callbacks: [epochProgress(o.progress, epochs)],
    });
    const h = await trainer.fit(batches, { epochs });
    model.eval();
    const metrics = evaluateSampled(model, source, valSub.length > 0 ? valSub : limit, evalOpts);
    const pre: SampledPreprocessing = {
      data: o.data,
      seed,
      sampler: cluster ? "cluster" : saint ? "saint" : "neighbor",
      fanouts,
      batchSize,
      ...(cluster ? { parts: cluster.sampler.numParts, partsPerBatch: cluster.sampler.partsPerBatch } : {}),
    };
    await saveModelDir<NodeModelHyper, SampledPreprocessing>(
      o.out,
      {
        task: TASK,
        architecture: arch,
        hyper: { ...hyper },
        labels: [...source.classes],
        preprocessing: pre,
        metrics: {
          validation: metrics,
          epochs,
          lr,
          seed,
          bestEpoch: h.bestEpoch,
          seconds: h.seconds,
          secondsPerEpoch: h.epochs.map((e) => e.seconds),
          ...(cluster ? { partition: cluster.stats } : {}),
        },
      },
      model.stateDict(),
    );
    model.dispose();
    return { dir: o.out, metrics, history: h };
  } finally {
    close();
  }
}

/** True when the model in `dir` was trained on sampled subgraphs (its preprocessing says so). */
export const isSampledPreprocessing = (p: unknown): p is SampledPreprocessing =>
  typeof p === "object" && p !== null && ["neighbor", "saint", "cluster"].includes((p as { sampler?: unknown }).sampler as string);

/** Test-node metrics of a sampled model on `data`, sampling as in training; undefined for a full-graph model. */
export async function evaluateSampledDir(dir: string, data: string): Promise<Record<string, unknown> | undefined> {
  const { config, weights } = await loadModelDir<NodeModelHyper, SampledPreprocessing>(dir, TASK);
  const pre = config.preprocessing!;
  if (!isSampledPreprocessing(pre)) {
    for (const t of weights.values()) t.dispose();
    return undefined;
  }
  const model = new NodeModel(config.hyper);
  model.loadStateDict(weights);
  const { source, close } = await openNodeSource(data, { seed: pre.seed });
  try {
    if (source.numFeatures !== model.hyper.inChannels || source.classes.length !== model.hyper.outChannels)
      throw new FlambeauError(
        "E_SHAPE",
        `${TASK}: ${data} has ${source.numFeatures} features and ${source.classes.length} classes; the model in ${dir} expects ${model.hyper.inChannels} and ${model.hyper.outChannels}`,
      );
    // Cluster-GCN models are scored on the same partition (recomputed from the seed) in cluster batches.
    const cluster =
      pre.sampler === "cluster"
        ? clusterSetUp(source, { parts: pre.parts, partsPerBatch: pre.partsPerBatch }, pre.seed, () => {}).sampler
        : undefined;
    return { ...evaluateSampled(model, source, source.splitNodes("test"), { ...pre, cluster }), labels: config.labels ?? [] };
  } finally {
    close();
    model.dispose();
  }
}
