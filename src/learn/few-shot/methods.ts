// The few-shot learners, each as an episode loss for the shared Trainer and an episode
// predictor for evaluation:
// - ProtoNet (Snell et al. 2017): a class's prototype is the mean embedding of its shots;
//   queries are classified by softmax over negative squared distances to the prototypes.
// - MAML (Finn et al. 2017): a few gradient steps on the support set from the meta-learned
//   weights, then the query loss of the adapted weights. Second order differentiates
//   through the inner steps (autograd.grad with createGraph); first order treats the inner
//   gradients as constants. The head is one learned vector shared by all N outputs
//   (UnicornMAML, Ye & Chao 2022), so a model meta-trained 5-way evaluates 20-way as is.

import { grad } from "../../core/autograd.js";
import { FlambeauError } from "../../core/errors.js";
import { cat, type Tensor, zeros } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { linear } from "../../core/ops/nn.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { Conv4 } from "../../vision/models/conv4.js";
import type { Episode } from "./episodes.js";

export const FEW_SHOT_MODELS = ["protonet", "maml"] as const;
export type FewShotModelName = (typeof FEW_SHOT_MODELS)[number];

/** Query logits [N·Q, N] from prototypes of the support embeddings. */
export function protoLogits(support: Tensor, query: Tensor, ways: number): Tensor {
  const d = support.shape[1]!;
  const protos = support.view([ways, -1, d]).mean({ dim: 1 });
  // −‖q − p‖² = 2 q·p − ‖p‖² − ‖q‖²
  const qp = query.matmul(protos.t()).mul(2);
  return qp.sub(protos.pow(2).sum({ dim: 1 }).unsqueeze(0)).sub(query.pow(2).sum({ dim: 1, keepdim: true }));
}

export class ProtoNet extends Module {
  readonly encoder: Conv4;
  constructor() {
    super();
    this.encoder = new Conv4();
  }
  override forward(x: Tensor): Tensor {
    return this.encoder.forward(x);
  }
  /** Query logits of an episode. Embeds support and queries in one batch (one set of batch statistics). */
  logits(e: Episode): Tensor {
    const n = e.support.shape[0]!;
    const z = this.encoder.forward(cat([e.support, e.query], 0));
    return protoLogits(z.narrow(0, 0, n), z.narrow(0, n, z.shape[0]! - n), e.ways);
  }
  loss(e: Episode): Tensor {
    return crossEntropy(this.logits(e), e.queryLabels);
  }
}

export interface MamlOptions {
  /** Inner-loop step size (Finn et al.'s Omniglot value, 0.4). */
  innerLr?: number;
  /** Inner steps while meta-training. */
  innerSteps?: number;
  firstOrder?: boolean;
}

export class Maml extends Module {
  readonly encoder: Conv4;
  readonly headWeight: Parameter;
  readonly headBias: Parameter;
  constructor() {
    super();
    this.encoder = new Conv4({ transductive: true });
    this.headWeight = new Parameter(zeros([1, 64]));
    this.headBias = new Parameter(zeros([1]));
  }
  /** The meta-learned weights: the encoder's, then the shared head row and bias. */
  weights(): Tensor[] {
    return [...this.encoder.weights(), this.headWeight, this.headBias];
  }
  /** Logits [B, ways] with the given weights (N-way head: the row replicated). */
  run(x: Tensor, w: readonly Tensor[], ways: number): Tensor {
    const h = this.encoder.forward(x, w.slice(0, 16));
    const head = w[16]!;
    const bias = w[17]!;
    // A model adapted on a support set carries an N-way head already.
    const W = head.shape[0] === ways ? head : head.expand([ways, head.shape[1]!]);
    const b = bias.shape[0] === ways ? bias : bias.expand([ways]);
    return linear(h, W, b);
  }
  override forward(x: Tensor): Tensor {
    return this.run(x, this.weights(), 1);
  }
  /** The weights after `steps` gradient steps on the support set. */
  adapt(e: Episode, o: Required<MamlOptions>, steps = o.innerSteps): Tensor[] {
    // Expanded to N rows first, so each class's row adapts on its own.
    const base = this.weights();
    let w = [...base.slice(0, 16), base[16]!.expand([e.ways, 64]), base[17]!.expand([e.ways])];
    for (let s = 0; s < steps; s++) {
      const loss = crossEntropy(this.run(e.support, w, e.ways), e.supportLabels);
      const g = grad(loss, w, { createGraph: !o.firstOrder });
      w = w.map((p, i) => p.sub(g[i]!.mul(o.innerLr)));
    }
    return w;
  }
  loss(e: Episode, o: Required<MamlOptions>): Tensor {
    return crossEntropy(this.run(e.query, this.adapt(e, o), e.ways), e.queryLabels);
  }
}

export function mamlOptions(o: MamlOptions = {}): Required<MamlOptions> {
  const r = { innerLr: o.innerLr ?? 0.4, innerSteps: o.innerSteps ?? 1, firstOrder: o.firstOrder ?? false };
  if (!(r.innerLr > 0)) throw new FlambeauError("E_ARG", `maml: innerLr must be positive, got ${r.innerLr}`);
  if (!Number.isInteger(r.innerSteps) || r.innerSteps < 1)
    throw new FlambeauError("E_ARG", `maml: innerSteps must be a positive integer, got ${r.innerSteps}`);
  return r;
}
