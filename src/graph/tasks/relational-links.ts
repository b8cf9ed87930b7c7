// Typed-edge link prediction (link-prediction --model rgcn | compgcn, or --data
// debian-packages-typed with gcn): hold out a seeded 5% / 10% of the package graph's Depends
// facts, train a relational encoder on every other fact (Depends, Recommends, Suggests,
// Conflicts, Provides, Maintainer, Section) with a DistMult decoder, score(s, r, o) =
// Σ z_s ∘ w_r ∘ z_o (Schlichtkrull et al. §4), against one corrupted tail per fact, drawn afresh
// each epoch; the GCN baseline sees the same facts with their types ignored and scores z_s · z_o.
// Metrics as the homogeneous task reports them: ROC-AUC and Hits@50 of the held-out Depends
// facts against as many sampled package pairs that are not Depends facts, beside common neighbours.
import { FlambeauError } from "../../core/errors.js";
import { cat, manualSeed, noGrad, ones, type Tensor, tensor, tidy } from "../../core/index.js";
import { binaryCrossEntropyWithLogits } from "../../core/ops/loss.js";
import { Random } from "../../data/random.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { AdamW } from "../../optim/index.js";
import { plural } from "../../tasks/format.js";
import type { TaskTrainResult, TrainInput } from "../../tasks/task.js";
import type { Logs } from "../../train/callbacks.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { typedPackageGraph } from "../datasets/typed-packages.js";
import { epochProgress } from "../full-graph.js";
import { Graph } from "../graph.js";
import { commonNeighbours, linkMetrics } from "../link-model.js";
import { type EdgePairs, pairKeys, sampleNegatives } from "../link-split.js";
import { RelationalModel, type RelationalModelHyper, type RelationalModelName } from "../models/relational-models.js";
import { inversesOf, type TypedGraph, withInverses } from "../typed-graph.js";

const TASK = "link-prediction";
const HITS_K = 50;
const SPLIT = { val: 0.05, test: 0.1 } as const;
/** The relation whose held-out facts are predicted. */
const TARGET = "Depends";
export const RELATIONAL_LINK_MODELS = ["rgcn", "compgcn"] as const;
export const TYPED_LINK_DATA = "debian-packages-typed";
export const isRelationalLinkRun = (model: string | undefined, data: string): boolean =>
  (RELATIONAL_LINK_MODELS as readonly string[]).includes(model ?? "") || data === TYPED_LINK_DATA;

interface Preprocessing {
  data: string;
  seed: number;
  split: { val: number; test: number };
}

/** Facts (s, r, o) as parallel arrays. */
interface Facts {
  src: Int32Array;
  dst: Int32Array;
  rel: Int32Array;
}

export interface TypedLinkSplit {
  /** The graph of the training facts (x of every node). */
  train: TypedGraph;
  trainFacts: Facts;
  target: number;
  numPackages: number;
  valPos: EdgePairs;
  valNeg: EdgePairs;
  testPos: EdgePairs;
  testNeg: EdgePairs;
}

/** The encoder and the decoder's diagonal relation matrices w_r (DistMult). */
export class RelationalLinkModel extends Module {
  encoder: RelationalModel;
  relDiag: Parameter;
  constructor(readonly hyper: RelationalModelHyper) {
    super();
    this.encoder = new RelationalModel(hyper);
    this.relDiag = new Parameter(ones([hyper.numRelations, hyper.outChannels]));
  }
  forward(x: Tensor, edgeIndex: Tensor, edgeType: Tensor): Tensor {
    return this.encoder.forward(x, edgeIndex, edgeType);
  }
  /** Logits of facts from node embeddings z: DistMult, or z_s · z_o for the homogeneous GCN. */
  score(z: Tensor, f: { src: Int32Array; dst: Int32Array; rel?: Int32Array | number }): Tensor {
    const idx = (a: Int32Array) => tensor(BigInt64Array.from(a, (v) => BigInt(v)));
    const prod = z.indexSelect(0, idx(f.src)).mul(z.indexSelect(0, idx(f.dst)));
    if (this.hyper.arch === "gcn") return prod.sum({ dim: 1 });
    const rel = typeof f.rel === "number" ? tensor(BigInt64Array.from(f.src, () => BigInt(f.rel as number))) : idx(f.rel!);
    return prod.mul(this.relDiag.indexSelect(0, rel)).sum({ dim: 1 });
  }
}

