// GINConv (Xu et al.): x'_i = h_Θ((1 + ε) x_i + Σ_{j→i} x_j), h_Θ any module (an MLP); ε is a
// buffer "eps" unless trainEps makes it a parameter (PyG's layout).
import { type Tensor, tensor } from "../../core/index.js";
import type { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { MessagePassing } from "./message-passing.js";

export class GINConv extends MessagePassing {
  nn: Module;
  readonly initialEps: number;
  readonly trainEps: boolean;
  constructor(nn: Module, o: { eps?: number; trainEps?: boolean } = {}) {
    super({ aggr: "sum" });
    this.nn = nn;
    this.initialEps = o.eps ?? 0;
    this.trainEps = o.trainEps ?? false;
    const eps = tensor([this.initialEps]);
    if (this.trainEps) this.registerParameter("eps", new Parameter(eps));
    else this.registerBuffer("eps", eps);
  }
  get eps(): Tensor {
    return this.trainEps ? this.getParameter("eps")! : this.getBuffer("eps")!;
  }
  forward(x: Tensor, edgeIndex: Tensor): Tensor {
    const agg = this.propagate(edgeIndex, x);
    const h = agg.add(x.mul(this.eps.add(1)));
    return (this.nn as unknown as { forward(t: Tensor): Tensor }).forward(h);
  }
  override extraRepr(): string {
    return `eps=${this.initialEps}, train_eps=${this.trainEps}`;
  }
}
