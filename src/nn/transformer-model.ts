// nn.Transformer: PyTorch's encoder–decoder model (an encoder stack with a final LayerNorm,
// a decoder stack with one), its parameters Xavier-initialised, keys as PyTorch's
// (encoder.layers.0.self_attn.in_proj_weight …, encoder.norm.weight, decoder.norm.bias).
import { argError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import { tidy } from "../core/index.js";
import { checkInt } from "../core/validate.js";
import { xavierUniform_ } from "./init.js";
import { Module } from "./module.js";
import { LayerNorm } from "./normalization.js";
import {
  type DecoderMasks,
  type EncoderMasks,
  generateSquareSubsequentMask,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
  type TransformerLayerOptions,
} from "./transformer.js";

export interface TransformerOptions extends TransformerLayerOptions {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  /** Use this encoder instead of building one. */
  customEncoder?: Module & { forward(src: Tensor, m?: EncoderMasks): Tensor };
  /** Use this decoder instead of building one. */
  customDecoder?: Module & { forward(tgt: Tensor, memory: Tensor, m?: DecoderMasks): Tensor };
}

export type TransformerMasks = EncoderMasks & DecoderMasks;

export class Transformer extends Module {
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;
  encoder: Module & { forward(src: Tensor, m?: EncoderMasks): Tensor };
  decoder: Module & { forward(tgt: Tensor, memory: Tensor, m?: DecoderMasks): Tensor };
  constructor(o: TransformerOptions = {}) {
    super();
    const { dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6, customEncoder, customDecoder, ...layer } = o;
    this.dModel = checkInt("Transformer", "dModel", dModel, 1);
    this.nhead = checkInt("Transformer", "nhead", nhead, 1);
    if (dModel % nhead !== 0) argError("Transformer", `dModel ${dModel} must be divisible by nhead ${nhead}`);
    this.batchFirst = layer.batchFirst ?? false;
    const eps = layer.layerNormEps ?? 1e-5;
    this.encoder =
      customEncoder ??
      new TransformerEncoder(
        () => new TransformerEncoderLayer(dModel, nhead, layer),
        checkInt("Transformer", "numEncoderLayers", numEncoderLayers, 1),
        {
          norm: new LayerNorm(dModel, { eps }),
        },
      );
    this.decoder =
      customDecoder ??
      new TransformerDecoder(
        () => new TransformerDecoderLayer(dModel, nhead, layer),
        checkInt("Transformer", "numDecoderLayers", numDecoderLayers, 1),
        {
          norm: new LayerNorm(dModel, { eps }),
        },
      );
    this.resetParameters();
  }
  /** Xavier-uniform for every parameter of rank > 1 (PyTorch's _reset_parameters). */
  resetParameters(): void {
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p);
  }
  /** Encodes `src`, then decodes `tgt` attending to it; returns the decoder output. */
  forward(src: Tensor, tgt: Tensor, m: TransformerMasks = {}): Tensor {
    const isBatched = src.ndim === 3;
    const b = this.batchFirst ? 0 : 1;
    if (isBatched && src.shape[b] !== tgt.shape[b])
      argError("Transformer", `the batch sizes of src [${src.shape.join(", ")}] and tgt [${tgt.shape.join(", ")}] must be equal`);
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel)
      argError("Transformer", `src and tgt must have ${this.dModel} features, got [${src.shape.join(", ")}] and [${tgt.shape.join(", ")}]`);
    return tidy(() => {
      const memory = this.encoder.forward(src, { srcMask: m.srcMask, srcKeyPaddingMask: m.srcKeyPaddingMask }) as Tensor;
      return this.decoder.forward(tgt, memory, {
        tgtMask: m.tgtMask,
        memoryMask: m.memoryMask,
        tgtKeyPaddingMask: m.tgtKeyPaddingMask,
        memoryKeyPaddingMask: m.memoryKeyPaddingMask,
      }) as Tensor;
    });
  }
  /** Float mask with −inf above the diagonal (as nn.Transformer.generate_square_subsequent_mask). */
  static generateSquareSubsequentMask(n: number): Tensor {
    return generateSquareSubsequentMask(n);
  }
}
