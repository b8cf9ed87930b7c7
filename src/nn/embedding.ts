// Embedding: a lookup table of learned vectors; the padding row gets no gradient.
import { argError } from "../core/errors.js";
import { empty, noGrad, type Tensor } from "../core/index.js";
import { embedding } from "../core/ops/nn.js";
import { checkInt } from "../core/validate.js";
import { embeddingBag } from "./functional-spatial.js";
import { normal_ } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  weight: Parameter;
  constructor(numEmbeddings: number, embeddingDim: number, o: { paddingIdx?: number } = {}) {
    super();
    this.numEmbeddings = checkInt("Embedding", "numEmbeddings", numEmbeddings, 1);
    this.embeddingDim = checkInt("Embedding", "embeddingDim", embeddingDim, 1);
    this.paddingIdx =
      o.paddingIdx === undefined
        ? null
        : checkInt("Embedding", "paddingIdx", o.paddingIdx < 0 ? o.paddingIdx + numEmbeddings : o.paddingIdx, 0, numEmbeddings - 1);
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim]));
    this.resetParameters();
  }
  /** An embedding whose table is a copy of `weights` [N, D]; frozen (no gradient) unless `freeze` is false. */
  static fromPretrained(weights: Tensor, o: { freeze?: boolean; paddingIdx?: number } = {}): Embedding {
    if (weights.ndim !== 2) argError("Embedding.fromPretrained", `weights must be [N, D], got [${weights.shape.join(", ")}]`);
    const e = new Embedding(weights.shape[0]!, weights.shape[1]!, { paddingIdx: o.paddingIdx });
    if (weights.dtype !== e.weight.dtype) e.to(weights.dtype);
    noGrad(() => e.weight.copy_(weights));
    e.weight.requiresGrad_(!(o.freeze ?? true));
    return e;
  }
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).zero_());
  }
  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, this.paddingIdx);
  }
  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ""}`;
  }
}

export interface EmbeddingBagModuleOptions {
  /** How a bag's vectors are reduced (default 'mean'). */
  mode?: "sum" | "mean" | "max";
  scaleGradByFreq?: boolean;
  includeLastOffset?: boolean;
  paddingIdx?: number;
}
/** Sums, means or maxes bags of embeddings without materialising the per-index vectors. */
export class EmbeddingBag extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly mode: "sum" | "mean" | "max";
  readonly scaleGradByFreq: boolean;
  readonly includeLastOffset: boolean;
  readonly paddingIdx: number | null;
  weight: Parameter;
  constructor(numEmbeddings: number, embeddingDim: number, o: EmbeddingBagModuleOptions = {}) {
    super();
    this.numEmbeddings = checkInt("EmbeddingBag", "numEmbeddings", numEmbeddings, 1);
    this.embeddingDim = checkInt("EmbeddingBag", "embeddingDim", embeddingDim, 1);
    this.mode = o.mode ?? "mean";
    if (!["sum", "mean", "max"].includes(this.mode)) argError("EmbeddingBag", `mode must be 'sum', 'mean' or 'max', got ${String(o.mode)}`);
    this.scaleGradByFreq = o.scaleGradByFreq ?? false;
    this.includeLastOffset = o.includeLastOffset ?? false;
    this.paddingIdx =
      o.paddingIdx === undefined
        ? null
        : checkInt("EmbeddingBag", "paddingIdx", o.paddingIdx < 0 ? o.paddingIdx + numEmbeddings : o.paddingIdx, 0, numEmbeddings - 1);
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim]));
    this.resetParameters();
  }
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).zero_());
  }
  /** `input` [B, N] (one bag per row) or 1-D with `offsets`; `perSampleWeights` ('sum' mode) as input. */
  forward(input: Tensor, offsets?: Tensor | null, perSampleWeights?: Tensor | null): Tensor {
    return embeddingBag(input, this.weight, {
      offsets,
      perSampleWeights,
      mode: this.mode,
      scaleGradByFreq: this.scaleGradByFreq,
      includeLastOffset: this.includeLastOffset,
      paddingIdx: this.paddingIdx,
    });
  }
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.scaleGradByFreq) s += ", scale_grad_by_freq=True";
    s += `, mode=${this.mode}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}
