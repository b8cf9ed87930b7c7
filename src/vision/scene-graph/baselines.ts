// The baselines a scene-graph model is measured against.
//   FREQ (Zellers et al. 2018, "Neural Motifs"): the probability of each predicate given the
//     subject and object classes, counted over the training graphs' ordered object pairs; it
//     sees the classes only, never the boxes.
//   Geometry rule: the generator's own relation rules (scenes/scene-graph.ts) applied to the
//     boxes — "left of"/"above" from the centres, "overlaps" and "inside" from the boxes,
//     "bigger than" from the box areas (the truth uses the pasted areas before occlusion,
//     which a box does not show). Which of two overlapping objects is behind (the truth's
//     subject) a box cannot tell, so "overlaps" is given both ways at half score.
import { FlambeauError } from "../../core/errors.js";
import { BIGGER_RATIO, boxesIntersect, boxInside, RELATIONS, type Relation, spatialRelation } from "../scenes/scene-graph.js";
import type { GraphBox, IndexedTriplet } from "./metrics.js";

export const NUM_PREDICATES = RELATIONS.length;

/** The index of a relation name in RELATIONS. */
export const predicateIndex = (r: Relation): number => RELATIONS.indexOf(r);

/** Predicate counts per ordered (subject class, object class): counts[(s·C + o)·P + r], pairs[s·C + o]. */
export interface FrequencyTable {
  numClasses: number;
  counts: number[];
  pairs: number[];
}

/** Counts the predicates of every ordered object pair of the training graphs. */
export function countFrequencies(
  graphs: readonly { objects: readonly { category: number }[]; triplets: readonly IndexedTriplet[] }[],
  numClasses: number,
): FrequencyTable {
  const P = NUM_PREDICATES;
  const counts = new Array<number>(numClasses * numClasses * P).fill(0);
  const pairs = new Array<number>(numClasses * numClasses).fill(0);
  const cls = (c: number) => {
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses))
      throw new FlambeauError("E_ARG", `countFrequencies: class ${c} is outside [0, ${numClasses})`);
    return c;
  };
  for (const g of graphs) {
    const n = g.objects.length;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) if (i !== j) pairs[cls(g.objects[i]!.category) * numClasses + cls(g.objects[j]!.category)]!++;
    for (const t of g.triplets) {
      const s = g.objects[t.subject]!.category;
      const o = g.objects[t.object]!.category;
      counts[(s * numClasses + o) * P + t.predicate]!++;
    }
  }
  return { numClasses, counts, pairs };
}

/** FREQ's predicate probabilities [pairs × P] for ordered pairs of classified objects. */
export function frequencyProbs(
  table: FrequencyTable,
  objects: readonly GraphBox[],
  pairs: readonly (readonly [number, number])[],
): Float32Array {
  const P = NUM_PREDICATES;
  const C = table.numClasses;
  const out = new Float32Array(pairs.length * P);
  pairs.forEach(([i, j], p) => {
    const key = objects[i]!.category * C + objects[j]!.category;
    const n = table.pairs[key] ?? 0;
    if (n > 0) for (let r = 0; r < P; r++) out[p * P + r] = table.counts[key * P + r]! / n;
  });
  return out;
}

/** The geometry rule's predicate scores [pairs × P] (1 when the rule holds, 0.5 for "overlaps" either way, else 0). */
export function geometryProbs(objects: readonly GraphBox[], pairs: readonly (readonly [number, number])[]): Float32Array {
  const P = NUM_PREDICATES;
  const out = new Float32Array(pairs.length * P);
  const centre = (b: readonly number[]) => ({ cx: b[0]! + b[2]! / 2, cy: b[1]! + b[3]! / 2 });
  const area = (b: readonly number[]) => b[2]! * b[3]!;
  pairs.forEach(([i, j], p) => {
    const a = objects[i]!.box;
    const b = objects[j]!.box;
    const spatial = spatialRelation(centre(a), centre(b));
    if (spatial) out[p * P + predicateIndex(spatial)] = 1;
    if (boxesIntersect(a, b)) out[p * P + predicateIndex("overlaps")] = 0.5;
    if (boxInside(a, b)) out[p * P + predicateIndex("inside")] = 1;
    if (area(a) >= BIGGER_RATIO * area(b)) out[p * P + predicateIndex("bigger than")] = 1;
  });
  return out;
}
