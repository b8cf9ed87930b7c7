// Scene graphs of generated scenes, exact by construction: each object with its class, its
// tint's colour name and a size word from its drawn scale; relations computed from the visible
// boxes and the pasted areas the generator recorded — never estimated from pixels.
import { FlambeauError } from "../../core/errors.js";
import type { ColorName } from "./colors.js";
import type { Scene } from "./generate.js";

export const SIZE_NAMES = ["small", "medium", "large"] as const;
export type SizeName = (typeof SIZE_NAMES)[number];

export const RELATIONS = ["left of", "above", "overlaps", "inside", "bigger than"] as const;
export type Relation = (typeof RELATIONS)[number];

export interface GraphObject {
  /** Index into the scene's objects (paste order: later ones are in front). */
  index: number;
  category: number;
  className: string;
  color: ColorName;
  size: SizeName;
  /** Visible box centre, px. */
  cx: number;
  cy: number;
}

export interface Triplet {
  subject: number;
  relation: Relation;
  object: number;
}

export interface SceneGraph {
  objects: GraphObject[];
  relations: Triplet[];
}

/** The scale range the scenes were drawn with (SceneOptions' minScale/maxScale). */
export interface ScaleRange {
  minScale: number;
  maxScale: number;
}

/** How much bigger (in pasted pixels) an object must be to be "bigger than" another. */
export const BIGGER_RATIO = 1.5;

/** "small" / "medium" / "large": the lower, middle and upper third of the drawn scale range. */
export function sizeName(scale: number, r: ScaleRange): SizeName {
  if (r.maxScale <= r.minScale) return "medium";
  const t = (scale - r.minScale) / (r.maxScale - r.minScale);
  return t < 1 / 3 ? "small" : t < 2 / 3 ? "medium" : "large";
}

/**
 * The spatial relation of a to b along the axis their centres differ most on ("left of" when
 * |dx| ≥ |dy| and a is left, "above" when |dy| > |dx| and a is higher); null when b is the
 * one left of / above a, or they share a centre.
 */
export function spatialRelation(a: { cx: number; cy: number }, b: { cx: number; cy: number }): "left of" | "above" | null {
  const dx = b.cx - a.cx;
  const dy = b.cy - a.cy;
  if (dx === 0 && dy === 0) return null;
  if (Math.abs(dx) >= Math.abs(dy)) return dx > 0 ? "left of" : null;
  return dy > 0 ? "above" : null;
}

/** Whether two [x, y, w, h] boxes share area. */
export const boxesIntersect = (a: readonly number[], b: readonly number[]) =>
  Math.min(a[0]! + a[2]!, b[0]! + b[2]!) > Math.max(a[0]!, b[0]!) && Math.min(a[1]! + a[3]!, b[1]! + b[3]!) > Math.max(a[1]!, b[1]!);

/** Whether box a lies within box b (edges may touch). */
export const boxInside = (a: readonly number[], b: readonly number[]) =>
  a[0]! >= b[0]! && a[1]! >= b[1]! && a[0]! + a[2]! <= b[0]! + b[2]! && a[1]! + a[3]! <= b[1]! + b[3]!;

/**
 * The scene graph of a generated scene. Relations over ordered pairs (a, b), a ≠ b: "left of" /
 * "above" (spatialRelation), "inside" (a's visible box within b's), "bigger than" (a's pasted
 * area ≥ 1.5 × b's); "overlaps" (visible boxes share area) is symmetric and listed once, a < b.
 */
export function sceneGraph(scene: Pick<Scene, "objects">, classes: readonly string[], range: ScaleRange): SceneGraph {
  const objects: GraphObject[] = scene.objects.map((o, index) => {
    if (o.color === undefined || o.scale === undefined)
      throw new FlambeauError(
        "E_FORMAT",
        `sceneGraph: object ${index} has no colour or scale; scene graphs are made for generated scenes (generateScenes)`,
        "sceneGraph",
      );
    const className = classes[o.category];
    if (className === undefined)
      throw new FlambeauError(
        "E_ARG",
        `sceneGraph: object ${index} has category ${o.category}, classes has ${classes.length}`,
        "sceneGraph",
      );
    return {
      index,
      category: o.category,
      className,
      color: o.color,
      size: sizeName(o.scale, range),
      cx: o.box[0] + o.box[2] / 2,
      cy: o.box[1] + o.box[3] / 2,
    };
  });
  const relations: Triplet[] = [];
  const obs = scene.objects;
  for (let a = 0; a < obs.length; a++)
    for (let b = 0; b < obs.length; b++) {
      if (a === b) continue;
      const rel = spatialRelation(objects[a]!, objects[b]!);
      if (rel) relations.push({ subject: a, relation: rel, object: b });
      if (a < b && boxesIntersect(obs[a]!.box, obs[b]!.box)) relations.push({ subject: a, relation: "overlaps", object: b });
      if (boxInside(obs[a]!.box, obs[b]!.box)) relations.push({ subject: a, relation: "inside", object: b });
      if ((obs[a]!.fullArea ?? obs[a]!.area) >= BIGGER_RATIO * (obs[b]!.fullArea ?? obs[b]!.area))
        relations.push({ subject: a, relation: "bigger than", object: b });
    }
  return { objects, relations };
}
