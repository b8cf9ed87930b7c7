// TransE (Bordes et al. 2013): a relation is a translation, h + r ≈ t; the score is the margin
// minus the L1 distance, γ − ‖h + r − t‖₁ (the norm RotatE's authors report TransE with).
import type { Tensor } from "../../../core/index.js";
import { KgModel, type KgModelHyper } from "./kg-model.js";

export class TransE extends KgModel {
  constructor(h: KgModelHyper) {
    super(h, h.dim, h.dim);
  }
  score(h: Tensor, r: Tensor, t: Tensor): Tensor {
    return h.add(r).sub(t).abs().sum({ dim: -1 }).neg().add(this.hyper.gamma);
  }
}
