// Mini-batch node classification on sampled subgraphs (--sampler neighbor): each step takes a
// batch of training nodes, draws their multi-hop neighbourhood with the GraphSAGE sampler
// (fanouts per hop, one hop per layer), reads just those nodes' features, and takes the loss on
// the seeds' rows — so activations cover the batch's neighbourhood, never the whole graph.
// The graph is a store on disk (read by offset, store/graph-store.ts) or one in memory.
// Under --nproc each rank trains on its rows of every batch (disjoint seed shards, rank,
// rank + N, …) and the Trainer all-reduces the gradients, as in the other tasks.
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
import { loadNodeData } from "../datasets/index.js";
import { epochProgress } from "../full-graph.js";
import { NODE_MODELS, NodeModel, type NodeModelHyper, type NodeModelName } from "../models/node-models.js";
import { RandomWalkSampler } from "../saint-sampler.js";
import { NeighborSampler } from "../sampler.js";
import { GraphStore, isStoreSpec } from "../store/graph-store.js";
import { graphSource, type NodeDataSource } from "../store/source.js";

const TASK = "node-classification";
export const SAMPLERS = ["full", "neighbor", "saint"] as const;
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
  fanouts?: string;
  walkLength?: number;
}

/** What the saved model needs to sample its graph again. */
export interface SampledPreprocessing {
  data: string;
  seed: number;
  sampler: "neighbor" | "saint";
  fanouts: number[];
  batchSize: number;
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

interface SeedBatch {
  seeds: Tensor;
  y: Tensor;
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

/** GraphSAINT step: the loss on the training nodes among those the walks from `roots` visit. */
function walkLoss(model: NodeModel, source: NodeDataSource, walker: RandomWalkSampler, isTrain: Uint8Array, roots: number[]): Tensor {
  const sub = walker.sample(roots);
  const x = tensor(source.features(sub.nodes), { shape: [sub.nodes.length, source.numFeatures] });
  const at: number[] = [];
  for (let k = 0; k < sub.nodes.length; k++) if (isTrain[sub.nodes[k]!]) at.push(k);
  const y = source.labels(at.map((k) => sub.nodes[k]!));
  model.clearCache();
  const out = model.forward(x, sub.edgeIndex);
  return crossEntropy(out.indexSelect(0, tensor(BigInt64Array.from(at, BigInt))), tensor(BigInt64Array.from(y, BigInt)));
}

/** Predictions for `nodes` in batches, in eval mode without grad. */
export function predictSampled(
  model: NodeModel,
  source: NodeDataSource,
  nodes: Int32Array,
  o: { fanouts: number[]; batchSize: number; seed: number },
): Int32Array {
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
  o: { fanouts: number[]; batchSize: number; seed: number },
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
      hidden: 64,
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
    // training node the walks visit. Evaluation samples neighbourhoods as for neighbor.
    const saint = o.sampler === "saint";
    const walker = saint ? new RandomWalkSampler(source, { walkLength: o.walkLength ?? 2, seed: seed + 1 + rank }) : undefined;
    let isTrain: Uint8Array | undefined;
    if (saint) {
      isTrain = new Uint8Array(source.numNodes);
      for (const v of limit) isTrain[v] = 1;
    }
    log(
      `${TASK}: ${o.data}: ${source.numNodes} nodes, ${source.numFeatures} features, ${source.classes.length} classes; ` +
        `${limit.length} train / ${val.length} val nodes; ${arch}, ${saint ? `GraphSAINT random walks of ${o.walkLength ?? 2} steps (evaluation: neighbour sampling [${fanouts.join(", ")}])` : `neighbour sampling [${fanouts.join(", ")}]`}, batch ${batchSize}, ${plural(epochs, "epoch")}, lr ${lr}`,
    );
    let epoch = 0;
    const batches = {
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
    const evalOpts = { fanouts, batchSize, seed };
    const trainer = new Trainer<SeedBatch>({
      name: TASK,
      model,
      optimizer: new AdamW(model.parameters(), { lr, weightDecay: 5e-4 }),
      step: (b) =>
        walker
          ? walkLoss(model, source, walker, isTrain!, seedsOf(b.seeds))
          : crossEntropy(sampledLogits(model, source, sampler, seedsOf(b.seeds)), b.y),
      shard: (b, r, world) => (b.seeds.shape[0]! < world ? null : { seeds: shardRows(b.seeds, r, world), y: shardRows(b.y, r, world) }),
      validate: valSub.length > 0 ? () => ({ valAccuracy: evaluateSampled(model, source, valSub, evalOpts).accuracy }) : undefined,
      keepBest: { monitor: "valAccuracy" },
      callbacks: [epochProgress(o.progress, epochs)],
    });
    const h = await trainer.fit(batches, { epochs });
    model.eval();
    const metrics = evaluateSampled(model, source, valSub.length > 0 ? valSub : limit, evalOpts);
    const pre: SampledPreprocessing = { data: o.data, seed, sampler: saint ? "saint" : "neighbor", fanouts, batchSize };
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
  typeof p === "object" && p !== null && ["neighbor", "saint"].includes((p as { sampler?: unknown }).sampler as string);

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
    return { ...evaluateSampled(model, source, source.splitNodes("test"), pre), labels: config.labels ?? [] };
  } finally {
    close();
    model.dispose();
  }
}
