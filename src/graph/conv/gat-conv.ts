// GATConv (Veličković et al.), PyG's formulas: h = x Θ split into H heads of C channels;
// e_ji = LeakyReLU(a_srcᵀ h_j + a_dstᵀ h_i); α = softmax of e over each target's incoming
// edges (self-loops included); x'_i = Σ_j α_ji h_j, heads concatenated or averaged, + bias.
import { FlambeauError } from "../../core/errors.js";
import { leakyRelu, type Tensor, zeros } from "../../core/index.js";
import { dropout } from "../../core/ops/nn.js";
import { xavierUniform_, zeros_ } from "../../nn/init.js";
import { Linear } from "../../nn/linear.js";
import { Parameter } from "../../nn/parameter.js";
import { addSelfLoops, checkEdgeIndex, removeSelfLoops } from "../edge-index.js";
import { segmentSoftmax } from "../scatter.js";
import { type EdgeContext, MessagePassing } from "./message-passing.js";

export interface GATConvOptions {
  heads?: number;
  /** Concatenate the heads (default) or average them. */
  concat?: boolean;
  negativeSlope?: number;
  /** Dropout on the attention weights while training. */
  dropout?: number;
  addSelfLoops?: boolean;
  bias?: boolean;
}

export class GATConv extends MessagePassing {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly heads: number;
  readonly concat: boolean;
  readonly negativeSlope: number;
  readonly dropout: number;
  readonly addLoops: boolean;
  lin: Linear;
  attSrc: Parameter;
  attDst: Parameter;
  bias: Parameter | null;
  /** Attention weights [E', heads] of the last forward and the edges they belong to (self-loops included). */
  lastAttention: { edgeIndex: Tensor; alpha: Tensor } | null = null;
  #alpha: Tensor | null = null;

  constructor(inChannels: number, outChannels: number, o: GATConvOptions = {}) {
    super({ aggr: "sum" });
    const heads = o.heads ?? 1;
    if (!Number.isInteger(heads) || heads < 1)
      throw new FlambeauError("E_ARG", `GATConv: heads must be a positive integer, got ${heads}`, "GATConv");
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.heads = heads;
    this.concat = o.concat ?? true;
    this.negativeSlope = o.negativeSlope ?? 0.2;
    this.dropout = o.dropout ?? 0;
    this.addLoops = o.addSelfLoops ?? true;
    this.lin = new Linear(inChannels, heads * outChannels, { bias: false });
    this.attSrc = new Parameter(zeros([1, heads, outChannels]));
    this.attDst = new Parameter(zeros([1, heads, outChannels]));
    this.bias = o.bias === false ? null : new Parameter(zeros([this.concat ? heads * outChannels : outChannels]));
    this.resetParameters();
  }
  resetParameters(): void {
    xavierUniform_(this.lin.weight);
    xavierUniform_(this.attSrc);
    xavierUniform_(this.attDst);
    if (this.bias) zeros_(this.bias);
  }

  forward(x: Tensor, edgeIndex: Tensor, o: { returnAttention?: boolean } = {}): Tensor {
    const n = x.shape[0]!;
    checkEdgeIndex("GATConv", edgeIndex, n);
    const h = this.lin.forward(x).view(-1, this.heads, this.outChannels);
    const aSrc = h.mul(this.attSrc).sum({ dim: -1 });
    const aDst = h.mul(this.attDst).sum({ dim: -1 });
    let ei = edgeIndex;
    if (this.addLoops) ei = addSelfLoops(removeSelfLoops(edgeIndex).edgeIndex, n).edgeIndex;
    const src = ei.select(0, 0);
    const dst = ei.select(0, 1);
    let alpha = leakyRelu(aSrc.indexSelect(0, src).add(aDst.indexSelect(0, dst)), this.negativeSlope);
    alpha = segmentSoftmax(alpha, dst, n);
    if (o.returnAttention) this.lastAttention = { edgeIndex: ei, alpha };
    this.#alpha = dropout(alpha, this.dropout, this.training && this.dropout > 0);
    const out = this.propagate(ei, h);
    this.#alpha = null;
    const merged = this.concat ? out.reshape(-1, this.heads * this.outChannels) : out.mean({ dim: 1 });
    return this.bias ? merged.add(this.bias) : merged;
  }
  protected override message(ctx: EdgeContext): Tensor {
    return ctx.xSrc.indexSelect(0, ctx.src).mul(this.#alpha!.unsqueeze(-1));
  }
  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, heads=${this.heads}`;
  }
}
