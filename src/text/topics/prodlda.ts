// ProdLDA (Srivastava & Sutton 2017, "Autoencoding Variational Inference for Topic Models"):
// an inference network maps a document's bag of words to a logistic-normal posterior over
// topic proportions θ (the Laplace approximation of a Dirichlet(α = 1) prior in the softmax
// basis: mean 0, variance 1 − 1/K), and the decoder is a product of experts,
// p(w | θ) = softmax(BN(θ β)), with β [K, V] unnormalised topic–word weights.
// Loss = −Σ_w n_w log p(w | θ) + KL(q(z | d) ‖ prior), the ELBO's negative.
import { FlambeauError } from "../../core/errors.js";
import { noGrad, randnLike, softplus, type Tensor, tidy } from "../../core/index.js";
import { BatchNorm1d, Dropout, Linear, Module } from "../../nn/index.js";

export interface ProdLdaOptions {
  vocabSize: number;
  topics: number;
  hidden?: number;
  dropout?: number;
}

export class ProdLda extends Module {
  fc1: Linear;
  fc2: Linear;
  mu: Linear;
  logvar: Linear;
  muBn: BatchNorm1d;
  logvarBn: BatchNorm1d;
  beta: Linear;
  decBn: BatchNorm1d;
  drop: Dropout;
  readonly priorVar: number;
  constructor(readonly o: ProdLdaOptions) {
    super();
    const h = o.hidden ?? 100;
    this.fc1 = new Linear(o.vocabSize, h);
    this.fc2 = new Linear(h, h);
    this.mu = new Linear(h, o.topics);
    this.logvar = new Linear(h, o.topics);
    this.muBn = new BatchNorm1d(o.topics, { affine: false });
    this.logvarBn = new BatchNorm1d(o.topics, { affine: false });
    this.beta = new Linear(o.topics, o.vocabSize, { bias: false });
    this.decBn = new BatchNorm1d(o.vocabSize, { affine: false });
    this.drop = new Dropout(o.dropout ?? 0.2);
    // Laplace approximation of Dirichlet(1): σ0² = (1/α)(1 − 2/K) + (1/K²) Σ 1/α = 1 − 1/K.
    this.priorVar = 1 - 1 / o.topics;
  }
  /** The posterior's mean and log-variance [B, K] of bag-of-words counts [B, V]. */
  encode(bow: Tensor): { mu: Tensor; logvar: Tensor } {
    return tidy(() => {
      const h = this.drop.forward(softplus(this.fc2.forward(softplus(this.fc1.forward(bow)))));
      return { mu: this.muBn.forward(this.mu.forward(h)), logvar: this.logvarBn.forward(this.logvar.forward(h)) };
    });
  }
  /** Mean negative ELBO per document of a batch of counts [B, V] (θ sampled once per document). */
  forward(bow: Tensor): Tensor {
    return tidy(() => {
      const { mu, logvar } = this.encode(bow);
      const z = this.training ? mu.add(logvar.mul(0.5).exp().mul(randnLike(mu))) : mu;
      const logp = this.decode(this.drop.forward(z.softmax(1)));
      const rec = bow.mul(logp).sum({ dim: 1 }).neg();
      const v0 = this.priorVar;
      const kl = logvar.exp().div(v0).add(mu.pow(2).div(v0)).sub(1).add(Math.log(v0)).sub(logvar).sum({ dim: 1 }).mul(0.5);
      return rec.add(kl).mean();
    });
  }
  /** log p(w | θ) [B, V] of topic proportions θ [B, K]: the product of experts. */
  decode(theta: Tensor): Tensor {
    return tidy(() => this.decBn.forward(this.beta.forward(theta)).logSoftmax(1));
  }
  /** Topic proportions θ [B, K] of bag-of-words counts [B, V]: the posterior mean's softmax. */
  theta(bow: Tensor): Tensor {
    return tidy(() => this.encode(bow).mu.softmax(1));
  }
  /**
   * Each topic's decoder logits [K][V], BN(e_k β) with the running statistics (eval mode): the
   * log-probabilities, up to a constant, that topic k alone gives the words, p(w | θ = e_k).
   * Ranking words by these rather than by β itself takes the normalisation the decoder applies
   * into account (on the package descriptions' unused DDTP "val" side, NPMI 0.122 against 0.089).
   */
  topicLogits(): Float32Array[] {
    if (this.training)
      throw new FlambeauError("E_STATE", "ProdLda.topicLogits: call eval() first (it uses the running statistics)", "prodlda");
    const data = noGrad(() => tidy(() => this.decBn.forward(this.beta.weight.t()).data() as Float32Array)) as Float32Array;
    const V = this.o.vocabSize;
    return Array.from({ length: this.o.topics }, (_, k) => data.slice(k * V, (k + 1) * V));
  }
  /** Topic–word weights [K][V] (the decoder's β). */
  topicWord(): Float32Array[] {
    const w = this.beta.weight.t().contiguous();
    const data = w.data() as Float32Array;
    w.dispose();
    const V = this.o.vocabSize;
    return Array.from({ length: this.o.topics }, (_, k) => data.slice(k * V, (k + 1) * V));
  }
}
