// A discrete cell (DARTS's genotype): for each intermediate node, two (input, op) pairs,
// input 0 and 1 being the cell's two inputs (the outputs of the two cells before) and
// input k + 2 intermediate node k; the cell's output concatenates every intermediate node.
// derive() reads it off the mixture weights α: each node keeps its two incoming edges whose
// strongest non-zero op weighs most, with that op.

import { FlambeauError } from "../../../core/errors.js";
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
    for (const pair of inputs) {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw new FlambeauError("E_FORMAT", `nas: genotype node ${k}: an input is [input index, op], got ${JSON.stringify(pair)}`);
      const [from, op] = pair as [number, string];
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

export interface DeriveOptions {
  /**
   * Most skip-connections in the cell (default 2, P-DARTS's cap): a short search favours the
   * parameter-free identity, whose cell then trains worst. An edge over the cap keeps its input
   * and takes its strongest op other than skip and zero.
   */
  maxSkip?: number;
}

/**
 * The discrete cell of mixture weights `alpha` ([edges][ops], each row softmaxed: edges are
 * ranked by those weights): per node the two edges whose strongest op other than zero weighs
 * most (zero never chosen, as DARTS), then the skip cap.
 */
export function derive(alpha: readonly (readonly number[])[], nodes: number, o: DeriveOptions = {}): Genotype {
  if (alpha.length !== edgeCount(nodes))
    throw new FlambeauError("E_ARG", `nas: derive: ${nodes} nodes have ${edgeCount(nodes)} edges, α has ${alpha.length} rows`);
  const maxSkip = o.maxSkip ?? 2;
  if (!Number.isSafeInteger(maxSkip) || maxSkip < 0)
    throw new FlambeauError("E_ARG", `nas: derive: maxSkip must be a non-negative integer, got ${maxSkip}`);
  const none = OPS.indexOf("none");
  const skip = OPS.indexOf("skip_connect");
  const strongest = (row: readonly number[], banned: readonly number[]): number => {
    let best = -1;
    for (let o = 0; o < OPS.length; o++) if (!banned.includes(o) && (best < 0 || row[o]! > row[best]!)) best = o;
    return best;
  };
  const chosen: { node: number; from: number; op: number; weight: number }[][] = [];
  for (let k = 0; k < nodes; k++) {
    const edges = Array.from({ length: k + 2 }, (_, from) => {
      const row = alpha[edgeIndex(k, from)]!;
      const op = strongest(row, [none]);
      return { node: k, from, op, weight: row[op]! };
    });
    edges.sort((a, b) => b.weight - a.weight || a.from - b.from);
    chosen.push(edges.slice(0, 2).sort((a, b) => a.from - b.from));
  }
  // The cap keeps the strongest skips; the others fall back to their edge's best parametric-or-pool op.
  const skips = chosen
    .flat()
    .filter((e) => e.op === skip)
    .sort((a, b) => b.weight - a.weight || a.node - b.node || a.from - b.from);
  for (const e of skips.slice(maxSkip)) e.op = strongest(alpha[edgeIndex(e.node, e.from)]!, [none, skip]);
  return checkGenotype({ nodes: chosen.map((edges) => edges.map((e) => [e.from, OPS[e.op]!] as [number, OpName])) });
}
