// The zero-shot dual encoder: glyph images through the few-shot Conv-4 embedding and a linear
// projection, character names through a bag of hashed word and trigram embeddings (the text
// retriever's "bow" encoder), both L2-normalised into one space, with CLIP's learnt logit scale.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { Linear, Module } from "../../nn/index.js";
import { Parameter } from "../../nn/parameter.js";
import { DualEncoder } from "../../text/retrieval/dual-encoder.js";
import { Conv4 } from "../../vision/models/conv4.js";
import { clipLoss } from "./loss.js";
import { nameIds } from "./names.js";

export interface GlyphNameOptions {
  /** Hash buckets of the name features (default 4096). */
  buckets?: number;
  /** Name features kept per name (default 48: a long name's words and trigrams). */
  maxTokens?: number;
  /** Joint embedding size (default 64). */
  dim?: number;
}

export const glyphNameOptions = (o: GlyphNameOptions = {}): Required<GlyphNameOptions> => {
  const r = { buckets: o.buckets ?? 4096, maxTokens: o.maxTokens ?? 48, dim: o.dim ?? 64 };
  for (const [k, v] of Object.entries(r))
    if (!Number.isInteger(v) || v < 1) throw new FlambeauError("E_ARG", `zero-shot: ${k} must be a positive integer, got ${v}`);
  return r;
};

export class GlyphNameEncoder extends Module {
  readonly o: Required<GlyphNameOptions>;
  readonly image: Conv4;
  readonly imageProj: Linear;
  readonly text: DualEncoder;
  /** log of the inverse temperature; CLIP starts at 1/0.07. */
  readonly logitScale: Parameter;

  constructor(o: GlyphNameOptions = {}) {
    super();
    this.o = glyphNameOptions(o);
    this.image = new Conv4();
    this.imageProj = new Linear(64, this.o.dim);
    this.text = new DualEncoder({ kind: "bow", vocabSize: this.o.buckets + 1, dModel: 64, dim: this.o.dim, maxLength: this.o.maxTokens });
    this.logitScale = new Parameter(tensor([Math.log(1 / 0.07)]));
  }

  /** Images [B, 1, S, S] in [0, 1] → unit embeddings [B, dim]. */
  encodeImages(x: Tensor): Tensor {
    const z = this.imageProj.forward(this.image.forward(x));
    return z.div(z.norm(2, { dim: 1, keepdim: true }).clamp(1e-12));
  }

  /** Names (script words already dropped) → unit embeddings [B, dim]. */
  encodeNames(names: readonly string[]): Tensor {
    return this.text.forward(nameIds(names, this.o.buckets, this.o.maxTokens));
  }

  override forward(x: Tensor): Tensor {
    return this.encodeImages(x);
  }

  /** CLIP's loss over a batch of matching (image, name) pairs. */
  loss(images: Tensor, names: readonly string[]): Tensor {
    return clipLoss(this.encodeImages(images), this.encodeNames(names), this.logitScale.squeeze(0));
  }
}
