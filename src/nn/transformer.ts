// Transformer encoder/decoder layers and stacks with PyTorch's structure and key names
// (self_attn, linear1, norm1 …), post-norm by default, pre-norm with normFirst.
import { argError } from "../core/errors.js";
import { full, type Tensor, tidy } from "../core/index.js";
import { gelu, relu } from "../core/ops/elementwise.js";
import { MultiheadAttention } from "./attention.js";
import { ModuleList } from "./container.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import { LayerNorm } from "./normalization.js";

export interface TransformerLayerOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: "relu" | "gelu";
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
}

export interface EncoderMasks {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}
export interface DecoderMasks {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
}

const act = (name: "relu" | "gelu") => (name === "gelu" ? (x: Tensor) => gelu(x) : relu);

export class TransformerEncoderLayer extends Module {
  readonly normFirst: boolean;
  readonly activation: "relu" | "gelu";
  selfAttn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  constructor(dModel: number, nhead: number, o: TransformerLayerOptions = {}) {
    super();
    const p = o.dropout ?? 0.1;
    const ff = o.dimFeedforward ?? 2048;
    this.normFirst = o.normFirst ?? false;
    this.activation = o.activation ?? "relu";
    this.selfAttn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: o.batchFirst ?? false });
    this.linear1 = new Linear(dModel, ff);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel);
    this.norm1 = new LayerNorm(dModel, { eps: o.layerNormEps ?? 1e-5 });
    this.norm2 = new LayerNorm(dModel, { eps: o.layerNormEps ?? 1e-5 });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
  }
  private sa(x: Tensor, m: EncoderMasks): Tensor {
    const { output } = this.selfAttn.forward(x, x, x, { attnMask: m.srcMask, keyPaddingMask: m.srcKeyPaddingMask, needWeights: false });
    return this.dropout1.forward(output);
  }
  private ff(x: Tensor): Tensor {
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(act(this.activation)(this.linear1.forward(x)))));
  }
  forward(src: Tensor, m: EncoderMasks = {}): Tensor {
    return tidy(() => {
      if (this.normFirst) {
        const x = src.add(this.sa(this.norm1.forward(src), m));
        return x.add(this.ff(this.norm2.forward(x)));
      }
      const x = this.norm1.forward(src.add(this.sa(src, m)));
      return this.norm2.forward(x.add(this.ff(x)));
    });
  }
}

export class TransformerDecoderLayer extends Module {
  readonly normFirst: boolean;
  readonly activation: "relu" | "gelu";
  selfAttn: MultiheadAttention;
  multiheadAttn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  constructor(dModel: number, nhead: number, o: TransformerLayerOptions = {}) {
    super();
    const p = o.dropout ?? 0.1;
    const ff = o.dimFeedforward ?? 2048;
    const eps = o.layerNormEps ?? 1e-5;
    this.normFirst = o.normFirst ?? false;
    this.activation = o.activation ?? "relu";
    this.selfAttn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: o.batchFirst ?? false });
    this.multiheadAttn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: o.batchFirst ?? false });
    this.linear1 = new Linear(dModel, ff);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel);
    this.norm1 = new LayerNorm(dModel, { eps });
    this.norm2 = new LayerNorm(dModel, { eps });
    this.norm3 = new LayerNorm(dModel, { eps });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
  }
  forward(tgt: Tensor, memory: Tensor, m: DecoderMasks = {}): Tensor {
    return tidy(() => {
      const sa = (x: Tensor) =>
        this.dropout1.forward(
          this.selfAttn.forward(x, x, x, { attnMask: m.tgtMask, keyPaddingMask: m.tgtKeyPaddingMask, needWeights: false }).output,
        );
      const mha = (x: Tensor) =>
        this.dropout2.forward(
          this.multiheadAttn.forward(x, memory, memory, {
            attnMask: m.memoryMask,
            keyPaddingMask: m.memoryKeyPaddingMask,
            needWeights: false,
          }).output,
        );
      const ff = (x: Tensor) =>
        this.dropout3.forward(this.linear2.forward(this.dropout.forward(act(this.activation)(this.linear1.forward(x)))));
      if (this.normFirst) {
        let x = tgt.add(sa(this.norm1.forward(tgt)));
        x = x.add(mha(this.norm2.forward(x)));
        return x.add(ff(this.norm3.forward(x)));
      }
      let x = this.norm1.forward(tgt.add(sa(tgt)));
      x = this.norm2.forward(x.add(mha(x)));
      return this.norm3.forward(x.add(ff(x)));
    });
  }
}

/** A stack of encoder layers made by `makeLayer` (PyTorch deep-copies one layer; a factory is the TS equivalent). */
export class TransformerEncoder extends Module {
  layers: ModuleList;
  norm: LayerNorm | null;
  constructor(makeLayer: () => TransformerEncoderLayer, numLayers: number, o: { norm?: LayerNorm } = {}) {
    super();
    if (!Number.isInteger(numLayers) || numLayers < 1)
      argError("TransformerEncoder", `numLayers must be a positive integer, got ${numLayers}`);
    this.layers = new ModuleList(Array.from({ length: numLayers }, makeLayer));
    this.norm = o.norm ?? null;
  }
  forward(src: Tensor, m: EncoderMasks = {}): Tensor {
    return tidy(() => {
      let x = src;
      for (const l of this.layers) x = (l as TransformerEncoderLayer).forward(x, m);
      return this.norm ? this.norm.forward(x) : x;
    });
  }
}

export class TransformerDecoder extends Module {
  layers: ModuleList;
  norm: LayerNorm | null;
  constructor(makeLayer: () => TransformerDecoderLayer, numLayers: number, o: { norm?: LayerNorm } = {}) {
    super();
    if (!Number.isInteger(numLayers) || numLayers < 1)
      argError("TransformerDecoder", `numLayers must be a positive integer, got ${numLayers}`);
    this.layers = new ModuleList(Array.from({ length: numLayers }, makeLayer));
    this.norm = o.norm ?? null;
  }
  forward(tgt: Tensor, memory: Tensor, m: DecoderMasks = {}): Tensor {
    return tidy(() => {
      let x = tgt;
      for (const l of this.layers) x = (l as TransformerDecoderLayer).forward(x, memory, m);
      return this.norm ? this.norm.forward(x) : x;
    });
  }
}

/** Float mask with -inf above the diagonal: position i attends to positions ≤ i. */
export function generateSquareSubsequentMask(n: number): Tensor {
  return tidy(() => full([n, n], Number.NEGATIVE_INFINITY).triu(1));
}
