// A small decoder-only Transformer over event tokens (the text language model's recipe, kept here
// because modalities do not import each other): tied token embeddings plus sinusoidal
// positions, pre-norm causal self-attention blocks from nn. Generation samples one token at a
// time over a sliding window of the last `maxLength` tokens, the style token always kept first.
import { FlambeauError } from "../../core/errors.js";
import { full, noGrad, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { linear } from "../../core/ops/nn.js";
import { Dropout, Embedding, LayerNorm, Module, ModuleList, TransformerEncoderLayer } from "../../nn/index.js";
import { sinusoidalPositions } from "../../nn/positional.js";
import { PAD, STYLE, TIME_SHIFT, VELOCITY } from "./tokens.js";

export interface MusicLMOptions {
  vocabSize: number;
  dModel: number;
  nhead: number;
  layers: number;
  dimFeedforward: number;
  dropout: number;
  maxLength: number;
}

export class MusicLM extends Module {
  readonly options: MusicLMOptions;
  readonly embed: Embedding;
  readonly layers: ModuleList;
  readonly norm: LayerNorm;
  readonly dropout: Dropout;

  constructor(o: MusicLMOptions) {
    super();
    this.options = { ...o };
    const { vocabSize, dModel, nhead, dimFeedforward, dropout, maxLength } = o;
    if (dModel % nhead || dModel % 2)
      throw new FlambeauError("E_ARG", `MusicLM: dModel ${dModel} must be even and divisible by nhead ${nhead}`, "MusicLM");
    this.embed = new Embedding(vocabSize, dModel, { paddingIdx: PAD });
    noGrad(() => {
      this.embed.weight.normal_(0, dModel ** -0.5);
      this.embed.weight.select(0, PAD).zero_();
    });
    const cfg = { dimFeedforward, dropout, activation: "gelu" as const, batchFirst: true, normFirst: true };
    this.layers = new ModuleList(Array.from({ length: o.layers }, () => new TransformerEncoderLayer(dModel, nhead, cfg)));
    this.norm = new LayerNorm([dModel]);
    this.dropout = new Dropout(dropout);
    this.registerBuffer("positions", sinusoidalPositions(maxLength, dModel), false);
  }

  /** Next-token logits [B, T, V] for ids [B, T] (causal). */
  forward(ids: Tensor): Tensor {
    const t = ids.shape[1]!;
    if (t > this.options.maxLength)
      throw new FlambeauError("E_SHAPE", `MusicLM: ${t} tokens exceed maxLength ${this.options.maxLength}`, "MusicLM");
    const causal = full([t, t], Number.NEGATIVE_INFINITY).triu(1);
    let x = this.dropout.forward(
      this.embed
        .forward(ids)
        .mul(Math.sqrt(this.options.dModel))
        .add(this.getBuffer("positions")!.narrow(0, 0, t)),
    );
    const padding = ids.eq(PAD);
    for (const l of this.layers.children() as TransformerEncoderLayer[]) x = l.forward(x, { srcMask: causal, srcKeyPaddingMask: padding });
    return linear(this.norm.forward(x), this.embed.weight);
  }
}

/** Mean cross-entropy (nats) of every token after the first of int64 ids [B, T] (padding ignored). */
export function lmLoss(model: MusicLM, ids: Tensor, reduction: "mean" | "sum" = "mean"): Tensor {
  const t = ids.shape[1]!;
  const logits = model.forward(ids.narrow(1, 0, t - 1));
  return crossEntropy(logits.reshape([-1, logits.shape[2]!]), ids.narrow(1, 1, t - 1).reshape([-1]), { ignoreIndex: PAD, reduction });
}

/** Sequences of equal or unequal length as int64 [B, T], padded with PAD. */
export function batchIds(seqs: readonly (readonly number[])[]): Tensor {
  const t = Math.max(...seqs.map((s) => s.length));
  const a = new BigInt64Array(seqs.length * t);
  seqs.forEach((s, i) => s.forEach((v, j) => (a[i * t + j] = BigInt(v))));
  return tensor(a, { shape: [seqs.length, t] });
}

export interface SampleOptions {
  /** Stop once the generated time shifts reach this many seconds. */
  seconds: number;
  /** Never more tokens than this. */
  maxTokens?: number;
  temperature?: number;
  topK?: number;
  random: () => number;
  /** Tokens the model sees at each step, style token included (default maxLength; fewer is faster). */
  context?: number;
}

/** Samples event tokens after a style token; the context is the style token + the last maxLength − 1 tokens. */
export function sampleMusic(model: MusicLM, style: number, o: SampleOptions): number[] {
  const temp = o.temperature ?? 1;
  const topK = o.topK ?? 0;
  const maxTokens = o.maxTokens ?? 4000;
  const win = Math.max(1, Math.min(o.context ?? model.options.maxLength, model.options.maxLength) - 1);
  const out: number[] = [];
  let steps = 0;
  const V = model.options.vocabSize;
  while (out.length < maxTokens && steps * 0.01 < o.seconds) {
    const ctx = [STYLE + style, ...out.slice(Math.max(0, out.length - win))];
    const logp = noGrad(() =>
      tidy(() => {
        const l = model
          .forward(batchIds([ctx]))
          .select(1, ctx.length - 1)
          .squeeze(0);
        return l.div(temp).logSoftmax(-1).data() as Float32Array;
      }),
    );
    // Padding and style tokens are never generated.
    const w = new Float64Array(V);
    let cut = Number.NEGATIVE_INFINITY;
    if (topK > 0 && topK < STYLE - 1) cut = Array.from(logp.subarray(1, STYLE)).sort((a, b) => b - a)[topK - 1]!;
    let total = 0;
    for (let v = 1; v < STYLE; v++) {
      w[v] = logp[v]! >= cut ? Math.exp(logp[v]!) : 0;
      total += w[v]!;
    }
    let r = o.random() * total;
    let v = 1;
    while (v < STYLE - 1 && (r -= w[v]!) >= 0) v++;
    out.push(v);
    if (v >= TIME_SHIFT && v < VELOCITY) steps += v - TIME_SHIFT + 1;
  }
  return out;
}