/** Holds out Depends facts (seeded) and keeps every other fact as the training graph. */
export function splitTypedLinks(t: TypedGraph & { numPackages: number }, o: { val: number; test: number; seed: number }): TypedLinkSplit {
  const target = t.relations.indexOf(TARGET);
  if (target < 0) throw new FlambeauError("E_ARG", `${TASK}: the typed graph has no ${TARGET} relation (it has ${t.relations.join(", ")})`);
  const e = t.graph.numEdges;
  const ei = t.graph.edgeIndex.data() as BigInt64Array;
  const et = t.edgeType.data() as BigInt64Array;
  const ofTarget: number[] = [];
  for (let k = 0; k < e; k++) if (Number(et[k]) === target) ofTarget.push(k);
  const rng = new Random(o.seed, 0x7e1);
  rng.shuffle(ofTarget);
  const nTest = Math.max(1, Math.round(o.test * ofTarget.length));
  const nVal = Math.round(o.val * ofTarget.length);
  const pairs = (ks: number[]): EdgePairs => ({
    src: Int32Array.from(ks, (k) => Number(ei[k])),
    dst: Int32Array.from(ks, (k) => Number(ei[e + k])),
  });
  const testPos = pairs(ofTarget.slice(0, nTest));
  const valPos = pairs(ofTarget.slice(nTest, nTest + nVal));
  const held = new Set(ofTarget.slice(0, nTest + nVal));
  const kept = Array.from({ length: e }, (_, k) => k).filter((k) => !held.has(k));
  const p = t.numPackages;
  // Negatives: package pairs {a, b} with no Depends fact either way.
  const all = pairs(ofTarget);
  const sorted: EdgePairs = {
    src: all.src.map((a, k) => Math.min(a, all.dst[k]!)),
    dst: all.src.map((a, k) => Math.max(a, all.dst[k]!)),
  };
  const known = pairKeys(p, sorted);
  const testNeg = sampleNegatives(p, known, nTest, rng);
  const valNeg = sampleNegatives(p, new Set([...known, ...pairKeys(p, testNeg)]), nVal, rng);
  const kSrc = BigInt64Array.from(kept, (k) => ei[k]!);
  const kDst = BigInt64Array.from(kept, (k) => ei[e + k]!);
  const graph = new Graph({
    edgeIndex: tensor(BigInt64Array.from([...kSrc, ...kDst]), { shape: [2, kept.length] }),
    numNodes: t.graph.numNodes,
    x: t.graph.x,
    nodeNames: t.graph.nodeNames,
  });
  const rel = Int32Array.from(kept, (k) => Number(et[k]));
  return {
    train: { graph, edgeType: tensor(BigInt64Array.from(rel, (r) => BigInt(r))).keep(), relations: t.relations },
    trainFacts: { src: Int32Array.from(kSrc, Number), dst: Int32Array.from(kDst, Number), rel },
    target,
    numPackages: p,
    valPos,
    valNeg,
    testPos,
    testNeg,
  };
}

/** Node embeddings of the training graph (the inverse edges built once). */
function embedder(model: RelationalLinkModel, s: TypedLinkSplit): () => Tensor {
  const t = s.train;
  const inv = model.hyper.arch === "compgcn" ? undefined : inversesOf(t);
  return () => model.encoder.forward(t.graph.x!, t.graph.edgeIndex, t.edgeType, inv);
}

function scoresOf(model: RelationalLinkModel, embed: () => Tensor, target: number, ps: readonly EdgePairs[]): Float32Array[] {
  return noGrad(() =>
    tidy(() => {
      model.eval();
      const z = embed();
      return ps.map((p) => model.score(z, { ...p, rel: target }).data() as Float32Array);
    }),
  );
}

/** An undirected homogeneous view of the training facts, for common neighbours. */
function untypedTrain(s: TypedLinkSplit): Graph {
  const both = withInverses(s.train.graph.edgeIndex, s.train.edgeType, s.train.relations.length);
  return new Graph({ edgeIndex: both.edgeIndex, numNodes: s.train.graph.numNodes });
}

function evaluateSplit(model: RelationalLinkModel, s: TypedLinkSplit): Record<string, number> {
  const [pos, neg] = scoresOf(model, embedder(model, s), s.target, [s.testPos, s.testNeg]) as [Float32Array, Float32Array];
  const m = linkMetrics(pos, neg, HITS_K);
  const g = untypedTrain(s);
  const cn = linkMetrics(commonNeighbours(g, s.testPos), commonNeighbours(g, s.testNeg), HITS_K);
  return {
    testEdges: s.testPos.src.length,
    auc: m.auc,
    [`hits@${HITS_K}`]: m.hits,
    commonNeighboursAuc: cn.auc,
    [`commonNeighboursHits@${HITS_K}`]: cn.hits,
  };
}

async function loadSplit(data: string, seed: number, split: { val: number; test: number }, log?: (s: string) => void) {
  if (data !== "debian-packages" && data !== "packages" && data !== TYPED_LINK_DATA)
    throw new FlambeauError(
      "E_ARG",
      `${TASK}: relational models (rgcn, compgcn) read typed edges; the built-in typed set is debian-packages (or ${TYPED_LINK_DATA}), got "${data}"`,
    );
  const t = await typedPackageGraph({ log, sectionEdges: true });
  return splitTypedLinks(t, { ...split, seed });
}

