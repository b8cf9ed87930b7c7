// Multi-head attention as a plain function, composed from matmul/softmax as PyTorch's
// F.multi_head_attention_forward does (the twin of nn.MultiheadAttention).
import { argError } from "../core/errors.js";
import { type Tensor, tidy } from "../core/index.js";
import { dropout, linear, softmax } from "../core/ops/nn.js";
import { checkOptTensor, checkTensor, optionsOf } from "../core/validate.js";

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
  options: AttentionForwardOptions | null = {},
): { output: Tensor; weights: Tensor | null } {
  const op = "multiHeadAttentionForward";
  const o = optionsOf(op, options);
  checkTensor(op, "query", query);
  checkTensor(op, "key", key);
  checkTensor(op, "value", value);
  if (p === null || typeof p !== "object")
    argError(op, `params must be an object of attention weights, got ${p === null ? "null" : typeof p}`);
  for (const k of ["inProjWeight", "inProjBias", "qProjWeight", "kProjWeight", "vProjWeight", "outProjBias"] as const)
    checkOptTensor(op, k, p[k]);
  checkTensor(op, "outProjWeight", p.outProjWeight);
  checkOptTensor(op, "attnMask", o.attnMask);
  checkOptTensor(op, "keyPaddingMask", o.keyPaddingMask);
  const show = (t: Tensor) => `[${t.shape.join(", ")}]`;
  if (query.ndim !== 3 || key.ndim !== 3 || value.ndim !== 3)
    argError(op, `query, key and value must be [L, B, E] / [S, B, E], got ${show(query)}, ${show(key)}, ${show(value)}`);
  const [L, B, E] = query.shape as [number, number, number];
  const S = key.shape[0]!;
  if (value.shape[0] !== S || key.shape[1] !== B || value.shape[1] !== B)
    argError(op, `key ${show(key)} and value ${show(value)} must share the length and batch of each other and of query ${show(query)}`);
  const H = p.numHeads;
  if (!Number.isSafeInteger(H) || H < 1 || E % H) argError(op, `embedding size ${E} must be divisible by numHeads ${H}`);
  if (!p.inProjWeight && !(p.qProjWeight && p.kProjWeight && p.vProjWeight))
    argError(op, "needs inProjWeight, or all of qProjWeight, kProjWeight and vProjWeight");
  if (o.attnMask) {
    const m = o.attnMask;
    const ok = m.ndim === 2 ? m.shape.join() === [L, S].join() : m.ndim === 3 && m.shape.join() === [B * H, L, S].join();
    if (!ok) argError(op, `attnMask must be [${L}, ${S}] or [${B * H}, ${L}, ${S}], got ${show(m)}`);
  }
  if (o.keyPaddingMask && o.keyPaddingMask.shape.join() !== [B, S].join())
    argError(op, `keyPaddingMask must be [${B}, ${S}], got ${show(o.keyPaddingMask)}`);
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
