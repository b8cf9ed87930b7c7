// The networks of a DARTS search and of its derived cell, on one small macro-architecture:
// a 3×3 conv stem and a 2×2 max-pool (the cells start at half the side: at full size a cell of
// 30 channels costs 4× the time for little gain on 28 px images), `cells` cells each taking the
// two states before it (the stem counts as both for the first), a 2×2 max-pool of both before
// every cell after the first (DARTS's reduction cells, replaced by a fixed pool to halve the
// search), global average pooling and a linear classifier. The search cell mixes every op on every edge with weights softmax(α)
// shared by all cells; the derived cell keeps two (input, op) edges per node.

import { FlambeauError } from "../../../core/errors.js";
import { cat, type Tensor, zeros } from "../../../core/index.js";
import { BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ModuleList, Sequential } from "../../../nn/index.js";
import { Parameter } from "../../../nn/parameter.js";
import { checkGenotype, edgeCount, edgeIndex, type Genotype } from "./genotype.js";
import { type Layer, makeOp, OPS, type OpName, preprocess } from "./ops.js";

export interface NetworkOptions {
  inChannels: number;
  numClasses: number;
  /** Channels of every node (C). */
  channels: number;
  /** Cells (default 2). */
  cells?: number;
}

/** One cell's edges and how its nodes sum them; the subclasses say what an edge is. */
abstract class Cell extends Module {
  readonly pre0: Layer;
  readonly pre1: Layer;
  constructor(c0: number, c1: number, c: number, affine: boolean) {
    super();
    this.pre0 = preprocess(c0, c, affine);
    this.pre1 = preprocess(c1, c, affine);
  }
  abstract readonly nodes: number;
  /** The sum into node k over its inputs `states` (the cell's two inputs, then nodes 0 … k − 1). */
  protected abstract node(k: number, states: readonly Tensor[], weights?: Tensor): Tensor;
  forward(s0: Tensor, s1: Tensor, weights?: Tensor): Tensor {
    const states = [this.pre0.forward(s0) as Tensor, this.pre1.forward(s1) as Tensor];
    for (let k = 0; k < this.nodes; k++) states.push(this.node(k, states, weights));
    return cat(states.slice(2), 1);
  }
}

/** A DARTS search cell: every edge a mixture of every op. */
export class MixedCell extends Cell {
  readonly nodes: number;
  readonly edges: ModuleList;
  constructor(c0: number, c1: number, c: number, nodes: number) {
    super(c0, c1, c, false);
    this.nodes = nodes;
    this.edges = new ModuleList(Array.from({ length: edgeCount(nodes) }, () => new ModuleList(OPS.map((op) => makeOp(op, c, false)))));
  }
  protected node(k: number, states: readonly Tensor[], weights?: Tensor): Tensor {
    if (!weights) throw new FlambeauError("E_ARG", "MixedCell: needs the mixture weights softmax(α)");
    let sum: Tensor | undefined;
    for (let from = 0; from < k + 2; from++) {
      const e = edgeIndex(k, from);
      const ops = this.edges.at(e) as ModuleList;
      const w = weights.select(0, e);
      OPS.forEach((_, o) => {
        const y = ((ops.at(o) as Layer).forward(states[from]!) as Tensor).mul(w.select(0, o));
        sum = sum ? sum.add(y) : y;
      });
    }
    return sum!;
  }
}

/** A derived cell: each node the sum of its two chosen (input, op) edges. */
export class DiscreteCell extends Cell {
  readonly nodes: number;
  readonly ops: ModuleList;
  readonly inputs: readonly (readonly number[])[];
  constructor(c0: number, c1: number, c: number, g: Genotype) {
    super(c0, c1, c, true);
    this.nodes = g.nodes.length;
    this.inputs = g.nodes.map((ins) => ins.map(([from]) => from));
    this.ops = new ModuleList(g.nodes.flatMap((ins) => ins.map(([, op]) => makeOp(op as OpName, c, true))));
  }
  protected node(k: number, states: readonly Tensor[]): Tensor {
    const [a, b] = this.inputs[k]! as [number, number];
    const op = (i: number) => this.ops.at(2 * k + i) as Layer;
    return (op(0).forward(states[a]!) as Tensor).add(op(1).forward(states[b]!) as Tensor);
  }
}

