// The captioner: a small CNN turns the image into a grid of feature vectors (each with a learned
// position, so "left of" and "above" are visible to attention), and a pre-norm Transformer
// decoder (Vaswani et al. 2017) attends to that grid while writing the caption one word at a
// time — the "show, attend and tell" layout (Xu et al. 2015) with a Transformer for the LSTM.
import { FlambeauError } from "../../core/errors.js";
import { empty, full, noGrad, type Tensor } from "../../core/index.js";
import { linear } from "../../core/ops/nn.js";
import {
  BatchNorm2d,
  Conv2d,
  Dropout,
  Embedding,
  LayerNorm,
  Module,
  Parameter,
  ReLU,
  Sequential,
  TransformerDecoder,
  TransformerDecoderLayer,
} from "../../nn/index.js";
import { sinusoidalPositions } from "../../nn/positional.js";

export interface CaptionModelOptions {
  vocabSize: number;
  padId: number;
  /** Input side, px (a multiple of 8). */
  size: number;
  /** Channels of the CNN's first stage (default 32; doubled at each of its 3 strides). */
  width?: number;
  dModel?: number;
  nhead?: number;
  layers?: number;
  dimFeedforward?: number;
  dropout?: number;
  /** Longest caption in tokens, bos included (default 40). */
  maxLength?: number;
}

const convBlock = (cin: number, cout: number, stride: number): Module[] => [
  new Conv2d(cin, cout, 3, { stride, padding: 1, bias: false }),
  new BatchNorm2d(cout),
  new ReLU(),
];

export class CaptionModel extends Module {
  readonly options: Required<CaptionModelOptions>;
  readonly cnn: Sequential;
  readonly gridPosition: Parameter;
  readonly embed: Embedding;
  readonly decoder: TransformerDecoder;
  readonly dropout: Dropout;

  constructor(o: CaptionModelOptions) {
    super();
    this.options = { width: 32, dModel: 128, nhead: 4, layers: 2, dimFeedforward: 256, dropout: 0.1, maxLength: 40, ...o };
    const { size, width: w, dModel, nhead, vocabSize, padId } = this.options;
    if (!Number.isInteger(size) || size < 16 || size % 8)
      throw new FlambeauError("E_ARG", `CaptionModel: size must be a multiple of 8, ≥ 16, got ${size}`, "CaptionModel");
    if (dModel % nhead || dModel % 2)
      throw new FlambeauError("E_ARG", `CaptionModel: dModel ${dModel} must be even and divisible by nhead ${nhead}`, "CaptionModel");
    // Three stride-2 stages: a 48 px scene becomes a 6 × 6 grid of dModel-vectors.
    this.cnn = new Sequential(
      ...convBlock(3, w, 1),
      ...convBlock(w, w, 2),
      ...convBlock(w, 2 * w, 1),
      ...convBlock(2 * w, 2 * w, 2),
      ...convBlock(2 * w, 4 * w, 1),
      ...convBlock(4 * w, 4 * w, 2),
      new Conv2d(4 * w, dModel, 1),
    );
    const cells = (size / 8) ** 2;
    this.gridPosition = new Parameter(empty([1, cells, dModel]));
    noGrad(() => this.gridPosition.normal_(0, 0.02));
    this.embed = new Embedding(vocabSize, dModel, { paddingIdx: padId });
    noGrad(() => {
      this.embed.weight.normal_(0, dModel ** -0.5);
      this.embed.weight.select(0, padId).zero_();
    });
    const layer = {
      dimFeedforward: this.options.dimFeedforward,
      dropout: this.options.dropout,
      activation: "gelu" as const,
      batchFirst: true,
      normFirst: true,
    };
    this.decoder = new TransformerDecoder(() => new TransformerDecoderLayer(dModel, nhead, layer), this.options.layers, {
      norm: new LayerNorm([dModel]),
    });
    this.dropout = new Dropout(this.options.dropout);
    this.registerBuffer("positions", sinusoidalPositions(this.options.maxLength, dModel), false);
  }

  /** Normalised images [B, 3, S, S] → the feature grid [B, (S/8)², dModel] the decoder attends to. */
  encode(images: Tensor): Tensor {
    const f = this.cnn.forward(images);
    const [b, d] = [f.shape[0]!, f.shape[1]!];
    return f.view([b, d, -1]).transpose(1, 2).add(this.gridPosition);
  }

  /** Logits [B, T, V] of the next token after each prefix position of `tokens` [B, T] (teacher forcing). */
  decode(memory: Tensor, tokens: Tensor): Tensor {
    const t = tokens.shape[1]!;
    if (t > this.options.maxLength)
      throw new FlambeauError("E_SHAPE", `CaptionModel: ${t} tokens exceed maxLength ${this.options.maxLength}`, "CaptionModel");
    const pos = this.getBuffer("positions")!.narrow(0, 0, t);
    const x = this.dropout.forward(this.embed.forward(tokens).mul(Math.sqrt(this.options.dModel)).add(pos));
    const causal = full([t, t], Number.NEGATIVE_INFINITY).triu(1);
    const h = this.decoder.forward(x, memory, { tgtMask: causal, tgtKeyPaddingMask: tokens.eq(this.options.padId) });
    // Output projection tied to the embedding, as in the text Transformer.
    return linear(h, this.embed.weight);
  }

  forward(images: Tensor, tokens: Tensor): Tensor {
    return this.decode(this.encode(images), tokens);
  }
}
