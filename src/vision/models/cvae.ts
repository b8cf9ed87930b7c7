// A class-conditional VAE (Sohn et al. 2015's CVAE on Kingma & Welling 2014's VAE) for small
// images: a strided-conv encoder q(z | x, y) and a transposed-conv decoder p(x | z, y), the label
// one-hot concatenated to the encoder's flattened features and to z (each followed by a hidden
// dense layer), and as constant channels to the input of each of the decoder's transposed convs.
// With the label entering the decoder once, beside z, samples drawn from the prior mixed the
// classes (shirts in the sandals' row): z had learnt the class, and the prior's z ignores it.
// Feeding the label to every decoder stage was not enough on Fashion-MNIST: decoded at z = 0,
// the dress, coat, sandal and shirt rows were still judged as other classes, since z carries
// the shape and the shapes overlap across classes. So with `prior: "class"` the prior is the
// label's own, p(z | y) = N(μ_y, diag σ_y²) with μ_y and log σ_y² learnt (Sohn et al.'s CVAE
// conditions its prior on what is given; here what is given is y): the KL term pulls each
// class's codes to its own region and samples are drawn there. It starts as N(0, I). The likelihood is
// Bernoulli on intensities in [0, 1] (the classic choice on MNIST-like data: the decoder's
// logits and binary cross-entropy); samples show the decoder's mean, sigmoid(logits), since
// Bernoulli draws of grey pixels would be salt and pepper.
import { FlambeauError } from "../../core/errors.js";
import { cat, randn, type Tensor } from "../../core/index.js";
import { checkEnum } from "../../core/validate.js";
import { Conv2d, ConvTranspose2d, Embedding, functional as F, init, Linear, Module } from "../../nn/index.js";

/** p(z): N(0, I), or learnt per class. */
export const VAE_PRIORS = ["standard", "class"] as const;
export type VaePrior = (typeof VAE_PRIORS)[number];

export interface ConditionalVaeOptions {
  /** Image channels (1 grey, 3 RGB). */
  channels: number;
  /** Image side, a multiple of 4 (two stride-2 stages). */
  size: number;
  classes: number;
  /** Dimensions of z (default 16). */
  latent?: number;
  /** Channels of the first conv stage (default 32; the second has twice as many). */
  width?: number;
  /** Units of the encoder's and the decoder's hidden layers (default 256). */
  hidden?: number;
  /** p(z): N(0, I) ("standard", the default: models saved before the class prior) or learnt per class ("class"). */
  prior?: VaePrior;
}

/** The parts of the negative ELBO, each averaged over the batch (nats per image). */
export interface VaeLoss {
  /** −log p(x | z, y) + KL(q(z | x, y) ‖ N(0, I)). */
  loss: Tensor;
  reconstruction: Tensor;
  kl: Tensor;
}

/**
 * KL(N(μ, σ²) ‖ N(0, I)) per row: ½ Σ (μ² + σ² − 1 − log σ²), with logVar = log σ² [B, D] → [B].
 * Closed form, so the ELBO's only Monte Carlo term is the reconstruction. With a prior
 * N(μ_p, σ_p²) instead: ½ Σ (log σ_p² − log σ² + (σ² + (μ − μ_p)²) / σ_p² − 1).
 */
export function gaussianKl(mean: Tensor, logVar: Tensor, prior?: { mean: Tensor; logVar: Tensor }): Tensor {
  if (!prior)
    return mean
      .mul(mean)
      .add(logVar.exp())
      .sub(1)
      .sub(logVar)
      .sum({ dim: [1] })
      .mul(0.5);
  return logVar
    .exp()
    .add(mean.sub(prior.mean).square())
    .div(prior.logVar.exp())
    .add(prior.logVar)
    .sub(logVar)
    .sub(1)
    .sum({ dim: [1] })
    .mul(0.5);
}

export class ConditionalVae extends Module {
  readonly channels: number;
  readonly size: number;
  readonly classes: number;
  readonly latent: number;
  readonly width: number;
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly hidden: Linear;
  readonly toMean: Linear;
  readonly toLogVar: Linear;
  readonly fromLatent: Linear;
  readonly toMap: Linear;
  readonly deconv1: ConvTranspose2d;
  readonly deconv2: ConvTranspose2d;
  /** μ_y and log σ_y² of the class prior, one row per class (null: N(0, I)). */
  readonly priorMean: Embedding | null;
  readonly priorLogVar: Embedding | null;
  constructor(o: ConditionalVaeOptions) {
    super();
    checkImageShape("ConditionalVae", o);
    this.channels = o.channels;
    this.size = o.size;
    this.classes = o.classes;
    this.latent = o.latent ?? 16;
    this.width = o.width ?? 32;
    const hidden = o.hidden ?? 256;
    for (const [k, v] of [
      ["latent", this.latent],
      ["width", this.width],
      ["hidden", hidden],
    ] as const)
      if (!Number.isSafeInteger(v) || v < 1) throw new FlambeauError("E_ARG", `ConditionalVae: ${k} must be a positive integer, got ${v}`);
    const w = this.width;
    const flat = 2 * w * (o.size / 4) ** 2;
    this.conv1 = new Conv2d(o.channels, w, 4, { stride: 2, padding: 1 });
    this.conv2 = new Conv2d(w, 2 * w, 4, { stride: 2, padding: 1 });
    this.hidden = new Linear(flat + o.classes, hidden);
    this.toMean = new Linear(hidden, this.latent);
    this.toLogVar = new Linear(hidden, this.latent);
    this.fromLatent = new Linear(this.latent + o.classes, hidden);
    this.toMap = new Linear(hidden, flat);
    this.deconv1 = new ConvTranspose2d(2 * w + o.classes, w, 4, { stride: 2, padding: 1 });
    this.deconv2 = new ConvTranspose2d(w + o.classes, o.channels, 4, { stride: 2, padding: 1 });
    const prior = checkEnum("ConditionalVae", "prior", o.prior ?? "standard", VAE_PRIORS);
    this.priorMean = prior === "class" ? new Embedding(o.classes, this.latent) : null;
    this.priorLogVar = prior === "class" ? new Embedding(o.classes, this.latent) : null;
    for (const e of [this.priorMean, this.priorLogVar]) if (e) init.zeros_(e.weight);
  }

