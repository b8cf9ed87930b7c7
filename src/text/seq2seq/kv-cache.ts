// Incremental (key/value-cached) attention over nn.MultiheadAttention's own weights: each
// decoding step projects only the new token and attends over the cached keys and values,
// so generating T tokens costs O(T) projections instead of O(T²). Batch-first [B, T, E].

import type { Tensor } from "../../core/index.js";
import { cat } from "../../core/index.js";
import { linear, softmax } from "../../core/ops/nn.js";
import type { MultiheadAttention } from "../../nn/index.js";

/** Keys and values so far, [B, H, T, Dh] each. */
export interface KV {
  k: Tensor;
  v: Tensor;
}

const heads = (x: Tensor, h: number): Tensor => {
  const [b, t, e] = x.shape as [number, number, number];
  return x.view([b, t, h, e / h]).transpose(1, 2);
};

/** Projects [B, T, E] inputs to per-head keys and values with the module's in-projection. */
export function projectKV(attn: MultiheadAttention, x: Tensor): KV {
  const e = attn.embedDim;
  const w = attn.inProjWeight!;
  const b = attn.inProjBias;
  const k = linear(x, w.narrow(0, e, e), b ? b.narrow(0, e, e) : null);
  const v = linear(x, w.narrow(0, 2 * e, e), b ? b.narrow(0, 2 * e, e) : null);
  return { k: heads(k, attn.numHeads), v: heads(v, attn.numHeads) };
}

/** Appends this step's keys/values to a cache (or starts one). */
export const extendKV = (cache: KV | undefined, step: KV): KV =>
  cache ? { k: cat([cache.k, step.k], 2), v: cat([cache.v, step.v], 2) } : step;

/**
 * Attention of new queries [B, L, E] over cached keys/values; `bias` ([B, 1, 1, S] or
 * broadcastable) is added to the scores (−∞ at padding or future positions).
 */
export function attendCached(attn: MultiheadAttention, q: Tensor, kv: KV, bias?: Tensor | null): Tensor {
  const e = attn.embedDim;
  const h = attn.numHeads;
  const w = attn.inProjWeight!;
  const b = attn.inProjBias;
  const [bs, l] = q.shape as [number, number, number];
  const qh = heads(linear(q, w.narrow(0, 0, e), b ? b.narrow(0, 0, e) : null), h);
  let scores = qh.matmul(kv.k.transpose(2, 3)).div(Math.sqrt(e / h));
  if (bias) scores = scores.add(bias);
  const out = softmax(scores, -1).matmul(kv.v).transpose(1, 2).reshape([bs, l, e]);
  return linear(out, attn.outProj.weight, attn.outProj.bias ?? null);
}
