// image-feature-extraction (retrieval): an embedding CNN trained with a CosFace
// (normalised softmax + margin) loss on all classes but the last two, which are held out;
// an exact (matmul + topk) or HNSW index over the test images; metrics recall@1/5 and mAP
// for queries from the held-out classes against the whole test gallery, beside the same
// search on raw pixels. Images are described by the last conv map (layout kept), which
// transfers to unseen classes better than the trained 64-d projection (both reported).
// predict returns the k most similar gallery images.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { load as loadTensors, save } from "../../io/index.js";
import { AdamW } from "../../optim/index.js";
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
import { WarmupCosineLR } from "../../train/callbacks.js";
import { loadModelDir, saveModelDir } from "../../train/model-dir.js";
import { Trainer } from "../../train/trainer.js";
import { randomTranslate } from "../augment.js";
import { type LabelledImages, loadImageData, take } from "../image-data.js";
import { readImage } from "../image-io.js";
import { CosFaceLoss, CosFaceTraining, descriptorOf, EmbeddingCNN } from "../models/embedding.js";
import { embedImages } from "../retrieval/embed.js";
import { buildIndex, ExactIndex } from "../retrieval/knn.js";
import { type RetrievalMetrics, retrievalMetrics } from "../retrieval/metrics.js";
import { neighboursHtml } from "./retrieval-html.js";

const TASK = "image-feature-extraction";
const HELD_OUT = 2;

const OPTIONS = {
  topK: opt.int("gallery images to show", { phases: ["predict"], default: 5 }),
};

interface Pre {
  size: number;
  channels: 1 | 3;
  mean: number;
  std: number;
}
type Hyper = { inChannels: number; dim: number; width: number };
/** What the saved config's preprocessing holds: the normalisation, the held-out classes and the gallery's data. */
type SavedPre = Pre & { heldOutClasses: string[]; gallery: string };

const prepare = (x: Tensor, p: Pre): Tensor => x.float().div(255).sub(p.mean).div(p.std);

/** Rows of `d` whose label is (or is not) in `classes`. */
function select(d: LabelledImages, classes: readonly number[], keep: boolean): LabelledImages {
  return tidy(() => {
    const lab = d.labels.data() as BigInt64Array;
    const rows: bigint[] = [];
    for (let i = 0; i < lab.length; i++) if (classes.includes(Number(lab[i])) === keep) rows.push(BigInt(i));
    const idx = tensor(BigInt64Array.from(rows));
    return { ...d, images: d.images.indexSelect(0, idx).keep(), labels: d.labels.indexSelect(0, idx).keep() };
  });
}

const heldOutOf = (classes: readonly string[]): number[] => Array.from({ length: HELD_OUT }, (_, i) => classes.length - HELD_OUT + i);

/** One epoch of shifted batches in a fresh permutation of `rng` (drawn when the epoch starts). */
function epochBatches(data: LabelledImages, pre: Pre, batch: number, rng: Random) {
  const n = data.images.shape[0]!;
  const steps = Math.ceil(n / batch);
  async function* run(): AsyncGenerator<[Tensor, Tensor]> {
    const perm = rng.permutation(n);
    for (let s = 0; s < steps; s++)
      yield tidy(() => {
        const rows = perm.subarray(s * batch, Math.min(n, (s + 1) * batch));
        const idx = tensor(BigInt64Array.from(rows, (v) => BigInt(v)));
        const x = randomTranslate(prepare(data.images.indexSelect(0, idx), pre), { maxShift: 2 });
        return [x, data.labels.indexSelect(0, idx)] as [Tensor, Tensor];
      });
  }
  return { length: steps, [Symbol.asyncIterator]: () => run()[Symbol.asyncIterator]() };
}

