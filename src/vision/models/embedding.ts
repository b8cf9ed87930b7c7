// An embedding CNN for retrieval: three conv-BN-ReLU stages, global average pooling and a
// linear projection to unit-length vectors; and the CosFace head (Wang et al. 2018) that
// trains it as a normalised softmax with an additive cosine margin.

import { aten } from "../../core/aten.js";
import { callT } from "../../core/dispatch.js";
import type { Tensor } from "../../core/index.js";
import { empty } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { adaptiveAvgPool2d } from "../../core/ops/nn.js";
import {
  AdaptiveAvgPool2d,
  BatchNorm2d,
  Conv2d,
  Flatten,
  init,
  Linear,
  MaxPool2d,
  Module,
  Parameter,
  ReLU,
  Sequential,
} from "../../nn/index.js";
import { normalizeRows } from "../retrieval/knn.js";
import { initConvNet } from "./init.js";

export interface EmbeddingCNNOptions {
  inChannels?: number;
  /** Embedding size. */
  dim?: number;
  width?: number;
}

const block = (i: number, o: number): Module[] => [new Conv2d(i, o, 3, { padding: 1, bias: false }), new BatchNorm2d(o), new ReLU()];

export class EmbeddingCNN extends Module {
  readonly features: Sequential;
  readonly embed: Linear;
  readonly dim: number;
  constructor(o: EmbeddingCNNOptions = {}) {
    super();
    const w = o.width ?? 32;
    this.dim = o.dim ?? 64;
    this.features = new Sequential(
      ...block(o.inChannels ?? 1, w),
      ...block(w, w),
      new MaxPool2d(2),
      ...block(w, 2 * w),
      ...block(2 * w, 2 * w),
      new MaxPool2d(2),
      ...block(2 * w, 4 * w),
      new AdaptiveAvgPool2d(1),
      new Flatten(),
    );
    this.embed = new Linear(4 * w, this.dim);
    initConvNet(this);
  }
  /** Unit-length embeddings [N, dim]. */
  forward(x: Tensor): Tensor {
    return normalizeRows(this.embed.forward(this.features.forward(x)));
  }
  /**
   * Unit-length descriptors that keep the layout: the last conv map (average-pooled to at
   * most 7×7), flattened. For classes never trained on, where the projection has learned
   * nothing specific, this transfers better than the pooled 64-d embedding (measured on
   * Fashion-MNIST's held-out classes; see the task).
   */
  spatial(x: Tensor): Tensor {
    const mods = [...this.features];
    let y = x;
    // features ends with AdaptiveAvgPool2d(1) and Flatten: stop before them.
    for (const m of mods.slice(0, -2)) y = (m as Sequential).forward(y);
    if (y.shape[2]! > 7 || y.shape[3]! > 7) y = adaptiveAvgPool2d(y, [Math.min(7, y.shape[2]!), Math.min(7, y.shape[3]!)]);
    return normalizeRows(y.flatten(1));
  }
}

export type Descriptor = "spatial" | "embedding";

/** The model as an Embedder producing the chosen descriptor. */
export const descriptorOf = (m: EmbeddingCNN, kind: Descriptor) => ({
  eval: () => m.eval(),
  forward: (x: Tensor) => (kind === "spatial" ? m.spatial(x) : m.forward(x)),
});

const ONE_HOT = aten("one_hot");

/** CosFace: logits s·(cos θ − m·[class = label]) over unit-length class weights. */
export class CosFaceLoss extends Module {
  readonly weight: Parameter;
  constructor(
    dim: number,
    readonly numClasses: number,
    readonly s = 16,
    readonly m = 0.2,
  ) {
    super();
    this.weight = new Parameter(empty([numClasses, dim]));
    init.xavierUniform_(this.weight);
  }
  forward(emb: Tensor, labels: Tensor): Tensor {
    const cos = emb.matmul(normalizeRows(this.weight).t());
    const margin = callT(ONE_HOT, labels, this.numClasses).float().mul(this.m);
    return crossEntropy(cos.sub(margin).mul(this.s), labels);
  }
}

/** The embedding network and its CosFace head as one module: the trainer (and data parallelism) sees both. */
export class CosFaceTraining extends Module {
  constructor(
    readonly net: EmbeddingCNN,
    readonly head: CosFaceLoss,
  ) {
    super();
  }
  forward(x: Tensor, labels: Tensor): Tensor {
    return this.head.forward(this.net.forward(x), labels);
  }
}
