// scene-graph: image → objects and relation triplets ("7 left of 3", "2 inside 5"), the
// two-stage formulation of Xu et al. 2017 and Zellers et al. 2018 ("Neural Motifs"): a
// CenterNet detector, then a predicate head on each ordered pair of objects (centre features
// of both + box geometry → one sigmoid per predicate). Trained and scored on generated scenes
// of 2–5 digits on photos whose scene graphs are exact by construction (scenes/scene-graph.ts:
// left of, above, overlaps, inside, bigger than), fresh each epoch; tested on held-out digits
// and photos. Metrics: triplet Recall@20/50 in the SGDet setting (boxes and classes from the
// detector, both boxes IoU ≥ 0.5) and in the PredCls setting (true boxes and classes given),
// beside Neural Motifs' FREQ baseline and the generator's own geometry rules on the boxes.
import { extname } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { manualSeed, noGrad, tensor, tidy } from "../../core/index.js";
import { writeTextAtomic } from "../../io/index.js";
import { escapeHtml } from "../../tasks/html.js";
import { opt } from "../../tasks/options.js";
import { type DemoOptions, type DemoSection, defineTask, type EvalArgs, type Predictor, type TaskTrainResult } from "../../tasks/task.js";
import { readImage, writeImage } from "../image-io.js";
import { countFrequencies, type FrequencyTable, frequencyProbs, geometryProbs, NUM_PREDICATES } from "../scene-graph/baselines.js";
import { type DrawnObject, type DrawnTriplet, drawSceneGraph, sceneGraphSvg } from "../scene-graph/draw.js";
import { RecallAccumulator, rankTriplets } from "../scene-graph/metrics.js";
import { SceneGraphNet } from "../scene-graph/model.js";
import {
  type GraphLayout,
  predictGraphs,
  readTruth,
  SceneGraphMeter,
  sceneGraphLoss,
  sceneGraphTargets,
  sceneTruth,
} from "../scene-graph/training.js";
import { DetectionAccumulator } from "../scenes/centernet-decode.js";
import { checkDetectionSize } from "../scenes/centernet-targets.js";
import { fitOnScenes, loadSceneModel, type SceneTrainInput } from "../scenes/fit.js";
import { type ImagePreprocessing, normalise } from "../scenes/loader.js";
import { RELATIONS } from "../scenes/scene-graph.js";
import { type SceneSplit, sceneImages, testScenes, trainScenes } from "../scenes/task-data.js";

const TASK = "scene-graph";
const ARCHS = ["centernet-small", "centernet-tiny"] as const;

interface Hyper {
  numClasses: number;
  width: number;
  neck: number;
  head: number;
  hidden: number;
  maxObjects: number;
  /** FREQ's predicate counts from the training graphs (the baseline eval reports). */
  freq: FrequencyTable;
}

/** Generated scene-graph scenes: 2–5 digits of 30–55 % of the side, occluding each other by up to half. */
export const SCENE_GRAPH_SCENES = Object.freeze({
  objects: "digits" as const,
  size: 64,
  minObjects: 2,
  maxObjects: 5,
  minScale: 0.3,
  maxScale: 0.55,
});
/** Detections confident enough for predict's listing, and the predicate probability a listed relation needs. */
export const PREDICT_THRESHOLD = 0.3;
export const RELATION_THRESHOLD = 0.5;

function widths(arch: string): Pick<Hyper, "width" | "neck" | "head" | "hidden"> {
  if (arch === "centernet-small") return { width: 32, neck: 64, head: 64, hidden: 128 };
  if (arch === "centernet-tiny") return { width: 16, neck: 32, head: 32, hidden: 64 };
  throw new FlambeauError("E_ARG", `${TASK}: unknown model "${arch}"; models: ${ARCHS.join(", ")}`);
}

function checkGenerated(data: string): void {
  if (!/^scenes(:[a-z]+)?$/.test(data))
    throw new FlambeauError(
      "E_ARG",
      `${TASK}: --data must be generated scenes (scenes, scenes:digits or scenes:fashion), whose scene graphs are exact; got "${data}"`,
    );
}

const layoutOf = (h: Hyper, size: number): GraphLayout => ({ numClasses: h.numClasses, size, maxObjects: h.maxObjects });

