// The neighbour-label histogram: for each node, the share of each class among its neighbours
// whose label is known. Only the labels of `known` nodes (the training nodes) are read, so
// validation and test labels cannot leak into the features.
import { FlambeauError } from "../../core/errors.js";
import type { Adjacency } from "./adjacency.js";

/**
 * [numNodes × (numClasses + 1)] row-major: class shares among labelled neighbours (zeros when
 * there are none), then log(1 + number of labelled neighbours).
 */
export function neighbourLabelHistogram(
  a: Adjacency,
  labels: ArrayLike<number>,
  known: ArrayLike<number>,
  numClasses: number,
): Float32Array {
  const n = a.numNodes;
  if (labels.length !== n) throw new FlambeauError("E_SHAPE", `neighbourLabelHistogram: ${labels.length} labels for ${n} nodes`);
  const label = new Int32Array(n).fill(-1);
  for (let i = 0; i < known.length; i++) {
    const v = known[i]!;
    const c = labels[v]!;
    if (!(Number.isInteger(v) && v >= 0 && v < n))
      throw new FlambeauError("E_ARG", `neighbourLabelHistogram: known node ${v} is outside [0, ${n})`);
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses))
      throw new FlambeauError("E_ARG", `neighbourLabelHistogram: node ${v} has label ${c}, outside [0, ${numClasses})`);
    label[v] = c;
  }
  const w = numClasses + 1;
  const out = new Float32Array(n * w);
  for (let v = 0; v < n; v++) {
    let count = 0;
    for (let i = a.offsets[v]!; i < a.offsets[v + 1]!; i++) {
      const c = label[a.neighbours[i]!]!;
      if (c >= 0) {
        out[v * w + c]!++;
        count++;
      }
    }
    if (count > 0) for (let c = 0; c < numClasses; c++) out[v * w + c]! /= count;
    out[v * w + numClasses] = Math.log1p(count);
  }
  return out;
}
