// The sequence-to-sequence Transformer (Vaswani et al. 2017) in its modern recipe: pre-norm
// layers, one shared subword vocabulary, source/target/output embeddings tied, sinusoidal
// positions. `forward` is the teacher-forced training pass; `encode` + `step` decode one
// token at a time with a key/value cache (see kv-cache.ts).

import { FlambeauError } from "../../core/errors.js";
import { full, noGrad, type Tensor, tensor } from "../../core/index.js";
import { gelu } from "../../core/ops/elementwise.js";
import { linear } from "../../core/ops/nn.js";
import {
  Dropout,
  Embedding,
  LayerNorm,
  Module,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
} from "../../nn/index.js";
import { sinusoidalPositions } from "../../nn/positional.js";
import { attendCached, extendKV, type KV, projectKV } from "./kv-cache.js";

export { sinusoidalPositions };

export interface Seq2SeqOptions {
  vocabSize: number;
  padId: number;
  dModel?: number;
  nhead?: number;
  encoderLayers?: number;
  decoderLayers?: number;
  dimFeedforward?: number;
  dropout?: number;
  maxLength?: number;
}

/** The decoder's state while generating: encoder output, its mask, and per-layer caches. */
export interface DecoderState {
  memory: Tensor;
  /** [B, 1, 1, S] additive mask of source padding. */
  memoryBias: Tensor;
  cross: KV[];
  self: (KV | undefined)[];
  position: number;
  /** Source token ids [B, S] and the copy attention's keys [B, S, E] (pointer models only). */
  src?: Tensor;
  copyKeys?: Tensor;
}

/** Every tensor a decoding state holds (to keep or free them together). */
export const stateTensors = (s: DecoderState): Tensor[] => [
  s.memory,
  s.memoryBias,
  ...[...s.cross, ...s.self].flatMap((c) => (c ? [c.k, c.v] : [])),
  ...(s.src ? [s.src] : []),
  ...(s.copyKeys ? [s.copyKeys] : []),
];

export class Seq2SeqTransformer extends Module {
  readonly options: Required<Seq2SeqOptions>;
  readonly embed: Embedding;
  readonly encoder: TransformerEncoder;
  readonly decoder: TransformerDecoder;
  readonly dropout: Dropout;

  constructor(o: Seq2SeqOptions) {
    super();
    this.options = {
      dModel: 256,
      nhead: 4,
      encoderLayers: 3,
      decoderLayers: 3,
      dimFeedforward: 1024,
      dropout: 0.1,
      maxLength: 512,
      ...o,
    };
    const { vocabSize, padId, dModel, nhead, dimFeedforward, dropout } = this.options;
    if (dModel % nhead || dModel % 2)
      throw new FlambeauError("E_ARG", `Seq2SeqTransformer: dModel ${dModel} must be even and divisible by nhead ${nhead}`);
    this.embed = new Embedding(vocabSize, dModel, { paddingIdx: padId });
    // Scaled by √d on the way in and tied to the output, the embedding starts at std d^-½
    // (fairseq's recipe) so both the inputs and the initial logits have unit scale.
    noGrad(() => {
      this.embed.weight.normal_(0, dModel ** -0.5);
      this.embed.weight.select(0, padId).zero_();
    });
    const layer = { dimFeedforward, dropout, activation: "gelu" as const, batchFirst: true, normFirst: true };
    this.encoder = new TransformerEncoder(() => new TransformerEncoderLayer(dModel, nhead, layer), this.options.encoderLayers, {
      norm: new LayerNorm([dModel]),
    });
    this.decoder = new TransformerDecoder(() => new TransformerDecoderLayer(dModel, nhead, layer), this.options.decoderLayers, {
      norm: new LayerNorm([dModel]),
    });
    this.dropout = new Dropout(dropout);
    this.registerBuffer("positions", sinusoidalPositions(this.options.maxLength, dModel), false);
  }

  /** Token ids [B, T] → scaled embeddings plus positions from `offset`. */
  embedTokens(ids: Tensor, offset = 0): Tensor {
    const t = ids.shape[1]!;
    if (offset + t > this.options.maxLength)
      throw new FlambeauError("E_SHAPE", `Seq2SeqTransformer: position ${offset + t} exceeds maxLength ${this.options.maxLength}`);
    const pos = this.getBuffer("positions")!.narrow(0, offset, t);
    return this.dropout.forward(this.embed.forward(ids).mul(Math.sqrt(this.options.dModel)).add(pos));
  }

  /** Output logits over the vocabulary, with the embedding matrix as the projection (tied). */
  project(h: Tensor): Tensor {
    return linear(h, this.embed.weight);
  }

