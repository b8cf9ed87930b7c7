// GraphConv (Morris et al., "Weisfeiler and Leman go neural"): x'_i = W₁ x_i + W₂ Σ_{j→i} e_ji x_j,
// PyG's names lin_rel (neighbours, with bias) and lin_root (no bias).
import type { Tensor } from "../../core/index.js";
import { Linear } from "../../nn/linear.js";
import type { Aggregation } from "../scatter.js";
import { MessagePassing } from "./message-passing.js";

export class GraphConv extends MessagePassing {
  readonly inChannels: number;
  readonly outChannels: number;
  linRel: Linear;
  linRoot: Linear;
  constructor(inChannels: number, outChannels: number, o: { aggr?: Aggregation; bias?: boolean } = {}) {
    super({ aggr: o.aggr ?? "sum" });
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.linRel = new Linear(inChannels, outChannels, { bias: o.bias !== false });
    this.linRoot = new Linear(inChannels, outChannels, { bias: false });
  }
  forward(x: Tensor, edgeIndex: Tensor, edgeWeight: Tensor | null = null): Tensor {
    return this.linRel.forward(this.propagate(edgeIndex, x, edgeWeight)).add(this.linRoot.forward(x));
  }
  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, aggr=${this.aggr}`;
  }
}
