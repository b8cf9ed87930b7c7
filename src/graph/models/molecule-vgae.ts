// A variational graph auto-encoder for small molecules (Kipf & Welling 2016, with an atom-type
// head): a GIN encoder gives each atom a Gaussian latent; an inner-product decoder scores
// every atom pair as bonded, and a linear head names each atom's element. Sampling draws
// latents from the prior; see molecules/generate.ts for training and validity.
import { randn, type Tensor, tensor } from "../../core/index.js";
import { ReLU } from "../../nn/activation.js";
import { ModuleList, Sequential } from "../../nn/container.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { GINConv } from "../conv/gin-conv.js";

export interface MoleculeVgaeHyper {
  inChannels: number;
  hidden: number;
  latent: number;
  /** Element classes of the atom-type head. */
  elements: number;
}

export class MoleculeVGAE extends Module {
  readonly hyper: MoleculeVgaeHyper;
  convs: ModuleList;
  mu: Linear;
  logstd: Linear;
  atomHead: Linear;
  constructor(h: MoleculeVgaeHyper) {
    super();
    this.hyper = h;
    const mlp = (i: number) => new Sequential(new Linear(i, h.hidden), new ReLU(), new Linear(h.hidden, h.hidden));
    this.convs = new ModuleList([new GINConv(mlp(h.inChannels)), new GINConv(mlp(h.hidden))]);
    this.mu = new Linear(h.hidden, h.latent);
    this.logstd = new Linear(h.hidden, h.latent);
    this.atomHead = new Linear(h.latent, h.elements);
    // Bias of the pair logits: molecules are sparse, most pairs are not bonded.
    this.registerParameter("edge_bias", new Parameter(tensor([-2])));
  }
  encode(x: Tensor, edgeIndex: Tensor): { mu: Tensor; logstd: Tensor } {
    let h = x;
    for (const c of this.convs) h = (c as GINConv).forward(h, edgeIndex).relu();
    return { mu: this.mu.forward(h), logstd: this.logstd.forward(h).clamp(-10, 5) };
  }
  /** Reparameterised sample (training) or the mean (eval). */
  latent(mu: Tensor, logstd: Tensor): Tensor {
    return this.training ? mu.add(logstd.exp().mul(randn(mu.shape))) : mu;
  }
  /** Bond logits of atom pairs (rows of z indexed by a and b). */
  pairLogits(z: Tensor, a: Tensor, b: Tensor): Tensor {
    return z.indexSelect(0, a).mul(z.indexSelect(0, b)).sum({ dim: 1 }).add(this.getParameter("edge_bias")!);
  }
  atomLogits(z: Tensor): Tensor {
    return this.atomHead.forward(z);
  }
  /** The latents of a (batched) molecule graph: sampled in training, the means in eval. */
  forward(x: Tensor, edgeIndex: Tensor): Tensor {
    const { mu, logstd } = this.encode(x, edgeIndex);
    return this.latent(mu, logstd);
  }
}