  encode(src: Tensor): { memory: Tensor; padding: Tensor } {
    const padding = src.eq(this.options.padId);
    const memory = this.encoder.forward(this.embedTokens(src), { srcKeyPaddingMask: padding });
    return { memory, padding };
  }

  /** The decoder's final (normed) states [B, T, E] for `tgtIn`, teacher-forced, with the encoder's output. */
  decodeHidden(src: Tensor, tgtIn: Tensor): { h: Tensor; memory: Tensor; padding: Tensor } {
    const { memory, padding } = this.encode(src);
    const t = tgtIn.shape[1]!;
    const causal = full([t, t], Number.NEGATIVE_INFINITY).triu(1);
    const h = this.decoder.forward(this.embedTokens(tgtIn), memory, {
      tgtMask: causal,
      tgtKeyPaddingMask: tgtIn.eq(this.options.padId),
      memoryKeyPaddingMask: padding,
    });
    return { h, memory, padding };
  }

  /** Teacher-forced logits [B, T, V] for decoder inputs `tgtIn` (targets shifted right). */
  forward(src: Tensor, tgtIn: Tensor): Tensor {
    return this.project(this.decodeHidden(src, tgtIn).h);
  }

  /** Teacher-forced log-probabilities [B, T, V] of the next token (what training and scoring use). */
  forwardLogProbs(src: Tensor, tgtIn: Tensor): Tensor {
    return this.forward(src, tgtIn).logSoftmax(-1);
  }

  /** Encodes the source and precomputes every layer's cross-attention keys and values. */
  startDecoding(src: Tensor): DecoderState {
    const { memory, padding } = this.encode(src);
    const memoryBias = padding.float().mul(-1e9).view([src.shape[0]!, 1, 1, src.shape[1]!]);
    const cross = this.decoderLayers().map((l) => projectKV(l.multiheadAttn, memory));
    return { memory, memoryBias, cross, self: cross.map(() => undefined), position: 0 };
  }

  /** One decoding step's final (normed) decoder state [B, 1, E]; updates the caches in `s`. */
  stepHidden(s: DecoderState, ids: Tensor): Tensor {
    let x = this.embedTokens(ids.view([-1, 1]), s.position);
    this.decoderLayers().forEach((l, i) => {
      const h = l.norm1.forward(x);
      s.self[i] = extendKV(s.self[i], projectKV(l.selfAttn, h));
      x = x.add(attendCached(l.selfAttn, h, s.self[i]!));
      x = x.add(attendCached(l.multiheadAttn, l.norm2.forward(x), s.cross[i]!, s.memoryBias));
      x = x.add(l.linear2.forward(gelu(l.linear1.forward(l.norm3.forward(x)))));
    });
    s.position++;
    return this.decoder.norm!.forward(x);
  }

  /** One decoding step: the next token ids [B] → logits [B, V]; updates the caches in `s`. */
  step(s: DecoderState, ids: Tensor): Tensor {
    return this.project(this.stepHidden(s, ids)).squeeze(1);
  }

  /** One decoding step → log-probabilities [B, V] of the next token (what decoding uses). */
  stepLogProbs(s: DecoderState, ids: Tensor): Tensor {
    return this.step(s, ids).logSoftmax(-1);
  }

  /** Keeps rows `index` [B'] of a decoding state (beam search reorders hypotheses). */
  static selectState(s: DecoderState, index: Tensor): DecoderState {
    const pick = (t: Tensor) => t.indexSelect(0, index);
    return {
      memory: pick(s.memory),
      memoryBias: pick(s.memoryBias),
      cross: s.cross.map((c) => ({ k: pick(c.k), v: pick(c.v) })),
      self: s.self.map((c) => (c ? { k: pick(c.k), v: pick(c.v) } : undefined)),
      position: s.position,
      ...(s.src ? { src: pick(s.src) } : {}),
      ...(s.copyKeys ? { copyKeys: pick(s.copyKeys) } : {}),
    };
  }

  protected decoderLayers(): TransformerDecoderLayer[] {
    return this.decoder.layers.children() as TransformerDecoderLayer[];
  }
}

export const tokenTensor = (rows: readonly (readonly number[])[], padId: number): Tensor => {
  const len = Math.max(1, ...rows.map((r) => r.length));
  const data = new BigInt64Array(rows.length * len).fill(BigInt(padId));
  rows.forEach((r, i) => r.forEach((v, j) => (data[i * len + j] = BigInt(v))));
  return tensor(data, { shape: [rows.length, len] });
};