/** A saved scene-graph model with its hyper-parameters (the FREQ table among them). */
async function loadGraphModel(dir: string) {
  let hyper: Hyper | undefined;
  const m = await loadSceneModel<Hyper, SceneGraphNet>(dir, TASK, (arch, h) => {
    widths(arch);
    hyper = h;
    return new SceneGraphNet(h);
  });
  return { ...m, hyper: hyper! };
}

async function train(o: SceneTrainInput): Promise<TaskTrainResult> {
  checkGenerated(o.data);
  manualSeed(o.seed);
  const arch = o.model ?? "centernet-small";
  const w = widths(arch);
  const {
    train: tr,
    val,
    generator,
  } = await trainScenes(o.data, { ...SCENE_GRAPH_SCENES, count: 8000, valCount: 300 }, { limit: o.limit, seed: o.seed, log: o.log });
  checkDetectionSize(TASK, tr.size);
  const maxObjects = SCENE_GRAPH_SCENES.maxObjects;
  const freq = countFrequencies(
    tr.scenes.map((sc) => sceneTruth(sc, tr.classes, maxObjects)),
    tr.classes.length,
  );
  const hyper: Hyper = { numClasses: tr.classes.length, ...w, maxObjects, freq };
  const model = new SceneGraphNet(hyper);
  const layout = layoutOf(hyper, tr.size);
  return fitOnScenes(
    {
      task: TASK,
      model,
      architecture: arch,
      hyper,
      labels: tr.classes,
      train: tr,
      val,
      generator,
      targets: (set: SceneSplit) => sceneGraphTargets(set, layout),
      loss: sceneGraphLoss(model, layout),
      meter: () => new SceneGraphMeter(model, layout),
      batchSize: o.batchSize ?? 32,
      valBatchSize: 64,
      epochs: o.epochs ?? 12,
      peakLr: o.lr ?? 2e-3,
      monitor: "valSgdetR50",
    },
    o,
  );
}

/**
 * Recall@20/50 of the model in SGDet and PredCls, box mAP@0.5 of its detector, and the same
 * recalls for FREQ (its classes; in SGDet the model's detections) and the geometry rule.
 */
export async function scoreSceneGraphs(
  model: SceneGraphNet,
  hyper: Hyper,
  pre: ImagePreprocessing,
  set: SceneSplit,
  batchSize = 64,
): Promise<Record<string, unknown>> {
  const layout = layoutOf(hyper, set.size);
  const P = NUM_PREDICATES;
  const acc = {
    sgdet: new RecallAccumulator(),
    predcls: new RecallAccumulator(),
    freqSgdet: new RecallAccumulator(),
    freqPredcls: new RecallAccumulator(),
    geometrySgdet: new RecallAccumulator(),
    geometryPredcls: new RecallAccumulator(),
    /** The truth itself ranked first: the most Recall@K can be when an image has more than K true triplets. */
    ceiling: new RecallAccumulator(),
  };
  const det = new DetectionAccumulator(hyper.numClasses, false);
  let triplets = 0;
  model.eval();
  for (let i0 = 0; i0 < set.scenes.length; i0 += batchSize) {
    const batch = { ...set, scenes: set.scenes.slice(i0, i0 + batchSize) };
    const { truth, graphs } = noGrad(() =>
      tidy(() => {
        const y = sceneGraphTargets(batch, layout);
        const truth = readTruth(y, layout);
        const out = model.forward(normalise(sceneImages(batch), pre));
        return { truth, graphs: predictGraphs(model, out, { size: set.size, truth }) };
      }),
    );
    graphs.forEach((g, i) => {
      const t = truth[i]!;
      triplets += t.triplets.length;
      const dets = g.detections;
      const scores = dets.map((d) => d.score);
      acc.sgdet.add({ objects: dets, triplets: g.sgdet }, t);
      acc.predcls.add({ objects: t.objects, triplets: g.predcls }, t);
      const rank = (sc: number[], pairs: [number, number][], probs: Float32Array) => rankTriplets(sc, pairs, probs, P);
      acc.freqSgdet.add({ objects: dets, triplets: rank(scores, g.detectionPairs, frequencyProbs(hyper.freq, dets, g.detectionPairs)) }, t);
      acc.freqPredcls.add({ objects: t.objects, triplets: rank([], g.truthPairs, frequencyProbs(hyper.freq, t.objects, g.truthPairs)) }, t);
      acc.geometrySgdet.add({ objects: dets, triplets: rank(scores, g.detectionPairs, geometryProbs(dets, g.detectionPairs)) }, t);
      acc.geometryPredcls.add({ objects: t.objects, triplets: rank([], g.truthPairs, geometryProbs(t.objects, g.truthPairs)) }, t);
      acc.ceiling.add({ objects: t.objects, triplets: t.triplets.map((x) => ({ ...x, score: 1 })) }, t);
      det.add(
        dets.map((d) => ({ image: i0 + i, category: d.category, score: d.score, box: d.box as number[] })),
        t.objects.map((ob) => ({ image: i0 + i, category: ob.category, box: ob.box as number[] })),
      );
    });
  }
  const out: Record<string, unknown> = { examples: set.scenes.length, triplets, map50: det.compute().map50 };
  for (const [k, a] of Object.entries(acc)) Object.assign(out, a.compute(k));
  out.predclsR20ByPredicate = acc.predcls.byPredicate(RELATIONS);
  out.geometryPredclsR20ByPredicate = acc.geometryPredcls.byPredicate(RELATIONS);
  out.freqPredclsR20ByPredicate = acc.freqPredcls.byPredicate(RELATIONS);
  return out;
}