async function train(o: TrainInput): Promise<TaskTrainResult> {
  const { seed, log } = o;
  manualSeed(seed);
  const all = await loadImageData(o.data, "train", {});
  if (all.classes.length < HELD_OUT + 2)
    throw new FlambeauError(
      "E_FORMAT",
      `${TASK}: needs at least ${HELD_OUT + 2} classes (${HELD_OUT} are held out), got ${all.classes.length}`,
    );
  const held = heldOutOf(all.classes);
  let data = select(all, held, false);
  if (o.limit !== undefined) {
    // A seeded shuffle first, so a limit keeps every training class.
    const perm = new Random(seed).permutation(data.images.shape[0]!);
    const idx = tensor(BigInt64Array.from(perm, (v) => BigInt(v)));
    data = take({ ...data, images: data.images.indexSelect(0, idx), labels: data.labels.indexSelect(0, idx) }, o.limit);
  }
  const [n, channels, size] = data.images.shape as [number, 1 | 3, number];
  const stats = tidy(() => {
    const x = data.images.narrow(0, 0, Math.min(n, 10000)).float().div(255);
    return { mean: x.mean().item(), std: Math.max(1e-3, x.std().item()) };
  });
  const pre: Pre = { size, channels, ...stats };
  const hyper: Hyper = { inChannels: channels, dim: 64, width: 16 };
  const model = new EmbeddingCNN(hyper);
  // Training labels are renumbered 0…C−3 (the held-out classes are the last two).
  const withHead = new CosFaceTraining(model, new CosFaceLoss(hyper.dim, all.classes.length - HELD_OUT));
  const epochs = o.epochs ?? 3;
  const batch = o.batchSize ?? 128;
  const peakLr = o.lr ?? 2e-3;
  const optimizer = new AdamW(withHead.parameters(), { lr: peakLr, weightDecay: 1e-4 });
  const total = epochs * Math.ceil(n / batch);
  log(
    `${TASK}: ${n} training images of ${all.classes.length - HELD_OUT} classes (held out: ${held.map((c) => all.classes[c]).join(", ")}); CosFace, ${plural(epochs, "epoch")}, batch ${batch}`,
  );
  const trainer = new Trainer<[Tensor, Tensor]>({
    name: TASK,
    model: withHead,
    optimizer,
    step: ([x, y]) => withHead.forward(x, y),
    progress: o.progress,
    // Cosine decay from the peak, no warm-up.
    callbacks: [new WarmupCosineLR(optimizer, peakLr, total, 0)],
  });
  const history = await trainer.fit(epochBatches(data, pre, batch, new Random(seed, 1)), { epochs });
  model.eval();
  const metrics = await scoreAndIndex(model, pre, o.data, all.classes, o.out, true);
  await saveModelDir<Hyper, SavedPre>(
    o.out,
    {
      task: TASK,
      architecture: "embedding-cnn",
      hyper,
      labels: all.classes,
      preprocessing: { ...pre, heldOutClasses: held.map((c) => all.classes[c]!), gallery: o.data },
      metrics: { heldOut: metrics, epochs, batchSize: batch, lr: peakLr, seed, trainExamples: n },
    },
    model.stateDict(),
  );
  withHead.dispose();
  return { dir: o.out, metrics, history };
}

/** Embeds the test split as the gallery (saved beside the model) and scores held-out-class queries, learned vs raw pixels. */
async function scoreAndIndex(
  model: EmbeddingCNN,
  pre: Pre,
  data: string,
  classes: readonly string[],
  dir: string | null,
  withRaw: boolean,
  limit?: number,
): Promise<Record<string, number>> {
  const test = await loadImageData(data, "test", { size: pre.size, channels: pre.channels, classes, limit });
  const prep = (x: Tensor) => prepare(x, pre);
  const emb = embedImages(descriptorOf(model, "spatial"), test.images, prep);
  if (dir) {
    mkdirSync(dir, { recursive: true });
    await save(
      new Map([
        ["embeddings", emb],
        ["labels", test.labels],
      ]),
      join(dir, "gallery.safetensors"),
    );
  }
  const held = heldOutOf(classes);
  const lab = test.labels.data() as BigInt64Array;
  const queries: number[] = [];
  for (let i = 0; i < lab.length; i++) if (held.includes(Number(lab[i]))) queries.push(i);
  if (queries.length === 0)
    throw new FlambeauError(
      "E_FORMAT",
      `${TASK}: the test split of ${data} has no images of the held-out classes (${held.map((c) => classes[c]).join(", ")})`,
    );
  const score = (e: Tensor, metric: "cosine" | "l2" = "cosine"): RetrievalMetrics => {
    const idx = new ExactIndex(e, { metric });
    const m = retrievalMetrics(idx, e, test.labels, queries);
    idx.dispose();
    return m;
  };
  const m = score(emb);
  // The trained 64-d projection, for comparison: it transfers less well to unseen classes.
  const proj = embedImages(descriptorOf(model, "embedding"), test.images, prep);
  const p = score(proj);
  proj.dispose();
  const out: Record<string, number> = {
    queries: m.queries,
    gallery: m.gallery,
    recallAt1: m.recallAt1,
    recallAt5: m.recallAt5,
    mAP: m.mAP,
    embeddingRecallAt1: p.recallAt1,
    embeddingRecallAt5: p.recallAt5,
    embeddingMAP: p.mAP,
  };
  if (withRaw) {
    const raw = noGrad(() => test.images.flatten(1).float().div(255));
    const r = score(raw, "l2");
    Object.assign(out, { rawPixelsRecallAt1: r.recallAt1, rawPixelsRecallAt5: r.recallAt5, rawPixelsMAP: r.mAP });
  }
  return out;
}

