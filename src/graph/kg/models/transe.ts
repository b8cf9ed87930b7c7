// TransE (Bordes et al. 2013): a relation is a translation, h + r ≈ t; the score is the margin
// minus the L1 distance, γ − ‖h + r − t‖₁ (the norm RotatE's authors report TransE with).
import { isGradEnabled, type Tensor, tidy } from "../../../core/index.js";
import { cdist } from "../../../core/ops/linalg.js";
import { KgModel, type KgModelHyper } from "./kg-model.js";

export class TransE extends KgModel {
  constructor(h: KgModelHyper) {
    super(h, h.dim, h.dim);
  }
  score(h: Tensor, r: Tensor, t: Tensor): Tensor {
    return h.add(r).sub(t).abs().sum({ dim: -1 }).neg().add(this.hyper.gamma);
  }

  /**
   * Ranking: ‖h + r − t‖₁ is the L1 distance from q = h + r (tail queries) or q = t − r (head
   * queries) to every entity, which cdist computes without a [B, N, dim] intermediate.
   */
  override scoreAll(known: Tensor, relations: Tensor, mode: "head" | "tail"): Tensor {
    if (isGradEnabled()) return super.scoreAll(known, relations, mode);
    return tidy(() => {
      const k = this.entity.indexSelect(0, known);
      const r = this.relation.indexSelect(0, relations);
      const q = mode === "tail" ? k.add(r) : k.sub(r);
      return cdist(q, this.entity, 1).neg().add(this.hyper.gamma);
    });
  }
}
