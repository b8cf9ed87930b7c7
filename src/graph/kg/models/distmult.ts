// DistMult (Yang et al. 2015): a diagonal bilinear form, ⟨h, r, t⟩ = Σᵢ hᵢ rᵢ tᵢ (symmetric in h and t).
import type { Tensor } from "../../../core/index.js";
import { KgModel, type KgModelHyper } from "./kg-model.js";

export class DistMult extends KgModel {
  constructor(h: KgModelHyper) {
    super(h, h.dim, h.dim);
  }
  score(h: Tensor, r: Tensor, t: Tensor): Tensor {
    return h.mul(r).mul(t).sum({ dim: -1 });
  }
  /** Every candidate at once as one matrix product, (h ∘ r) Eᵀ (the score is symmetric in h and t). */
  override scoreAll(known: Tensor, relations: Tensor): Tensor {
    return this.entity.indexSelect(0, known).mul(this.relation.indexSelect(0, relations)).matmul(this.entity.t());
  }
}
