// Bag-of-words logistic regression, the linear baseline: token ids → TF-IDF vector
// (log(1 + count) × idf, L2-normalised) → one linear layer trained with cross-entropy.
// The idf weights are a buffer fitted from the training set, saved with the weights.
import { ones, type Tensor, tensor, tidy, zeros } from "../../core/index.js";
import { Linear, Module } from "../../nn/index.js";
import { PAD_ID } from "./common.js";

export interface BowLogisticOptions {
  vocabSize: number;
  numClasses: number;
}

export class BowLogistic extends Module {
  readonly vocabSize: number;
  fc: Linear;
  constructor(o: BowLogisticOptions) {
    super();
    this.vocabSize = o.vocabSize;
    this.fc = new Linear(o.vocabSize, o.numClasses);
    this.registerBuffer("idf", ones([o.vocabSize]));
  }
  /** Sets idf = log((1 + N) / (1 + df)) + 1 (scikit-learn's smooth idf) from training id lists. */
  fitIdf(docs: readonly (readonly number[])[]): void {
    const df = new Float32Array(this.vocabSize);
    for (const d of docs) for (const id of new Set(d)) df[id]!++;
    const n = docs.length;
    this.setBuffer("idf", tensor(Float32Array.from(df, (v) => Math.log((1 + n) / (1 + v)) + 1)));
  }
  /** [B, T] ids → [B, V] TF-IDF features. */
  features(ids: Tensor): Tensor {
    return tidy(() => {
      const B = ids.shape[0]!;
      const counts = zeros([B, this.vocabSize]).scatterAdd(1, ids, ones(ids.shape));
      counts.narrow(1, PAD_ID, 1).zero_(); // padding is not a word
      const tf = counts.log1p();
      const x = tf.mul(this.getBuffer("idf")!);
      return x.div(x.norm(2, { dim: 1, keepdim: true }).clamp(1e-8));
    });
  }
  forward(ids: Tensor): Tensor {
    return tidy(() => this.fc.forward(this.features(ids)));
  }
}
