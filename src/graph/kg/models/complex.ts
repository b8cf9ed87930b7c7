// ComplEx (Trouillon et al. 2016): DistMult over complex numbers, Re(⟨h, r, t̄⟩), which can
// model antisymmetric relations. Expanded into real and imaginary parts:
// Re⟨h, r, t̄⟩ = Σ hᵣ rᵣ tᵣ + hᵢ rᵣ tᵢ + hᵣ rᵢ tᵢ − hᵢ rᵢ tᵣ.
import { cat, type Tensor } from "../../../core/index.js";
import { complexParts, KgModel, type KgModelHyper } from "./kg-model.js";

export class ComplEx extends KgModel {
  constructor(h: KgModelHyper) {
    super(h, 2 * h.dim, 2 * h.dim);
  }
  score(h: Tensor, r: Tensor, t: Tensor): Tensor {
    const [hr, hi] = complexParts(h);
    const [rr, ri] = complexParts(r);
    const [tr, ti] = complexParts(t);
    return hr.mul(rr).mul(tr).add(hi.mul(rr).mul(ti)).add(hr.mul(ri).mul(ti)).sub(hi.mul(ri).mul(tr)).sum({ dim: -1 });
  }
  /**
   * Every candidate at once as one matrix product: the score is linear in the missing entity,
   * Re⟨h, r, t̄⟩ = [hᵣrᵣ − hᵢrᵢ, hᵣrᵢ + hᵢrᵣ] · [tᵣ, tᵢ] = [rᵣtᵣ + rᵢtᵢ, rᵣtᵢ − rᵢtᵣ] · [hᵣ, hᵢ].
   */
  override scoreAll(known: Tensor, relations: Tensor, mode: "head" | "tail"): Tensor {
    const [er, ei] = complexParts(this.entity.indexSelect(0, known));
    const [rr, ri] = complexParts(this.relation.indexSelect(0, relations));
    const q =
      mode === "tail"
        ? cat([er.mul(rr).sub(ei.mul(ri)), er.mul(ri).add(ei.mul(rr))], 1)
        : cat([rr.mul(er).add(ri.mul(ei)), rr.mul(ei).sub(ri.mul(er))], 1);
    return q.matmul(this.entity.t());
  }
}
