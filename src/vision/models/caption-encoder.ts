// A caption as a sequence of token states for cross-attention: word embeddings plus sinusoidal
// positions through a small pre-norm Transformer encoder. Every caption starts with a <start>
// token whose output state is the caption's pooled vector (as BERT's [CLS]); the empty caption —
// <start> alone — is the "no caption" of classifier-free guidance, learned like any other.
// Words outside the closed vocabulary are reported by name, never guessed.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { Embedding, LayerNorm, Module, TransformerEncoder, TransformerEncoderLayer } from "../../nn/index.js";
import { sinusoidalPositions } from "../../nn/positional.js";
import { captionTokens } from "../captions/caption-words.js";

export interface CaptionEncoderOptions {
  vocabulary: readonly string[];
  /** Width of the token states (default 64). */
  dim?: number;
  /** Transformer encoder layers (default 1). */
  layers?: number;
  /** Attention heads (default 4). */
  heads?: number;
  /** Most words in a caption (default 32). */
  maxWords?: number;
}

/** Token states [B, L, D], the padding mask [B, L] (true: padding) and the pooled vectors [B, D]. */
export interface EncodedCaptions {
  tokens: Tensor;
  padding: Tensor;
  pooled: Tensor;
}

const PAD = 0;
const START = 1;

export class CaptionEncoder extends Module {
  readonly options: Required<Omit<CaptionEncoderOptions, "vocabulary">>;
  readonly vocabulary: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly embedding: Embedding;
  readonly encoder: TransformerEncoder;
  constructor(o: CaptionEncoderOptions) {
    super();
    const r = { dim: o.dim ?? 64, layers: o.layers ?? 1, heads: o.heads ?? 4, maxWords: o.maxWords ?? 32 };
    if (o.vocabulary.length === 0) throw new FlambeauError("E_ARG", "CaptionEncoder: the vocabulary is empty", "CaptionEncoder");
    for (const [name, v, lo] of [
      ["dim", r.dim, 8],
      ["layers", r.layers, 1],
      ["heads", r.heads, 1],
      ["maxWords", r.maxWords, 1],
    ] as const)
      if (!Number.isSafeInteger(v) || v < lo || v > 4096)
        throw new FlambeauError("E_ARG", `CaptionEncoder: ${name} must be an integer in [${lo}, 4096], got ${v}`, "CaptionEncoder");
    if (r.dim % r.heads || r.dim % 2)
      throw new FlambeauError("E_ARG", `CaptionEncoder: dim ${r.dim} must be even and divisible by heads ${r.heads}`, "CaptionEncoder");
    this.options = r;
    this.vocabulary = [...o.vocabulary];
    this.index = new Map(o.vocabulary.map((w, i) => [w, i + 2]));
    this.embedding = new Embedding(o.vocabulary.length + 2, r.dim, { paddingIdx: PAD });
    this.registerBuffer("positions", sinusoidalPositions(r.maxWords + 1, r.dim), false);
    this.encoder = new TransformerEncoder(
      () => new TransformerEncoderLayer(r.dim, r.heads, { dimFeedforward: 2 * r.dim, dropout: 0, batchFirst: true, normFirst: true }),
      r.layers,
      { norm: new LayerNorm(r.dim) },
    );
  }

  /** The tokens of `caption` that the vocabulary lacks. */
  unknownWords(caption: string): string[] {
    return captionTokens(caption).filter((w) => !this.index.has(w));
  }

  /** [B, L] token ids (<start>, the words, padding); null is the empty caption. */
  tokenIds(captions: readonly (string | null)[]): Tensor {
    const rows = captions.map((c) => {
      if (c === null) return [START];
      const words = captionTokens(c);
      const unknown = words.filter((w) => !this.index.has(w));
      if (unknown.length)
        throw new FlambeauError(
          "E_ARG",
          `CaptionEncoder: unknown words ${JSON.stringify(unknown)} in ${JSON.stringify(c)}; known: ${this.vocabulary.join(" ")}`,
          "CaptionEncoder",
        );
      if (words.length > this.options.maxWords)
        throw new FlambeauError(
          "E_ARG",
          `CaptionEncoder: ${JSON.stringify(c)} has ${words.length} words, at most ${this.options.maxWords}`,
          "CaptionEncoder",
        );
      return [START, ...words.map((w) => this.index.get(w)!)];
    });
    const len = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * len);
    rows.forEach((r, b) => r.forEach((id, j) => (ids[b * len + j] = BigInt(id))));
    return tensor(ids, { shape: [rows.length, len] });
  }

  forward(captions: readonly (string | null)[]): EncodedCaptions {
    if (captions.length === 0) throw new FlambeauError("E_ARG", "CaptionEncoder: no caption to encode", "CaptionEncoder");
    const ids = this.tokenIds(captions);
    const len = ids.shape[1]!;
    const padding = ids.eq(PAD);
    const x = this.embedding.forward(ids).add(this.getBuffer("positions")!.narrow(0, 0, len).unsqueeze(0));
    const tokens = this.encoder.forward(x, { srcKeyPaddingMask: padding });
    return { tokens, padding, pooled: tokens.select(1, 0) };
  }
}
