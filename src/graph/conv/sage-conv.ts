// SAGEConv (Hamilton et al.): x'_i = W₁ x_i + W₂ · aggr_{j→i} x_j, PyG's names lin_r (root,
// no bias) and lin_l (neighbours, with bias); optional L2 normalisation of the output.
import type { Tensor } from "../../core/index.js";
import { linear } from "../../core/ops/nn.js";
import { Linear } from "../../nn/linear.js";
import type { Aggregation } from "../scatter.js";
import { MessagePassing } from "./message-passing.js";

export interface SAGEConvOptions {
  /** Neighbour aggregation (default "mean"). */
  aggr?: Aggregation;
  /** L2-normalise each output row. */
  normalize?: boolean;
  /** Add the node's own transformed features (default true). */
  rootWeight?: boolean;
  bias?: boolean;
}

export class SAGEConv extends MessagePassing {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly normalize: boolean;
  linL: Linear;
  linR: Linear | null;
  constructor(inChannels: number, outChannels: number, o: SAGEConvOptions = {}) {
    super({ aggr: o.aggr ?? "mean" });
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.normalize = o.normalize ?? false;
    this.linL = new Linear(inChannels, outChannels, { bias: o.bias !== false });
    this.linR = o.rootWeight === false ? null : new Linear(inChannels, outChannels, { bias: false });
  }
  /**
   * `x` is the node features, or a [sources, targets] pair for a sampled bipartite hop
   * (targets being the first rows of sources, as NeighborSampler orders them).
   */
  forward(x: Tensor | readonly [Tensor, Tensor], edgeIndex: Tensor): Tensor {
    const xDst = Array.isArray(x) ? (x as readonly [Tensor, Tensor])[1] : (x as Tensor);
    let out: Tensor;
    if (this.aggr !== "max" && this.aggr !== "min" && this.outChannels < this.inChannels) {
      // A linear map commutes with sum and mean: project first, so the per-edge messages
      // are outChannels wide instead of inChannels (the same numbers, far less memory).
      const xSrc = Array.isArray(x) ? (x as readonly [Tensor, Tensor])[0] : (x as Tensor);
      const h = linear(xSrc, this.linL.weight, null);
      out = this.propagate(edgeIndex, Array.isArray(x) ? [h, h.narrow(0, 0, xDst.shape[0]!)] : h);
      if (this.linL.bias) out = out.add(this.linL.bias);
    } else out = this.linL.forward(this.propagate(edgeIndex, x));
    if (this.linR) out = out.add(this.linR.forward(xDst));
    if (this.normalize) out = out.div(out.norm(2, { dim: -1, keepdim: true }).clamp(1e-12));
    return out;
  }
  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, aggr=${this.aggr}`;
  }
}