async function evaluate(dir: string, data: string, o: EvalArgs = {}): Promise<Record<string, unknown>> {
  checkGenerated(data);
  const { model, pre, hyper, labels } = await loadGraphModel(dir);
  try {
    const set = await testScenes(data, pre.generator, { limit: o.limit, size: pre.size, count: 500 });
    if (set.classes.length !== labels.length)
      throw new FlambeauError("E_ARG", `${TASK}: ${data} has ${set.classes.length} classes, the model ${labels.length}`);
    return await scoreSceneGraphs(model, hyper, pre, set, o.batchSize);
  } finally {
    model.dispose();
  }
}

export interface GraphObjectPrediction {
  /** "<label>#<k>": the label and the object's number in this image. */
  name: string;
  label: string;
  score: number;
  /** [x, y, width, height] in the input image's pixels. */
  box: [number, number, number, number];
}
export interface SceneGraphPrediction {
  input: string;
  objects: GraphObjectPrediction[];
  /** Relations whose predicate probability reaches the threshold, most probable first. */
  triplets: { subject: string; relation: string; object: string; probability: number }[];
  /** The picture with boxes and relation arrows (with `--draw`). */
  output?: string;
}

type Loaded = Awaited<ReturnType<typeof loadGraphModel>>;

/** Objects named "<label>#<k>" (the k-th of its label in the image). */
function numbered<T extends { category: number }>(
  objects: readonly T[],
  labels: readonly string[],
): (T & { name: string; label: string })[] {
  const seen = new Map<string, number>();
  return objects.map((ob) => {
    const label = labels[ob.category] ?? String(ob.category);
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    return { ...ob, name: `${label}#${n}`, label };
  });
}

type Pixels = { data: Uint8Array; height: number; width: number };

async function readInput(file: string, size: number): Promise<{ orig: Pixels; resized: Pixels }> {
  const orig = await readImage(file, { channels: 3 });
  if (orig.height * orig.width > 4096 * 4096)
    throw new FlambeauError("E_ARG", `${TASK}: ${file} is ${orig.width}×${orig.height}; predict takes images up to 4096×4096 px`);
  return { orig, resized: await readImage(file, { channels: 3, size }) };
}

