// MessagePassing: the one base of every graph layer (PyG's design). propagate() gathers the
// source and target rows of each edge, message() turns them into one message per edge,
// aggregate() reduces the messages arriving at each target (sum/mean/max/min by name), and
// update() maps the result. Subclasses override message/update; nothing is inferred from
// argument names.
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { Module } from "../../nn/module.js";
import { checkEdgeIndex } from "../edge-index.js";
import { AGGREGATIONS, type Aggregation, scatter } from "../scatter.js";

/** What message() sees of the edges: indices, the node rows on both ends, per-edge weights. */
export interface EdgeContext {
  /** Source node of each edge [E] (edgeIndex row 0, the j of x_j). */
  src: Tensor;
  /** Target node of each edge [E] (edgeIndex row 1, the i that aggregates). */
  dst: Tensor;
  /** Rows that sources index into (x, or the first of a bipartite pair). */
  xSrc: Tensor;
  /** Rows that targets index into. */
  xDst: Tensor;
  /** Number of target nodes (rows of the output). */
  numDst: number;
  edgeWeight: Tensor | null;
}

export interface MessagePassingOptions {
  aggr?: Aggregation;
}

export abstract class MessagePassing extends Module {
  readonly aggr: Aggregation;
  constructor(o: MessagePassingOptions = {}) {
    super();
    const aggr = o.aggr ?? "sum";
    if (!AGGREGATIONS.includes(aggr))
      throw new FlambeauError(
        "E_ARG",
        `${this.constructor.name}: unknown aggr "${String(aggr)}"; expected one of ${AGGREGATIONS.join(", ")}`,
      );
    this.aggr = aggr;
  }

  /**
   * Runs message → aggregate → update over `edgeIndex` (int64 [2, E], source → target).
   * `x` is the node features, or a [source, target] pair for bipartite message passing
   * (sampled neighbourhoods), in which case the output has the targets' rows.
   */
  propagate(edgeIndex: Tensor, x: Tensor | readonly [Tensor, Tensor], edgeWeight: Tensor | null = null): Tensor {
    const op = `${this.constructor.name}.propagate`;
    const [xSrc, xDst] = Array.isArray(x) ? (x as readonly [Tensor, Tensor]) : [x as Tensor, x as Tensor];
    const numSrc = xSrc.shape[0]!;
    const numDst = xDst.shape[0]!;
    checkEdgeIndex(op, edgeIndex, Math.max(numSrc, numDst));
    if (numSrc !== numDst) {
      // Bipartite: each row has its own bound.
      checkEdgeIndex(op, edgeIndex.narrow(0, 0, 1).expand([2, edgeIndex.shape[1]!]), numSrc);
      checkEdgeIndex(op, edgeIndex.narrow(0, 1, 1).expand([2, edgeIndex.shape[1]!]), numDst);
    }
    if (edgeWeight && (edgeWeight.ndim !== 1 || edgeWeight.shape[0] !== edgeIndex.shape[1]))
      throw new FlambeauError("E_SHAPE", `${op}: edgeWeight must be [${edgeIndex.shape[1]}], got [${edgeWeight.shape.join(", ")}]`, op);
    const ctx: EdgeContext = { src: edgeIndex.select(0, 0), dst: edgeIndex.select(0, 1), xSrc, xDst, numDst, edgeWeight };
    const messages = this.message(ctx);
    const aggregated = this.aggregate(messages, ctx.dst, numDst);
    // The messages [E, F] are the layer's largest tensor: drop them now, not when the step's
    // tidy scope ends after backward (the autograd graph holds what backward needs), so they
    // and their gradient never coexist — PyTorch frees them when propagate returns.
    if (messages !== aggregated && messages !== xSrc && messages !== xDst) messages.dispose();
    return this.update(aggregated, ctx);
  }

  /** One message per edge; by default the source's row, scaled by the edge weight. */
  protected message(ctx: EdgeContext): Tensor {
    const xj = ctx.xSrc.indexSelect(0, ctx.src);
    if (!ctx.edgeWeight) return xj;
    const weighted = xj.mul(ctx.edgeWeight.view([-1, ...xj.shape.slice(1).map(() => 1)]));
    xj.dispose();
    return weighted;
  }

  /** Reduces the messages that arrive at each target with this layer's aggregation. */
  protected aggregate(messages: Tensor, dst: Tensor, numDst: number): Tensor {
    return scatter(messages, dst, numDst, this.aggr);
  }

  /** Maps the aggregated messages (identity by default). */
  protected update(aggregated: Tensor, _ctx: EdgeContext): Tensor {
    return aggregated;
  }
}
