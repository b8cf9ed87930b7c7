// The scene-graph model: a CenterNet detector (models/centernet.ts, its backbone and heads
// reused as they are) and a predicate head on ordered pairs of objects, as the two-stage
// scene-graph generators (Xu et al. 2017; Zellers et al. 2018) are built: detect, then
// classify each pair's predicate. The head reads the neck's features at the subject's and
// the object's centre cells (CenterNet's "objects as points": the centre feature stands for
// the RoI) and the pair's box geometry, and gives one logit per predicate (a sigmoid each:
// a pair may hold several relations at once, none is "no relation").
// forward returns one flat row per image, [CenterNet maps | neck features], so the shared
// scene Trainer can carry it; splitSceneGraph cuts it back.
import { argError } from "../../core/errors.js";
import { cat, type Tensor } from "../../core/index.js";
import { Linear, Module, ReLU, Sequential } from "../../nn/index.js";
import { CenterNet } from "../models/centernet.js";
import { BIGGER_RATIO, boxesIntersect, boxInside, spatialRelation } from "../scenes/scene-graph.js";
import { NUM_PREDICATES } from "./baselines.js";

/** Features of a pair's geometry (pairGeometry). */
export const PAIR_GEOMETRY = 18;

export interface SceneGraphNetOptions {
  numClasses: number;
  /** CenterNet's widths (see CenterNetOptions). */
  width: number;
  neck: number;
  head: number;
  /** Hidden units of the predicate head's two layers. */
  hidden: number;
}

export class SceneGraphNet extends Module {
  readonly numClasses: number;
  readonly neck: number;
  readonly det: CenterNet;
  readonly pair: Sequential;

  constructor(o: SceneGraphNetOptions) {
    super();
    if (!Number.isInteger(o.hidden) || o.hidden < 1 || o.hidden > 4096)
      argError("SceneGraphNet", `hidden must be an integer in [1, 4096], got ${o.hidden}`);
    this.numClasses = o.numClasses;
    this.neck = o.neck;
    this.det = new CenterNet({ numClasses: o.numClasses, width: o.width, neck: o.neck, head: o.head, masks: false });
    this.pair = new Sequential(
      new Linear(2 * o.neck + PAIR_GEOMETRY, o.hidden),
      new ReLU(),
      new Linear(o.hidden, o.hidden),
      new ReLU(),
      new Linear(o.hidden, NUM_PREDICATES),
    );
  }

  /** [N, 3, S, S] → [N, (C + 4 + neck) · G²]: CenterNet's maps, then the neck's features (G = S / 4). */
  forward(x: Tensor): Tensor {
    const d = this.det;
    const { p } = d.features(x);
    const n = x.shape[0]!;
    return cat([d.heatmap.forward(p).reshape([n, -1]), d.box.forward(p).reshape([n, -1]), p.reshape([n, -1])], 1);
  }

  /** Predicate logits [M, P] of pairs: rows `subject` and `object` of features [N·G², neck], and their geometry [M, PAIR_GEOMETRY]. */
  pairLogits(features: Tensor, subject: Tensor, object: Tensor, geometry: Tensor): Tensor {
    return this.pair.forward(cat([features.indexSelect(0, subject), features.indexSelect(0, object), geometry], 1));
  }
}

/** Cuts SceneGraphNet's rows into CenterNet's flat maps [N, (C + 4)·G²] and the neck features per cell [N·G², neck]. */
export function splitSceneGraph(out: Tensor, numClasses: number, neck: number): { maps: Tensor; features: Tensor; grid: number } {
  const n = out.shape[0]!;
  const g = Math.round(Math.sqrt(out.shape[1]! / (numClasses + 4 + neck)));
  if (out.ndim !== 2 || g * g * (numClasses + 4 + neck) !== out.shape[1])
    argError("splitSceneGraph", `output [${out.shape.join(", ")}] is not a scene-graph output for ${numClasses} classes, neck ${neck}`);
  const cells = g * g;
  const maps = out.narrow(1, 0, (numClasses + 4) * cells);
  const features = out
    .narrow(1, (numClasses + 4) * cells, neck * cells)
    .reshape([n, neck, cells])
    .permute([0, 2, 1])
    .reshape([n * cells, neck]);
  return { maps, features, grid: g };
}

/**
 * The geometry of an ordered pair of [x, y, w, h] boxes in an image of side `size`: centre
 * offsets (b − a) and |dx| − |dy|, log ratios of widths, heights and areas, the intersection
 * over each box's area and over their union, both boxes' sides, and the generator's box rules
 * as 0/1 flags (a's centre left of / above b's, the boxes meet, a inside b, a's box 1.5 × b's
 * area): thresholds a small MLP would otherwise have to learn from rare examples.
 */
export function pairGeometry(a: readonly number[], b: readonly number[], size: number): number[] {
  const [ax, ay, aw, ah] = a as [number, number, number, number];
  const [bx, by, bw, bh] = b as [number, number, number, number];
  const eps = 1e-3;
  const dx = (bx + bw / 2 - (ax + aw / 2)) / size;
  const dy = (by + bh / 2 - (ay + ah / 2)) / size;
  const iw = Math.max(0, Math.min(ax + aw, bx + bw) - Math.max(ax, bx));
  const ih = Math.max(0, Math.min(ay + ah, by + bh) - Math.max(ay, by));
  const inter = iw * ih;
  const areaA = Math.max(eps, aw * ah);
  const areaB = Math.max(eps, bw * bh);
  const spatial = spatialRelation({ cx: ax + aw / 2, cy: ay + ah / 2 }, { cx: bx + bw / 2, cy: by + bh / 2 });
  return [
    dx,
    dy,
    Math.abs(dx) - Math.abs(dy),
    Math.log(Math.max(eps, aw) / Math.max(eps, bw)),
    Math.log(Math.max(eps, ah) / Math.max(eps, bh)),
    Math.log(areaA / areaB),
    inter / areaA,
    inter / areaB,
    inter / Math.max(eps, areaA + areaB - inter),
    aw / size,
    ah / size,
    bw / size,
    bh / size,
    spatial === "left of" ? 1 : 0,
    spatial === "above" ? 1 : 0,
    boxesIntersect(a, b) ? 1 : 0,
    boxInside(a, b) ? 1 : 0,
    aw * ah >= BIGGER_RATIO * bw * bh ? 1 : 0,
  ];
}