/** The graph of one image (`resized`: the model's side): confident objects in `orig`'s pixels and the relations among them. */
function graphOfImage(d: Loaded, orig: Pixels, resized: Pixels, threshold: number) {
  const s = d.pre.size;
  const g = noGrad(() =>
    tidy(() => {
      const out = d.model.forward(normalise(tensor(resized.data, { shape: [1, 3, s, s] }), d.pre));
      return predictGraphs(d.model, out, { size: s, decode: { topK: 100, scoreThreshold: PREDICT_THRESHOLD, nmsIou: 0.5 } })[0]!;
    }),
  );
  const kx = orig.width / s;
  const ky = orig.height / s;
  const r1 = (v: number) => Math.round(v * 10) / 10;
  const objects = numbered(g.detections, d.labels).map((det) => ({
    name: det.name,
    label: det.label,
    score: det.score,
    box: [r1(det.box[0]! * kx), r1(det.box[1]! * ky), r1(det.box[2]! * kx), r1(det.box[3]! * ky)] as [number, number, number, number],
    category: det.category,
  }));
  const found: { subject: number; relation: string; object: number; probability: number }[] = [];
  g.detectionPairs.forEach(([a, b], p) => {
    for (let r = 0; r < NUM_PREDICATES; r++) {
      const pr = g.detectionProbs[p * NUM_PREDICATES + r]!;
      if (pr >= threshold) found.push({ subject: a, relation: RELATIONS[r]!, object: b, probability: pr });
    }
  });
  found.sort((x, y) => y.probability - x.probability);
  return { objects, found, image: orig };
}

async function load(dir: string): Promise<Predictor<SceneGraphPrediction, { draw?: string; threshold?: number }>> {
  const d = await loadGraphModel(dir);
  return {
    task: TASK,
    async predict(inputs, o = {}) {
      const out: SceneGraphPrediction[] = [];
      for (const [i, file] of inputs.entries()) {
        const { orig, resized } = await readInput(file, d.pre.size);
        const { objects, found, image } = graphOfImage(d, orig, resized, o.threshold ?? RELATION_THRESHOLD);
        const p: SceneGraphPrediction = {
          input: file,
          objects: objects.map(({ category: _, ...ob }) => ob),
          triplets: found.map((t) => ({
            subject: objects[t.subject]!.name,
            relation: t.relation,
            object: objects[t.object]!.name,
            probability: t.probability,
          })),
        };
        if (o.draw) {
          const ext = extname(o.draw).toLowerCase();
          p.output = inputs.length > 1 ? `${o.draw.slice(0, o.draw.length - ext.length)}-${i + 1}${ext || ".png"}` : o.draw;
          if (ext === ".svg") await writeTextAtomic(TASK, p.output, await sceneGraphSvg(image, objects, found));
          else {
            const drawn = tensor(drawSceneGraph(image, objects, found), { shape: [3, image.height, image.width] });
            await writeImage(p.output, drawn);
            drawn.dispose();
          }
        }
        out.push(p);
      }
      return out;
    },
    dispose: () => d.model.dispose(),
  };
}

function formatPrediction(r: SceneGraphPrediction): string {
  const n = r.objects.length;
  const objs = r.objects.map((o) => `${o.name} ${o.score.toFixed(2)} [x ${o.box[0]}, y ${o.box[1]}, w ${o.box[2]}, h ${o.box[3]}]`);
  const rels = r.triplets.map((t) => `${t.subject} ${t.relation} ${t.object} (${t.probability.toFixed(2)})`);
  return `${n} object${n === 1 ? "" : "s"}${n ? `: ${objs.join("; ")}` : ` above score ${PREDICT_THRESHOLD}`}; ${rels.length} relation${rels.length === 1 ? "" : "s"}${rels.length ? `: ${rels.join("; ")}` : ""}${r.output ? ` (drawn in ${r.output})` : ""}`;
}

