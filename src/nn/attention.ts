// Multi-head attention, composed from matmul/softmax exactly as PyTorch's
// F.multi_head_attention_forward does, with its parameter names (in_proj_weight, out_proj …).
import { argError } from "../core/errors.js";
import { empty, type Tensor, tidy, zeros } from "../core/index.js";
import { dropout, linear, softmax } from "../core/ops/nn.js";
import { checkInt } from "../core/validate.js";
import { constant_, xavierUniform_ } from "./init.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

export interface MultiheadAttentionOptions {
  dropout?: number;
  bias?: boolean;
  batchFirst?: boolean;
  kdim?: number;
  vdim?: number;
}

export interface AttentionForwardOptions {
  /** [B, S] booleans, true where a key is padding and must be ignored. */
  keyPaddingMask?: Tensor | null;
  /** [L, S] or [B·heads, L, S]: booleans (true = not allowed) or floats added to the scores. */
  attnMask?: Tensor | null;
  needWeights?: boolean;
  averageAttnWeights?: boolean;
}

export interface AttentionParams {
  numHeads: number;
  inProjWeight: Tensor | null;
  inProjBias: Tensor | null;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  outProjWeight: Tensor;
  outProjBias: Tensor | null;
  dropout: number;
  training: boolean;
}

/** Sequence-first [L, B, E] attention (the layout PyTorch computes in). */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  p: AttentionParams,
  o: AttentionForwardOptions = {},
): { output: Tensor; weights: Tensor | null } {
  const [L, B, E] = query.shape as [number, number, number];
  const S = key.shape[0]!;
  const H = p.numHeads;
  const d = E / H;
  return tidy(() => {
    let q: Tensor;
    let k: Tensor;
    let v: Tensor;
    if (p.inProjWeight) {
      const [wq, wk, wv] = p.inProjWeight.chunk(3, 0) as [Tensor, Tensor, Tensor];
      const [bq, bk, bv] = p.inProjBias ? (p.inProjBias.chunk(3, 0) as [Tensor, Tensor, Tensor]) : [null, null, null];
      q = linear(query, wq, bq);
      k = linear(key, wk, bk);
      v = linear(value, wv, bv);
    } else {
      const [bq, bk, bv] = p.inProjBias ? (p.inProjBias.chunk(3, 0) as [Tensor, Tensor, Tensor]) : [null, null, null];
      q = linear(query, p.qProjWeight!, bq);
      k = linear(key, p.kProjWeight!, bk);
      v = linear(value, p.vProjWeight!, bv);
    }
    // [L, B, E] → [B·H, L, d]
    q = q
      .reshape([L, B * H, d])
      .transpose(0, 1)
      .mul(1 / Math.sqrt(d));
    k = k.reshape([S, B * H, d]).transpose(0, 1);
    v = v.reshape([S, B * H, d]).transpose(0, 1);
    let scores = q.bmm(k.transpose(1, 2)); // [B·H, L, S]
    if (o.attnMask) {
      const m = o.attnMask.ndim === 2 ? o.attnMask.unsqueeze(0) : o.attnMask;
      scores = m.dtype === "bool" ? scores.maskedFill(m, Number.NEGATIVE_INFINITY) : scores.add(m);
    }
    if (o.keyPaddingMask) {
      if (o.keyPaddingMask.shape.join() !== [B, S].join())
        argError("multiHeadAttention", `keyPaddingMask must be [${B}, ${S}], got [${o.keyPaddingMask.shape.join(", ")}]`);
      const m = o.keyPaddingMask
        .to("bool")
        .view([B, 1, 1, S])
        .expand([B, H, 1, S])
        .reshape([B * H, 1, S]);
      scores = scores.maskedFill(m, Number.NEGATIVE_INFINITY);
    }
    let attn = softmax(scores, -1);
    if (p.dropout > 0 && p.training) attn = dropout(attn, p.dropout, true);
    const ctx = attn
      .bmm(v)
      .transpose(0, 1)
      .reshape([L * B, E]);
    const output = linear(ctx, p.outProjWeight, p.outProjBias).view([L, B, E]);
    let weights: Tensor | null = null;
    if (o.needWeights ?? true) {
      const w = attn.view([B, H, L, S]);
      weights = (o.averageAttnWeights ?? true) ? w.mean({ dim: 1 }) : w;
    }
    return { output, weights };
  });
}

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
  outProj: Linear;
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
    this.outProj = new Linear(embedDim, embedDim, { bias: o.bias !== false });
    this.resetParameters();
  }
  resetParameters(): void {
    for (const w of [this.inProjWeight, this.qProjWeight, this.kProjWeight, this.vProjWeight]) if (w) xavierUniform_(w);
    if (this.inProjBias) constant_(this.inProjBias, 0);
    if (this.outProj.bias) constant_(this.outProj.bias, 0);
  }
  forward(
    query: Tensor,
    key: Tensor = query,
    value: Tensor = key,
    o: AttentionForwardOptions = {},
  ): { output: Tensor; weights: Tensor | null } {
    for (const [n, t] of [
      ["query", query],
      ["key", key],
      ["value", value],
    ] as const)
      if (t.ndim !== 3)
        argError("MultiheadAttention", `${n} must be rank 3 (${this.batchFirst ? "[B, L, E]" : "[L, B, E]"}), got [${t.shape.join(", ")}]`);
    if (query.shape[2] !== this.embedDim) argError("MultiheadAttention", `query has ${query.shape[2]} features, expected ${this.embedDim}`);
    const tr = (t: Tensor) => (this.batchFirst ? t.transpose(0, 1) : t);
    const r = multiHeadAttentionForward(tr(query), tr(key), tr(value), this.params(), o);
    if (!this.batchFirst) return r;
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
      dropout: this.dropout,
      training: this.training,
    };
  }
}