export async function trainTypedLinks(o: TrainInput): Promise<TaskTrainResult> {
  const { seed, log } = o;
  const arch = (o.model ?? "gcn") as RelationalModelName;
  if (arch !== "gcn" && !(RELATIONAL_LINK_MODELS as readonly string[]).includes(arch))
    throw new FlambeauError(
      "E_ARG",
      `${TASK}: on typed data the encoders are rgcn, compgcn and gcn (the homogeneous baseline), got "${arch}"`,
    );
  const s = await loadSplit(o.data, seed, SPLIT, log);
  const epochs = o.epochs ?? 50;
  const lr = o.lr ?? 0.01;
  const g = s.train.graph;
  const hyper: RelationalModelHyper = {
    arch,
    inChannels: g.numFeatures,
    hidden: 32,
    outChannels: 32,
    layers: 2,
    dropout: 0,
    numRelations: s.train.relations.length,
    numBases: 4,
    composition: "corr",
  };
  manualSeed(seed);
  const model = new RelationalLinkModel(hyper);
  const facts = s.trainFacts;
  const m = facts.src.length;
  log(
    `${TASK}: debian-packages (typed): ${g.numNodes} nodes, ${m} training facts (${s.train.relations.join(", ")}); ` +
      `${s.valPos.src.length} val / ${s.testPos.src.length} test ${TARGET} facts held out; ${arch}${arch === "gcn" ? " (types ignored, dot product)" : " + DistMult"}, ${plural(epochs, "epoch")}`,
  );
  const embed = embedder(model, s);
  const rng = new Random(seed, 0x1c);
  const trainer: Trainer<Facts> = new Trainer<Facts>({
    name: TASK,
    model,
    optimizer: new AdamW(model.parameters(), { lr, weightDecay: 0 }),
    step: (neg) => {
      const z = embed();
      const logits = cat([model.score(z, facts), model.score(z, neg)]);
      const target = tensor(Float32Array.from({ length: 2 * m }, (_, k) => (k < m ? 1 : 0)));
      return binaryCrossEntropyWithLogits(logits, target);
    },
    batchSize: () => 2 * m,
    validate: (): Logs => {
      const epoch = trainer.state.epoch;
      if (s.valPos.src.length === 0 || (epoch % 5 !== 0 && epoch !== epochs)) return {};
      const [vp, vn] = scoresOf(model, embed, s.target, [s.valPos, s.valNeg]);
      return { valAuc: linkMetrics(vp!, vn!, HITS_K).auc };
    },
    keepBest: { monitor: "valAuc" },
    callbacks: [epochProgress(o.progress, epochs)],
  });
  // One batch per epoch: each fact's tail replaced by a random package (the same relation).
  const epoch = {
    length: 1,
    *[Symbol.iterator](): Generator<Facts> {
      yield { src: facts.src, rel: facts.rel, dst: Int32Array.from(facts.dst, () => rng.int(s.numPackages)) };
    },
  };
  const h = await trainer.fit(epoch, { epochs });
  model.eval();
  const metrics = evaluateSplit(model, s);
  await saveModelDir<RelationalModelHyper, Preprocessing>(
    o.out,
    {
      task: TASK,
      architecture: arch,
      hyper: { ...hyper },
      preprocessing: { data: TYPED_LINK_DATA, seed, split: { ...SPLIT } },
      metrics: { test: metrics, epochs, lr, seed, bestEpoch: h.bestEpoch ?? epochs, seconds: h.seconds },
    },
    model.stateDict(),
  );
  return { dir: o.out, metrics, history: { epochs: h.epochs, seconds: h.seconds, samplesPerSecond: (2 * m * epochs) / h.seconds } };
}

async function loadModel(dir: string): Promise<{ model: RelationalLinkModel; pre: Preprocessing }> {
  const { config, weights } = await loadModelDir<RelationalModelHyper, Preprocessing>(dir, TASK);
  const model = new RelationalLinkModel(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, pre: config.preprocessing! };
}

export async function evaluateTypedLinks(dir: string, data: string): Promise<Record<string, unknown>> {
  const { model, pre } = await loadModel(dir);
  try {
    // The same seeded split as training, so the test facts are the held-out ones.
    return evaluateSplit(model, await loadSplit(data, pre.seed, pre.split));
  } finally {
    model.dispose();
  }
}

/** P(a Depends b) for "a,b" package-name pairs, from the model's own training graph. */
export async function typedLinkScorer(
  dir: string,
): Promise<{ names: readonly string[]; score: (p: EdgePairs) => Float32Array; dispose: () => void }> {
  const { model, pre } = await loadModel(dir);
  const s = await loadSplit(pre.data, pre.seed, pre.split);
  const z = noGrad(() => tidy(() => embedder(model, s)().keep()));
  return {
    names: s.train.graph.nodeNames ?? [],
    score: (p) =>
      noGrad(() =>
        tidy(
          () =>
            model
              .score(z, { ...p, rel: s.target })
              .sigmoid()
              .data() as Float32Array,
        ),
      ),
    dispose: () => {
      z.dispose();
      model.dispose();
    },
  };
}