async function loadModel(dir: string): Promise<{ model: EmbeddingCNN; pre: SavedPre; labels: string[] }> {
  const { config, weights } = await loadModelDir<Hyper, SavedPre>(dir, TASK);
  const model = new EmbeddingCNN(config.hyper);
  model.loadStateDict(weights);
  model.eval();
  return { model, pre: config.preprocessing!, labels: config.labels ?? [] };
}

async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  const { model, pre, labels } = await loadModel(dir);
  const m = await scoreAndIndex(model, pre, data, labels, null, true, o.limit);
  model.dispose();
  return { heldOutClasses: labels.slice(-HELD_OUT), ...m };
}

export interface Neighbour {
  rank: number;
  /** Row in the gallery (the test split of the training data). */
  index: number;
  label: string;
  score: number;
}

/** The model and the index over its gallery, loaded once. */
async function load(dir: string): Promise<Predictor<Neighbour[], { topK?: number }>> {
  const { model, pre, labels } = await loadModel(dir);
  const g = await loadTensors(join(dir, "gallery.safetensors"));
  const emb = g.get("embeddings");
  const glab = g.get("labels");
  if (!emb || !glab) {
    model.dispose();
    for (const t of g.values()) t.dispose();
    throw new FlambeauError("E_FORMAT", `${dir}/gallery.safetensors lacks embeddings or labels; retrain the model`);
  }
  const index = buildIndex(emb);
  const gl = glab.data() as BigInt64Array;
  for (const t of g.values()) t.dispose();
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      const k = o.topK ?? 5;
      const out: Neighbour[][] = [];
      for (const file of inputs) {
        const img = await readImage(file, { size: pre.size, channels: pre.channels });
        const [ids, sc] = noGrad(() =>
          tidy(() => {
            const q = model.spatial(prepare(tensor(img.data, { shape: [1, pre.channels, pre.size, pre.size] }), pre));
            const r = index.search(q, k);
            return [r.indices.data() as BigInt64Array, r.scores.data() as Float32Array] as const;
          }),
        );
        out.push(
          Array.from(ids, (id, i) => ({ rank: i + 1, index: Number(id), label: labels[Number(gl[Number(id)])] ?? "?", score: sc[i]! })),
        );
      }
      return out;
    },
    dispose: () => {
      index.dispose();
      model.dispose();
    },
  };
}

const formatPrediction = (p: Neighbour[]): string => p.map((n) => `#${n.index} ${n.label} (${n.score.toFixed(3)})`).join(", ");

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const budget = o.full ? { epochs: 6 } : { limit: 8000, epochs: 2 };
  const r = await train({ data: "fashion-mnist", out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const m = r.metrics as Record<string, number>;
  const { model, pre, labels } = await loadModel(o.out);
  const extraHtml = await neighboursHtml(
    model,
    (x) => prepare(x, pre),
    await loadImageData("fashion-mnist", "test", {}),
    labels,
    heldOutOf(labels),
  );
  model.dispose();
  const extra = o.full ? " --epochs 6" : " --limit 8000 --epochs 2";
  return {
    task: TASK,
    dataset: `Fashion-MNIST; classes ${labels.slice(-HELD_OUT).join(" and ")} held out of training`,
    commands: [`flambeau train ${TASK} --data fashion-mnist --out ${o.out}${extra}`, `flambeau eval ${o.out} --data fashion-mnist --json`],
    metrics: {
      recallAt1: m.recallAt1!,
      recallAt5: m.recallAt5!,
      mAP: m.mAP!,
      rawPixelsRecallAt1: m.rawPixelsRecallAt1!,
      rawPixelsMAP: m.rawPixelsMAP!,
    },
    history: r.history.epochs.map((e) => ({ loss: e.loss! })),
    seconds: (performance.now() - t0) / 1000,
    extraHtml,
  };
}

export const imageFeatureExtraction = defineTask({
  name: TASK,
  description:
    "image retrieval: an embedding CNN (CosFace loss) with an exact or HNSW nearest-neighbour index; recall@1/5 and mAP on classes held out of training, vs raw pixels",
  dataFormat:
    "like image-classification (IDX folder, `fashion-mnist`, or ImageFolder with train/ and test/); the last two classes are held out of training and the test split is the gallery",
  models: ["embedding-cnn"],
  defaultModel: "embedding-cnn",
  options: OPTIONS,
  train,
  evaluate,
  load,
  formatPrediction,
  demo,
});
