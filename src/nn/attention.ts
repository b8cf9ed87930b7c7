// MultiheadAttention with PyTorch's parameter names (in_proj_weight, out_proj …); the
// computation is functional-attention's multiHeadAttentionForward.
import { argError } from "../core/errors.js";
import { empty, type Tensor, zeros } from "../core/index.js";
import { checkInt } from "../core/validate.js";
import { type AttentionForwardOptions, type AttentionParams, multiHeadAttentionForward } from "./functional-attention.js";
import { constant_, xavierNormal_, xavierUniform_ } from "./init.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

export interface MultiheadAttentionOptions {
  dropout?: number;
  bias?: boolean;
  batchFirst?: boolean;
  kdim?: number;
  vdim?: number;
  /** Learns a key and a value appended to every sequence (bias_k, bias_v). */
  addBiasKv?: boolean;
  /** Appends an all-zero key and value after the projections. */
  addZeroAttn?: boolean;
}

/** PyTorch's name for the output projection (printed in reprs); a plain Linear otherwise. */
export class NonDynamicallyQuantizableLinear extends Linear {}

export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly kdim: number;
  readonly vdim: number;
  inProjWeight: Parameter | null;
  qProjWeight: Parameter | null;
  kProjWeight: Parameter | null;
  vProjWeight: Parameter | null;
  inProjBias: Parameter | null;
  biasK: Parameter | null;
  biasV: Parameter | null;
  readonly addZeroAttn: boolean;
  outProj: NonDynamicallyQuantizableLinear;
  constructor(embedDim: number, numHeads: number, o: MultiheadAttentionOptions = {}) {
    super();
    this.embedDim = checkInt("MultiheadAttention", "embedDim", embedDim, 1);
    this.numHeads = checkInt("MultiheadAttention", "numHeads", numHeads, 1);
    if (embedDim % numHeads) argError("MultiheadAttention", `embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.dropout = o.dropout ?? 0;
    this.batchFirst = o.batchFirst ?? false;
    this.kdim = o.kdim ?? embedDim;
    this.vdim = o.vdim ?? embedDim;
    const same = this.kdim === embedDim && this.vdim === embedDim;
    this.inProjWeight = same ? new Parameter(empty([3 * embedDim, embedDim])) : null;
    this.qProjWeight = same ? null : new Parameter(empty([embedDim, embedDim]));
    this.kProjWeight = same ? null : new Parameter(empty([embedDim, this.kdim]));
    this.vProjWeight = same ? null : new Parameter(empty([embedDim, this.vdim]));
    this.inProjBias = o.bias === false ? null : new Parameter(zeros([3 * embedDim]));
    this.biasK = o.addBiasKv ? new Parameter(empty([1, 1, embedDim])) : null;
    this.biasV = o.addBiasKv ? new Parameter(empty([1, 1, embedDim])) : null;
    this.addZeroAttn = o.addZeroAttn ?? false;
    this.outProj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias: o.bias !== false });
    this.resetParameters();
  }
  resetParameters(): void {
    for (const w of [this.inProjWeight, this.qProjWeight, this.kProjWeight, this.vProjWeight]) if (w) xavierUniform_(w);
    if (this.inProjBias) constant_(this.inProjBias, 0);
    if (this.outProj.bias) constant_(this.outProj.bias, 0);
    for (const b of [this.biasK, this.biasV]) if (b) xavierNormal_(b);
  }
  forward(
    query: Tensor,
    key: Tensor = query,
    value: Tensor = key,
    o: AttentionForwardOptions = {},
  ): { output: Tensor; weights: Tensor | null } {
    // Unbatched [L, E] inputs as PyTorch: the same layout whatever batchFirst says.
    const rank = query.ndim === 2 ? 2 : 3;
    for (const [n, t] of [
      ["query", query],
      ["key", key],
      ["value", value],
    ] as const)
      if (t.ndim !== rank)
        argError(
          "MultiheadAttention",
          `${n} must be rank 3 (${this.batchFirst ? "[B, L, E]" : "[L, B, E]"}) or, as query, unbatched [L, E], got [${t.shape.join(", ")}]`,
        );
    if (query.shape[rank - 1] !== this.embedDim)
      argError("MultiheadAttention", `query has ${query.shape[rank - 1]} features, expected ${this.embedDim}`);
    const batchFirst = this.batchFirst && rank === 3;
    const tr = (t: Tensor) => (batchFirst ? t.transpose(0, 1) : t);
    const r = multiHeadAttentionForward(tr(query), tr(key), tr(value), this.params(), o);
    if (!batchFirst) return r;
    const out = r.output.transpose(0, 1);
    r.output.dispose();
    return { output: out, weights: r.weights };
  }
  private params(): AttentionParams {
    return {
      numHeads: this.numHeads,
      inProjWeight: this.inProjWeight,
      inProjBias: this.inProjBias,
      qProjWeight: this.qProjWeight,
      kProjWeight: this.kProjWeight,
      vProjWeight: this.vProjWeight,
      outProjWeight: this.outProj.weight,
      outProjBias: this.outProj.bias,
      biasK: this.biasK,
      biasV: this.biasV,
      addZeroAttn: this.addZeroAttn,
      dropout: this.dropout,
      training: this.training,
    };
  }
}