async function demo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const data = "scenes:digits";
  const budget = o.full ? { model: "centernet-small", limit: 8000, epochs: 12 } : { model: "centernet-tiny", limit: 1000, epochs: 3 };
  const r = await train({ data, out: o.out, seed: 0, progress: o.progress, log: o.log ?? (() => {}), ...budget });
  const m = await evaluate(o.out, data, { limit: o.full ? undefined : 200 });
  const d = await loadGraphModel(o.out);
  const set = await testScenes(data, d.pre.generator, { size: d.pre.size, count: 1 });
  try {
    const s = d.pre.size;
    const pixels = { data: set.scenes[0]!.image, height: s, width: s };
    const g = graphOfImage(d, pixels, pixels, RELATION_THRESHOLD);
    // PredCls on the same scene: the true boxes and classes, the model's predicates.
    const layout = layoutOf(d.hyper, s);
    const truth = noGrad(() => tidy(() => readTruth(sceneGraphTargets({ ...set, scenes: set.scenes.slice(0, 1) }, layout), layout)[0]!));
    const pc = noGrad(() =>
      tidy(
        () =>
          predictGraphs(d.model, d.model.forward(normalise(sceneImages({ ...set, scenes: set.scenes.slice(0, 1) }), d.pre)), {
            size: s,
            truth: [truth],
          })[0]!,
      ),
    );
    const trueObjects = numbered(truth.objects, set.classes);
    const named = (obs: readonly DrawnObject[], t: DrawnTriplet) => `${obs[t.subject]!.name} ${t.relation} ${obs[t.object]!.name}`;
    // As Recall@K reads it: the model's top triplets, as many as the truth has.
    const predicted = pc.predcls
      .slice(0, truth.triplets.length)
      .map((t) => ({ subject: t.subject, relation: RELATIONS[t.predicate]!, object: t.object }));
    const truthTriplets = truth.triplets.map((t) => ({ subject: t.subject, relation: RELATIONS[t.predicate]!, object: t.object }));
    const figure = async (title: string, obs: readonly DrawnObject[], ts: readonly DrawnTriplet[]) =>
      `<figure style="display:inline-block;margin:4px;vertical-align:top">${await sceneGraphSvg(pixels, obs, ts, { scale: 4 })}<figcaption style="font-size:12px;max-width:256px">${escapeHtml(title)}: ${escapeHtml(ts.map((t) => named(obs, t)).join("; ") || "none")}</figcaption></figure>`;
    const extraHtml = [
      `<div class="scenes"><div style="font-size:13px">A held-out scene: its true graph, the model's top triplets on the true boxes (PredCls, as many as the truth has), and the graph predicted from the pixels alone (SGDet: boxes above score ${PREDICT_THRESHOLD}, relations above probability ${RELATION_THRESHOLD})</div><div>`,
      await figure("truth", trueObjects, truthTriplets),
      await figure(`PredCls, top ${predicted.length}`, trueObjects, predicted),
      await figure("SGDet", g.objects, g.found),
      "</div></div>",
    ].join("");
    return {
      task: TASK,
      dataset:
        "generated scenes: 2–5 of opencv-doc's handwritten digits with occlusion on crops of Debian's photos, exact scene graphs (held-out digits and photos for test)",
      commands: [
        `flambeau train ${TASK} --data ${data} --model ${budget.model} --limit ${budget.limit} --epochs ${budget.epochs} --out ${o.out}`,
        `flambeau eval ${o.out} --data ${data}${o.full ? "" : " --limit 200"} --json`,
      ],
      metrics: {
        predclsR20: m.predclsR20 as number,
        freqPredclsR20: m.freqPredclsR20 as number,
        geometryPredclsR20: m.geometryPredclsR20 as number,
        sgdetR50: m.sgdetR50 as number,
      },
      history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss })),
      seconds: (performance.now() - t0) / 1000,
      extraHtml,
    };
  } finally {
    d.model.dispose();
  }
}

export const sceneGraphTask = defineTask({
  name: TASK,
  description:
    "scene-graph generation: objects and their relation triplets (CenterNet detector + a predicate head on object pairs; triplet Recall@20/50 in SGDet and PredCls)",
  dataFormat:
    "`scenes` / `scenes:digits` (generated: 2–5 of opencv-doc's digits on real photos, with exact scene graphs: left of, above, overlaps, inside, bigger than; fresh scenes each epoch; test scenes use held-out digits and photos) or `scenes:fashion`",
  models: [...ARCHS],
  defaultModel: "centernet-small",
  baseline: "Neural Motifs' FREQ (most frequent predicates of the class pair) and the generator's geometry rules on the boxes",
  options: {
    draw: opt.path("write the image with boxes and relation arrows to this file (.svg: with names and predicates; else PNG)", {
      phases: ["predict"],
    }),
    threshold: opt.fraction(`list relations whose predicate probability reaches this (default ${RELATION_THRESHOLD})`, {
      phases: ["predict"],
    }),
  },
  train,
  evaluate,
  load,
  formatPrediction,
  demo,
});