abstract class Network extends Module {
  readonly stem: Sequential;
  readonly cells: ModuleList;
  readonly pool: MaxPool2d;
  readonly classifier: Linear;
  constructor(o: NetworkOptions, nodes: number, cell: (c0: number, c1: number) => Cell) {
    super();
    const cells = o.cells ?? 2;
    for (const [k, v] of Object.entries({ inChannels: o.inChannels, numClasses: o.numClasses, channels: o.channels, cells }))
      if (!Number.isSafeInteger(v) || v < 1) throw new FlambeauError("E_ARG", `nas: ${k} must be a positive integer, got ${v}`);
    const c = o.channels;
    this.stem = new Sequential(new Conv2d(o.inChannels, c, 3, { padding: 1, bias: false }), new BatchNorm2d(c), new MaxPool2d(2));
    const list: Cell[] = [];
    let [c0, c1] = [c, c];
    for (let i = 0; i < cells; i++) {
      list.push(cell(c0, c1));
      [c0, c1] = [c1, nodes * c];
    }
    this.cells = new ModuleList(list);
    this.pool = new MaxPool2d(2);
    this.classifier = new Linear(nodes * c, o.numClasses);
  }
  protected run(x: Tensor, weights?: Tensor): Tensor {
    let s0 = this.stem.forward(x);
    let s1 = s0;
    [...this.cells].forEach((cell, i) => {
      if (i > 0) [s0, s1] = [this.pool.forward(s0), this.pool.forward(s1)];
      [s0, s1] = [s1, (cell as Cell).forward(s0, s1, weights)];
    });
    return this.classifier.forward(s1.mean([2, 3]));
  }
}

/** The search network: cells of mixed ops, and the architecture parameters α [edges, ops]. */
export class SearchNetwork extends Network {
  readonly alpha: Parameter;
  readonly nodes: number;
  constructor(o: NetworkOptions & { nodes?: number }) {
    const nodes = o.nodes ?? 3;
    if (!Number.isSafeInteger(nodes) || nodes < 1) throw new FlambeauError("E_ARG", `nas: nodes must be a positive integer, got ${nodes}`);
    super(o, nodes, (c0, c1) => new MixedCell(c0, c1, o.channels, nodes));
    this.nodes = nodes;
    // DARTS starts α at 1e-3 · N(0, 1); zeros give the same uniform mixture without a draw.
    this.alpha = new Parameter(zeros([edgeCount(nodes), OPS.length]));
  }
  /** The network's weights: everything but α. */
  weights(): Parameter[] {
    return this.parameters().filter((p) => p !== this.alpha);
  }
  forward(x: Tensor): Tensor {
    return this.run(x, this.alpha.softmax(1));
  }
}

/** The network of a derived cell, retrained from scratch. */
export class CellNetwork extends Network {
  readonly genotype: Genotype;
  constructor(o: NetworkOptions & { genotype: Genotype }) {
    super(o, o.genotype.nodes.length, (c0, c1) => new DiscreteCell(c0, c1, o.channels, o.genotype));
    this.genotype = o.genotype;
  }
  forward(x: Tensor): Tensor {
    return this.run(x);
  }
}

/** The cell nas-cell builds without --genotype: the one the README's evolution run found. */
export const DEFAULT_CELL: Genotype = {
  nodes: [
    [
      [0, "avg_pool_3x3"],
      [1, "max_pool_3x3"],
    ],
    [
      [0, "sep_conv_3x3"],
      [1, "max_pool_3x3"],
    ],
    [
      [2, "sep_conv_3x3"],
      [3, "sep_conv_5x5"],
    ],
  ],
};

/**
 * The zoo's "nas-cell": a searched cell's network for image-classification, `width` channels
 * per node (default 16) and `depth` cells (default 2); the genotype comes from `flambeau nas`
 * (default DEFAULT_CELL).
 */
export function nasCellNetwork(o: {
  inChannels: number;
  numClasses: number;
  width?: number;
  depth?: number;
  genotype?: Genotype;
}): CellNetwork {
  const genotype = checkGenotype(o.genotype ?? DEFAULT_CELL);
  return new CellNetwork({ inChannels: o.inChannels, numClasses: o.numClasses, channels: o.width ?? 16, cells: o.depth ?? 2, genotype });
}
