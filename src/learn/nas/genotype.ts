// A discrete cell (DARTS's genotype): for each intermediate node, two (input, op) pairs,
// input 0 and 1 being the cell's two inputs (the outputs of the two cells before) and
// input k + 2 intermediate node k; the cell's output concatenates every intermediate node.
// derive() reads it off the mixture weights α: each node keeps its two incoming edges whose
// strongest non-zero op weighs most, with that op.

import { FlambeauError } from "../../core/errors.js";
import { OPS, type OpName } from "./ops.js";

export interface Genotype {
  /** nodes[k]: node k's two inputs, as [input index, op]. */
  nodes: [number, OpName][][];
}

/** The edges of a cell with `nodes` intermediate nodes: node k has k + 2 incoming edges, numbered in order. */
export const edgeCount = (nodes: number): number => (nodes * (nodes + 3)) / 2;

/** The index of the edge from input `from` into node `node`. */
export const edgeIndex = (node: number, from: number): number => (node * (node + 3)) / 2 + from;

/** Checks a genotype: each node takes two distinct inputs from earlier states with known ops, and none is "none". */
export function checkGenotype(g: Genotype): Genotype {
  if (!g || !Array.isArray(g.nodes) || g.nodes.length === 0) throw new FlambeauError("E_FORMAT", "nas: a genotype needs at least one node");
  g.nodes.forEach((inputs, k) => {
    if (!Array.isArray(inputs) || inputs.length !== 2)
      throw new FlambeauError("E_FORMAT", `nas: genotype node ${k} needs two inputs, got ${JSON.stringify(inputs)}`);
    for (const [from, op] of inputs) {
      if (!Number.isSafeInteger(from) || from < 0 || from >= k + 2)
        throw new FlambeauError("E_FORMAT", `nas: genotype node ${k} takes input ${from}; it may take 0 to ${k + 1}`);
      if (!(OPS as readonly string[]).includes(op) || op === "none")
        throw new FlambeauError(
          "E_FORMAT",
          `nas: genotype node ${k} has op ${JSON.stringify(op)}; ops: ${OPS.filter((o) => o !== "none").join(", ")}`,
        );
    }
    if (inputs[0]![0] === inputs[1]![0]) throw new FlambeauError("E_FORMAT", `nas: genotype node ${k} takes input ${inputs[0]![0]} twice`);
  });
  return g;
}

/** The discrete cell of mixture weights `alpha` ([edges][ops], each row softmaxed: edges are ranked by those weights). */
export function derive(alpha: readonly (readonly number[])[], nodes: number): Genotype {
  if (alpha.length !== edgeCount(nodes))
    throw new FlambeauError("E_ARG", `nas: derive: ${nodes} nodes have ${edgeCount(nodes)} edges, α has ${alpha.length} rows`);
  const none = OPS.indexOf("none");
  const out: [number, OpName][][] = [];
  for (let k = 0; k < nodes; k++) {
    const edges = Array.from({ length: k + 2 }, (_, from) => {
      const row = alpha[edgeIndex(k, from)]!;
      let best = -1;
      for (let o = 0; o < OPS.length; o++) if (o !== none && (best < 0 || row[o]! > row[best]!)) best = o;
      return { from, op: OPS[best]!, weight: row[best]! };
    });
    edges.sort((a, b) => b.weight - a.weight || a.from - b.from);
    out.push(
      edges
        .slice(0, 2)
        .sort((a, b) => a.from - b.from)
        .map((e) => [e.from, e.op] as [number, OpName]),
    );
  }
  return checkGenotype({ nodes: out });
}
