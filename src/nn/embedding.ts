// Embedding: a lookup table of learned vectors; the padding row gets no gradient.
import { argError } from "../core/errors.js";
import { empty, noGrad, type Tensor } from "../core/index.js";
import { embedding } from "../core/ops/nn.js";
import { checkInt } from "../core/validate.js";
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