  /** p(z | y)'s mean and log-variance [B, latent] (null for the standard prior). */
  prior(y: Tensor): { mean: Tensor; logVar: Tensor } | null {
    if (!this.priorMean || !this.priorLogVar) return null;
    return { mean: this.priorMean.forward(y), logVar: this.priorLogVar.forward(y) };
  }

  /** q(z | x, y): the mean and log-variance of z for images x ∈ [0, 1] [B, C, S, S] and labels y [B]. */
  encode(x: Tensor, y: Tensor): { mean: Tensor; logVar: Tensor } {
    const h = F.relu(this.conv2.forward(F.relu(this.conv1.forward(x)))).flatten(1);
    const e = F.relu(this.hidden.forward(cat([h, this.oneHot(y)], 1)));
    return { mean: this.toMean.forward(e), logVar: this.toLogVar.forward(e) };
  }

  /** p(x | z, y): the Bernoulli logits of every pixel [B, C, S, S]. */
  decode(z: Tensor, y: Tensor): Tensor {
    const s = this.size / 4;
    const onehot = this.oneHot(y);
    const e = F.relu(this.fromLatent.forward(cat([z, onehot], 1)));
    const h = F.relu(this.toMap.forward(e)).reshape([-1, 2 * this.width, s, s]);
    const h2 = F.relu(this.deconv1.forward(withLabelMaps(h, onehot)));
    return this.deconv2.forward(withLabelMaps(h2, onehot));
  }

  /** The reparameterised pass: z = μ + σ·ε, ε ~ N(0, I), decoded to logits. */
  forward(x: Tensor, y: Tensor): { logits: Tensor; mean: Tensor; logVar: Tensor } {
    const { mean, logVar } = this.encode(x, y);
    const z = mean.add(logVar.mul(0.5).exp().mul(randn(mean.shape)));
    return { logits: this.decode(z, y), mean, logVar };
  }

  /** The negative ELBO of images x ∈ [0, 1] with labels y, one z sample per image. */
  loss(x: Tensor, y: Tensor): VaeLoss {
    const { logits, mean, logVar } = this.forward(x, y);
    const b = x.shape[0]!;
    const reconstruction = F.binaryCrossEntropyWithLogits(logits, x, { reduction: "sum" }).div(b);
    const kl = gaussianKl(mean, logVar, this.prior(y) ?? undefined).mean();
    return { loss: reconstruction.add(kl), reconstruction, kl };
  }

  /** Images of classes y [B] decoded from z ~ p(z | y) (N(0, I) for the standard prior): the decoder's mean in [0, 1]. */
  sample(y: Tensor): Tensor {
    const eps = randn([y.shape[0]!, this.latent]);
    const p = this.prior(y);
    return this.decode(p ? p.mean.add(p.logVar.mul(0.5).exp().mul(eps)) : eps, y).sigmoid();
  }

  private oneHot(y: Tensor): Tensor {
    return F.oneHot(y, this.classes).float();
  }
}

/** x [B, C, H, W] with the one-hot labels [B, K] appended as K constant channels. */
function withLabelMaps(x: Tensor, onehot: Tensor): Tensor {
  const [b, , hgt, wdt] = x.shape as [number, number, number, number];
  return cat([x, onehot.reshape([b, -1, 1, 1]).expand([b, onehot.shape[1]!, hgt, wdt])], 1);
}

/** The image shapes the two-stage models take: C ∈ {1, 3}, a side that halves twice, ≥ 2 classes. */
export function checkImageShape(op: string, o: { channels: number; size: number; classes: number }): void {
  if (o.channels !== 1 && o.channels !== 3) throw new FlambeauError("E_ARG", `${op}: channels must be 1 or 3, got ${o.channels}`);
  if (!Number.isSafeInteger(o.size) || o.size < 8 || o.size % 4 !== 0 || o.size > 128)
    throw new FlambeauError("E_ARG", `${op}: size must be a multiple of 4 in [8, 128] (it halves twice), got ${o.size}`);
  if (!Number.isSafeInteger(o.classes) || o.classes < 1 || o.classes > 1000)
    throw new FlambeauError("E_ARG", `${op}: classes must be an integer in [1, 1000], got ${o.classes}`);
}
