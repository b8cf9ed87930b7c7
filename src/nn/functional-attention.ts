// Multi-head attention as a plain function, composed from matmul/softmax as PyTorch's
// F.multi_head_attention_forward does (the twin of nn.MultiheadAttention).
import { argError } from "../core/errors.js";
import { type Tensor, tidy, zeros } from "../core/index.js";
import { dropout, linear, softmax } from "../core/ops/nn.js";
import { cat, pad } from "../core/ops/shape.js";
import { checkOptTensor, checkTensor, optionsOf } from "../core/validate.js";

export interface AttentionForwardOptions {
  /** [B, S] booleans (unbatched: [S]), true where a key is padding and must be ignored; or floats added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** [L, S] or [B·heads, L, S] (unbatched: [heads, L, S]): booleans (true = not allowed) or floats added to the scores. */
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
  /** [1, 1, E] each: a learnt key and value appended to every sequence (PyTorch's add_bias_kv). */
  biasK?: Tensor | null;
  biasV?: Tensor | null;
  /** Appends an all-zero key and value after the projections (PyTorch's add_zero_attn). */
  addZeroAttn?: boolean;
  dropout: number;
  training: boolean;
}

/**
 * Sequence-first [L, B, E] attention (the layout PyTorch computes in), or unbatched [L, E].
 * The masks merge and turn into an additive float mask in PyTorch's order, so that fully masked
 * rows give NaN as PyTorch's do, with the same gradients.
 */
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
  for (const k of ["inProjWeight", "inProjBias", "qProjWeight", "kProjWeight", "vProjWeight", "outProjBias", "biasK", "biasV"] as const)
    checkOptTensor(op, k, p[k]);
  checkTensor(op, "outProjWeight", p.outProjWeight);
  checkOptTensor(op, "attnMask", o.attnMask);
  checkOptTensor(op, "keyPaddingMask", o.keyPaddingMask);
  const show = (t: Tensor) => `[${t.shape.join(", ")}]`;
  const unbatched = query.ndim === 2;
  if (unbatched ? key.ndim !== 2 || value.ndim !== 2 : query.ndim !== 3 || key.ndim !== 3 || value.ndim !== 3)
    argError(
      op,
      `query, key and value must be [L, B, E] / [S, B, E], or unbatched [L, E] / [S, E], got ${show(query)}, ${show(key)}, ${show(value)}`,
    );
  const H = p.numHeads;
  if (unbatched) {
    if (o.keyPaddingMask && o.keyPaddingMask.ndim !== 1)
      argError(op, `keyPaddingMask must be [${key.shape[0]}] for unbatched inputs, got ${show(o.keyPaddingMask)}`);
    if (o.attnMask && o.attnMask.ndim === 3 && o.attnMask.shape[0] !== H)
      argError(op, `attnMask must be [${query.shape[0]}, ${key.shape[0]}] or [${H}, …] for unbatched inputs, got ${show(o.attnMask)}`);
    return tidy(() => {
      const r = multiHeadAttentionForward(query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1), p, {
        ...o,
        keyPaddingMask: o.keyPaddingMask?.unsqueeze(0) ?? null,
      });
      return { output: r.output.squeeze(1), weights: r.weights ? r.weights.squeeze(0) : null };
    });
  }
  const [L, B, E] = query.shape as [number, number, number];
  const S = key.shape[0]!;
  if (value.shape[0] !== S || key.shape[1] !== B || value.shape[1] !== B)
    argError(op, `key ${show(key)} and value ${show(value)} must share the length and batch of each other and of query ${show(query)}`);
  if (!Number.isSafeInteger(H) || H < 1 || E % H) argError(op, `embedding size ${E} must be divisible by numHeads ${H}`);
  if (!p.inProjWeight && !(p.qProjWeight && p.kProjWeight && p.vProjWeight))
    argError(op, "needs inProjWeight, or all of qProjWeight, kProjWeight and vProjWeight");
  if (!p.biasK !== !p.biasV) argError(op, "biasK and biasV come together");
  for (const [k, t] of [
    ["biasK", p.biasK],
    ["biasV", p.biasV],
  ] as const)
    if (t && t.shape.join() !== [1, 1, E].join()) argError(op, `${k} must be [1, 1, ${E}], got ${show(t)}`);
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
    const [bq, bk, bv] = p.inProjBias ? (p.inProjBias.chunk(3, 0) as [Tensor, Tensor, Tensor]) : [null, null, null];
    if (p.inProjWeight) {
      const [wq, wk, wv] = p.inProjWeight.chunk(3, 0) as [Tensor, Tensor, Tensor];
      q = linear(query, wq, bq);
      k = linear(key, wk, bk);
      v = linear(value, wv, bv);
    } else {
      q = linear(query, p.qProjWeight!, bq);
      k = linear(key, p.kProjWeight!, bk);
      v = linear(value, p.vProjWeight!, bv);
    }
    let attnMask: Tensor | null = o.attnMask ? (o.attnMask.ndim === 2 ? o.attnMask.unsqueeze(0) : o.attnMask) : null;
    if (attnMask?.dtype === "uint8") attnMask = attnMask.to("bool");
    let kpm: Tensor | null = o.keyPaddingMask ?? null;
    if (kpm?.dtype === "uint8") kpm = kpm.to("bool");
    const padOne = (t: Tensor | null) => (t ? pad(t, [0, 1]) : null);
    if (p.biasK && p.biasV) {
      k = cat([k, p.biasK.repeat([1, B, 1])]);
      v = cat([v, p.biasV.repeat([1, B, 1])]);
      attnMask = padOne(attnMask);
      kpm = padOne(kpm);
    }
    // [L, B, E] → [B·H, L, d]
    q = q.reshape([L, B * H, d]).transpose(0, 1);
    k = k.reshape([k.shape[0]!, B * H, d]).transpose(0, 1);
    v = v.reshape([v.shape[0]!, B * H, d]).transpose(0, 1);
    if (p.addZeroAttn) {
      k = cat([k, zeros([B * H, 1, d], { dtype: k.dtype })], 1);
      v = cat([v, zeros([B * H, 1, d], { dtype: v.dtype })], 1);
      attnMask = padOne(attnMask);
      kpm = padOne(kpm);
    }
    const srcLen = k.shape[1]!;
    if (kpm) {
      const m = kpm
        .view([B, 1, 1, srcLen])
        .expand([B, H, 1, srcLen])
        .reshape([B * H, 1, srcLen]);
      if (!attnMask) attnMask = m;
      else if (attnMask.dtype === "bool") attnMask = attnMask.logicalOr(m);
      else attnMask = attnMask.maskedFill(m, Number.NEGATIVE_INFINITY);
    }
    if (attnMask?.dtype === "bool") attnMask = zeros(attnMask.shape, { dtype: q.dtype }).maskedFill(attnMask, Number.NEGATIVE_INFINITY);
    let scores = q.div(Math.sqrt(d)).bmm(k.transpose(1, 2)); // [B·H, L, S]
    if (attnMask) scores = scores.add(attnMask);
    let attn = softmax(scores, -1);
    if (p.dropout > 0 && p.training) attn = dropout(attn, p.dropout, true);
    const ctx = attn
      .bmm(v)
      .transpose(0, 1)
      .reshape([L * B, E]);
    const output = linear(ctx, p.outProjWeight, p.outProjBias).view([L, B, E]);
    let weights: Tensor | null = null;
    if (o.needWeights ?? true) {
      const w = attn.view([B, H, L, srcLen]);
      weights = (o.averageAttnWeights ?? true) ? w.sum({ dim: 1 }).div(H) : w;
    }
    return { output, weights };
  });
}
