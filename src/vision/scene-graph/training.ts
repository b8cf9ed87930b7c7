// What the scene-graph task trains and scores on, packed for the shared scene Trainer:
//   targets: one float32 row per image, CenterNet's packed row for K objects (centernet-targets.ts)
//            then the K × K × P relation bits of the exact scene graph (scenes/scene-graph.ts);
//   loss:    CenterNet's loss plus the predicate head's binary cross-entropy over the true
//            objects' ordered pairs (trained on true boxes, as two-stage generators are);
//   graphs:  a batch's predicted graphs — SGDet on the decoded detections, PredCls on the true
//            boxes and classes — which the meter scores by triplet Recall@20/50.
import { FlambeauError } from "../../core/errors.js";
import { noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { functional as F } from "../../nn/index.js";
import type { Meter } from "../../train/trainer.js";
import { splitCenterNet } from "../models/centernet.js";
import { type CenterNetDecodeOptions, decodeCenterNet } from "../scenes/centernet-decode.js";
import { centernetLoss } from "../scenes/centernet-loss.js";
import { type DetectionLayout, fillTargetRow, GT_FIELDS, targetSizes } from "../scenes/centernet-targets.js";
import { sceneGraph } from "../scenes/scene-graph.js";
import type { SceneSplit } from "../scenes/task-data.js";
import { NUM_PREDICATES, predicateIndex } from "./baselines.js";
import { type GraphBox, type IndexedTriplet, orderedPairs, RecallAccumulator, rankTriplets, type ScoredTriplet } from "./metrics.js";
import { PAIR_GEOMETRY, pairGeometry, type SceneGraphNet, splitSceneGraph } from "./model.js";

export interface GraphLayout {
  numClasses: number;
  /** Scene side, px. */
  size: number;
  /** K: objects per image the rows hold. */
  maxObjects: number;
}

/** The true graph of a generated scene: its objects (first K) and relation triplets among them. */
export function sceneTruth(
  scene: SceneSplit["scenes"][number],
  classes: readonly string[],
  maxObjects: number,
): { objects: GraphBox[]; triplets: IndexedTriplet[] } {
  // The size words need the scale range; relations do not, so any range serves.
  const g = sceneGraph(scene, classes, { minScale: 0, maxScale: 1 });
  const objects = scene.objects.slice(0, maxObjects).map((o) => ({ category: o.category, box: o.box }));
  const triplets = g.relations
    .filter((t) => t.subject < maxObjects && t.object < maxObjects)
    .map((t) => ({ subject: t.subject, predicate: predicateIndex(t.relation), object: t.object }));
  return { objects, triplets };
}

const detLayout = (l: GraphLayout): DetectionLayout => ({ numClasses: l.numClasses, size: l.size, masks: false });

/** Floats per target row: CenterNet's part, then the relation bits. */
export function graphRowWidth(l: GraphLayout): { detection: number; width: number } {
  const detection = targetSizes(detLayout(l), l.maxObjects).width;
  return { detection, width: detection + l.maxObjects * l.maxObjects * NUM_PREDICATES };
}

/** float32 [N, width]: the packed targets of generated scenes (see the file header). */
export function sceneGraphTargets(set: SceneSplit, l: GraphLayout): Tensor {
  const { detection, width } = graphRowWidth(l);
  const K = l.maxObjects;
  const P = NUM_PREDICATES;
  const out = new Float32Array(set.scenes.length * width);
  set.scenes.forEach((sc, i) => {
    const row = out.subarray(i * width, (i + 1) * width);
    fillTargetRow(row, detLayout(l), K, sc.objects);
    for (const t of sceneTruth(sc, set.classes, K).triplets) row[detection + (t.subject * K + t.object) * P + t.predicate] = 1;
  });
  return tensor(out, { shape: [set.scenes.length, width] });
}

export interface TruthImage {
  objects: (GraphBox & { cell: number })[];
  triplets: IndexedTriplet[];
  /** The relation bits of pair (i, j) at (i · K + j) · P. */
  bits: Float32Array;
}

/** The true objects and triplets packed in target rows [N, width]. */
export function readTruth(y: Tensor, l: GraphLayout): TruthImage[] {
  const { detection, width } = graphRowWidth(l);
  if (y.ndim !== 2 || y.shape[1] !== width)
    throw new FlambeauError(
      "E_SHAPE",
      `scene-graph: target rows of [${y.shape.join(", ")}] do not fit ${l.numClasses} classes, ${l.size} px, ${l.maxObjects} objects (width ${width})`,
    );
  const rows = tidy(() => y.contiguous().data() as Float32Array);
  const K = l.maxObjects;
  const P = NUM_PREDICATES;
  const dense = targetSizes(detLayout(l), 0).dense;
  const out: TruthImage[] = [];
  for (let i = 0; i < y.shape[0]!; i++) {
    const r = rows.subarray(i * width, (i + 1) * width);
    // Valid records come first (fillTargetRow fills objects in order; a degenerate box is marked invalid).
    const keep: number[] = [];
    for (let j = 0; j < K; j++) if (r[dense + j * GT_FIELDS] === 1) keep.push(j);
    const at = new Map(keep.map((j, n) => [j, n]));
    const objects = keep.map((j) => {
      const g = r.subarray(dense + j * GT_FIELDS, dense + (j + 1) * GT_FIELDS);
      return { category: g[1]!, box: [g[2]!, g[3]!, g[4]!, g[5]!], cell: g[6]! };
    });
    const bits = new Float32Array(keep.length * keep.length * P);
    const triplets: IndexedTriplet[] = [];
    for (const a of keep)
      for (const b of keep)
        for (let p = 0; p < P; p++)
          if (r[detection + (a * K + b) * P + p] === 1) {
            triplets.push({ subject: at.get(a)!, predicate: p, object: at.get(b)! });
            bits[(at.get(a)! * keep.length + at.get(b)!) * P + p] = 1;
          }
    out.push({ objects, triplets, bits });
  }
  return out;
}

/** Pairs of several images gathered for one run of the predicate head. */
interface PairBatch {
  subject: BigInt64Array;
  object: BigInt64Array;
  geometry: Float32Array;
  /** Where each image's pairs start, and its pairs. */
  offsets: number[];
  pairs: [number, number][][];
}

function gatherPairs(images: readonly (readonly (GraphBox & { cell: number })[])[], cells: number, size: number): PairBatch {
  const pairs = images.map((obs) => orderedPairs(obs.length));
  const m = pairs.reduce((a, p) => a + p.length, 0);
  const b: PairBatch = {
    subject: new BigInt64Array(m),
    object: new BigInt64Array(m),
    geometry: new Float32Array(m * PAIR_GEOMETRY),
    offsets: [],
    pairs,
  };
  let k = 0;
  images.forEach((obs, i) => {
    b.offsets.push(k);
    for (const [s, o] of pairs[i]!) {
      b.subject[k] = BigInt(i * cells + obs[s]!.cell);
      b.object[k] = BigInt(i * cells + obs[o]!.cell);
      b.geometry.set(pairGeometry(obs[s]!.box, obs[o]!.box, size), k * PAIR_GEOMETRY);
      k++;
    }
  });
  return b;
}

function headLogits(model: SceneGraphNet, features: Tensor, b: PairBatch): Tensor {
  const m = b.subject.length;
  return model.pairLogits(
    features,
    tensor(b.subject, { shape: [m] }),
    tensor(b.object, { shape: [m] }),
    tensor(b.geometry, { shape: [m, PAIR_GEOMETRY] }),
  );
}

/** CenterNet's loss plus `relationWeight` × the predicate head's BCE on the true objects' pairs. */
export function sceneGraphLoss(model: SceneGraphNet, l: GraphLayout, relationWeight = 1) {
  const detLoss = centernetLoss(l.numClasses, false);
  const { detection } = graphRowWidth(l);
  return (out: Tensor, y: Tensor): Tensor => {
    const { maps, features, grid } = splitSceneGraph(out, l.numClasses, model.neck);
    const loss = detLoss(maps, y.narrow(1, 0, detection));
    const truth = readTruth(y, l);
    const b = gatherPairs(
      truth.map((t) => t.objects),
      grid * grid,
      l.size,
    );
    if (b.subject.length === 0) return loss;
    const target = new Float32Array(b.subject.length * NUM_PREDICATES);
    truth.forEach((t, i) => {
      const n = t.objects.length;
      b.pairs[i]!.forEach(([s, o], k) =>
        target.set(t.bits.subarray((s * n + o) * NUM_PREDICATES, (s * n + o + 1) * NUM_PREDICATES), (b.offsets[i]! + k) * NUM_PREDICATES),
      );
    });
    const rel = F.binaryCrossEntropyWithLogits(
      headLogits(model, features, b),
      tensor(target, { shape: [b.subject.length, NUM_PREDICATES] }),
    );
    return loss.add(rel.mul(relationWeight));
  };
}

export interface ImageGraph {
  /** Detections, best first (SGDet's objects). */
  detections: (GraphBox & { score: number; cell: number })[];
  /** The head's predicate probabilities [pairs × P] over the detections' ordered pairs, and those pairs. */
  detectionPairs: [number, number][];
  detectionProbs: Float32Array;
  /** SGDet's ranked triplets (indices into detections). */
  sgdet: ScoredTriplet[];
  /** PredCls's ranked triplets over the true objects (when the truth was given). */
  predcls: ScoredTriplet[];
  truthPairs: [number, number][];
}

/** Decoding for scoring: every peak down to 0.05, at most `maxDetections` per image. */
export const GRAPH_DECODE: CenterNetDecodeOptions = { topK: 100, scoreThreshold: 0.05, nmsIou: 0.5 };

/**
 * The predicted graphs of a batch from the model's output rows: detections (at most
 * `maxDetections`, above `decode`'s threshold), SGDet triplets over them, and with `truth`
 * PredCls triplets over the true objects.
 */
export function predictGraphs(
  model: SceneGraphNet,
  out: Tensor,
  o: { size: number; truth?: readonly TruthImage[]; decode?: CenterNetDecodeOptions; maxDetections?: number; keep?: number },
): ImageGraph[] {
  const P = NUM_PREDICATES;
  return noGrad(() =>
    tidy(() => {
      const { maps, features, grid } = splitSceneGraph(out, model.numClasses, model.neck);
      const cn = splitCenterNet(maps, model.numClasses, false);
      const found = decodeCenterNet(cn, o.decode ?? GRAPH_DECODE).map((ds) => ds.slice(0, o.maxDetections ?? 20));
      const dets = found.map((ds) => ds.map((d) => ({ category: d.category, box: d.box, score: d.score, cell: d.cell })));
      const db = gatherPairs(dets, grid * grid, o.size);
      const dp = db.subject.length ? (headLogits(model, features, db).sigmoid().data() as Float32Array) : new Float32Array(0);
      let tp = new Float32Array(0) as Float32Array<ArrayBufferLike>;
      let tb: PairBatch | null = null;
      if (o.truth) {
        tb = gatherPairs(
          o.truth.map((t) => t.objects),
          grid * grid,
          o.size,
        );
        if (tb.subject.length) tp = headLogits(model, features, tb).sigmoid().data() as Float32Array;
      }
      return dets.map((d, i) => {
        const n = db.pairs[i]!.length;
        const probs = dp.slice(db.offsets[i]! * P, (db.offsets[i]! + n) * P);
        const truthPairs = tb?.pairs[i] ?? [];
        const tprobs = tb ? tp.subarray(tb.offsets[i]! * P, (tb.offsets[i]! + truthPairs.length) * P) : new Float32Array(0);
        return {
          detections: d,
          detectionPairs: db.pairs[i]!,
          detectionProbs: probs,
          sgdet: rankTriplets(
            d.map((x) => x.score),
            db.pairs[i]!,
            probs,
            P,
            o.keep,
          ),
          predcls: rankTriplets([], truthPairs, tprobs, P, o.keep),
          truthPairs,
        };
      });
    }),
  );
}

/** The Trainer's meter: SGDet and PredCls Recall@20/50 (sgdetR20, sgdetR50, predclsR20, predclsR50). */
export class SceneGraphMeter implements Meter {
  readonly sgdet = new RecallAccumulator([20, 50]);
  readonly predcls = new RecallAccumulator([20, 50]);
  constructor(
    readonly model: SceneGraphNet,
    readonly layout: GraphLayout,
  ) {}
  update(out: Tensor, y: Tensor): void {
    const truth = readTruth(y, this.layout);
    const graphs = predictGraphs(this.model, out, { size: this.layout.size, truth });
    graphs.forEach((g, i) => {
      this.sgdet.add({ objects: g.detections, triplets: g.sgdet }, truth[i]!);
      this.predcls.add({ objects: truth[i]!.objects, triplets: g.predcls }, truth[i]!);
    });
  }
  compute(): Record<string, unknown> {
    return { ...this.sgdet.compute("sgdet"), ...this.predcls.compute("predcls") };
  }
}
