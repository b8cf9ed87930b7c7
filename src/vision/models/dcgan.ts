// A class-conditional DCGAN (Radford et al. 2016) for small images: a generator of transposed
// convolutions with batch norm, the class embedded and concatenated to z; a discriminator whose
// every layer is spectrally normalised (Miyato et al. 2018: a 1-Lipschitz critic without a
// gradient penalty) with the projection head of Miyato & Koyama 2018, D(x, y) = ψ(φ(x)) +
// ⟨embed(y), φ(x)⟩: the class enters as an inner product with D's features rather than as an
// input channel, which their paper found trains sharper class-conditional models. Hinge loss
// (Lim & Ye 2017; the SN-GAN and BigGAN choice).
import { FlambeauError } from "../../core/errors.js";
import { cat, randn, type Tensor } from "../../core/index.js";
import { BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, Embedding, functional as F, Linear, Module } from "../../nn/index.js";
import { spectralNorm } from "../../nn/utils/spectral-norm.js";
import { checkImageShape } from "./cvae.js";

export interface DcganOptions {
  /** Image channels (1 grey, 3 RGB). */
  channels: number;
  /** Image side, a multiple of 4 (two stride-2 stages). */
  size: number;
  classes: number;
  /** Dimensions of z (default 64). */
  latent?: number;
  /** Channels of the generator's last stage (default 64; the one before has twice as many). */
  width?: number;
  /** Channels of the discriminator's first conv (default 64; the second has twice as many). */
  discriminatorWidth?: number;
  /** Units of the discriminator's dense layer, where the class is projected (default 256). */
  discriminatorHidden?: number;
}

/** G(z, y): [z, embed(y)] → linear to 2w × S/4 × S/4 → two ×2 transposed convs → tanh, in [−1, 1]. */
export class DcganGenerator extends Module {
  readonly latent: number;
  readonly width: number;
  readonly size: number;
  readonly embed: Embedding;
  readonly project: Linear;
  readonly bn0: BatchNorm1d;
  readonly deconv1: ConvTranspose2d;
  readonly bn1: BatchNorm2d;
  readonly deconv2: ConvTranspose2d;
  constructor(o: DcganOptions) {
    super();
    checkImageShape("DcganGenerator", o);
    this.latent = positive("DcganGenerator", "latent", o.latent ?? 64);
    this.width = positive("DcganGenerator", "width", o.width ?? 64);
    this.size = o.size;
    const w = this.width;
    const flat = 2 * w * (o.size / 4) ** 2;
    this.embed = new Embedding(o.classes, this.latent);
    this.project = new Linear(2 * this.latent, flat, { bias: false });
    this.bn0 = new BatchNorm1d(flat);
    this.deconv1 = new ConvTranspose2d(2 * w, w, 4, { stride: 2, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(w);
    this.deconv2 = new ConvTranspose2d(w, o.channels, 4, { stride: 2, padding: 1 });
  }
  forward(z: Tensor, y: Tensor): Tensor {
    const s = this.size / 4;
    const h = F.relu(this.bn0.forward(this.project.forward(cat([z, this.embed.forward(y)], 1)))).reshape([-1, 2 * this.width, s, s]);
    return this.deconv2.forward(F.relu(this.bn1.forward(this.deconv1.forward(h)))).tanh();
  }
}

/**
 * D(x, y) = ψ(φ(x)) + ⟨embed(y), φ(x)⟩: one unbounded score per image, high for real. φ is DCGAN's
 * two stride-2 convs and a dense layer over the whole S/4 × S/4 map (SN-GAN's global sum pooling
 * suits deep ResNets; after two convs it would leave D judging 10 px patches, not whole garments).
 */
export class ProjectionDiscriminator extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly dense: Linear;
  readonly psi: Linear;
  readonly embed: Embedding;
  constructor(o: DcganOptions) {
    super();
    checkImageShape("ProjectionDiscriminator", o);
    const w = positive("ProjectionDiscriminator", "discriminatorWidth", o.discriminatorWidth ?? 64);
    const hidden = positive("ProjectionDiscriminator", "discriminatorHidden", o.discriminatorHidden ?? 256);
    this.conv1 = spectralNorm(new Conv2d(o.channels, w, 4, { stride: 2, padding: 1 }));
    this.conv2 = spectralNorm(new Conv2d(w, 2 * w, 4, { stride: 2, padding: 1 }));
    this.dense = spectralNorm(new Linear(2 * w * (o.size / 4) ** 2, hidden));
    this.psi = spectralNorm(new Linear(hidden, 1));
    this.embed = spectralNorm(new Embedding(o.classes, hidden));
  }
  /** φ(x) [B, hidden]. */
  features(x: Tensor): Tensor {
    const h = F.leakyRelu(this.conv2.forward(F.leakyRelu(this.conv1.forward(x), 0.1)), 0.1);
    return F.leakyRelu(this.dense.forward(h.flatten(1)), 0.1);
  }
  forward(x: Tensor, y: Tensor): Tensor {
    const h = this.features(x);
    return this.psi
      .forward(h)
      .squeeze(1)
      .add(
        this.embed
          .forward(y)
          .mul(h)
          .sum({ dim: [1] }),
      );
  }
}

/** The pair, so that one state dict and one train/eval switch hold both. */
export class ConditionalDcgan extends Module {
  readonly generator: DcganGenerator;
  readonly discriminator: ProjectionDiscriminator;
  readonly latent: number;
  constructor(o: DcganOptions) {
    super();
    this.generator = new DcganGenerator(o);
    this.discriminator = new ProjectionDiscriminator(o);
    this.latent = this.generator.latent;
  }
  /** Images of classes y [B] from z ~ N(0, I), in [−1, 1]. */
  forward(y: Tensor): Tensor {
    return this.generator.forward(randn([y.shape[0]!, this.latent]), y);
  }
}

/** The hinge loss of the discriminator: E[max(0, 1 − D(real))] + E[max(0, 1 + D(fake))]. */
export function hingeDiscriminatorLoss(real: Tensor, fake: Tensor): Tensor {
  return F.relu(real.neg().add(1))
    .mean()
    .add(F.relu(fake.add(1)).mean());
}

/** The hinge loss of the generator: −E[D(G(z, y), y)]. */
export function hingeGeneratorLoss(fake: Tensor): Tensor {
  return fake.mean().neg();
}

function positive(op: string, name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new FlambeauError("E_ARG", `${op}: ${name} must be a positive integer, got ${v}`);
  return v;
}
