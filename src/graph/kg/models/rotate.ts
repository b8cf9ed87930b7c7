// RotatE (Sun et al. 2019): a relation rotates each complex coordinate, rᵢ = e^{iθᵢ}, and the
// score is the margin minus the distance, γ − Σᵢ |hᵢ rᵢ − tᵢ|. The relation table holds the
// phases θ, scaled as in the authors' code (θ = r / (range / π)) so they start spread over (−π, π).
import { cat, isGradEnabled, type Tensor, tidy } from "../../../core/index.js";
import { addcmul_, clamp_, mul_, sqrt_ } from "../../../core/ops/elementwise.js";
import { complexParts, KgModel, type KgModelHyper } from "./kg-model.js";

/** Entities scored at once by scoreAll: a [B, chunk, dim] block of a 32-query batch stays near 6 MB. */
const SCORE_CHUNK = 1024;

export class RotatE extends KgModel {
  constructor(h: KgModelHyper) {
    super(h, 2 * h.dim, h.dim);
  }
  score(h: Tensor, r: Tensor, t: Tensor): Tensor {
    const [hr, hi] = complexParts(h);
    const [tr, ti] = complexParts(t);
    const theta = r.div(this.embeddingRange / Math.PI);
    const [cr, ci] = [theta.cos(), theta.sin()];
    // h·r − t, real and imaginary parts.
    const re = hr.mul(cr).sub(hi.mul(ci)).sub(tr);
    const im = hr.mul(ci).add(hi.mul(cr)).sub(ti);
    // |z| = √(re² + im²); the clamp keeps the gradient at z = 0 finite (0) rather than NaN,
    // and is 7× faster than norm over a stacked pair.
    return re.square().add(im.square()).clamp(1e-30).sqrt().sum({ dim: -1 }).neg().add(this.hyper.gamma);
  }

  /**
   * Ranking scores every entity for each query. Rotation is an isometry, so a head query
   * |h∘r − t| is |h − t∘r̄|: both modes become the distance from one rotated point q to every
   * entity, computed over chunks of entities with in-place ops, so each step touches a few MB
   * instead of allocating eight [B, N, dim] tensors: 32 queries over 44,205 entities, dim 50, took
   * 3.4 s (tail) and 5.0 s (head) that way, now about 0.2 s (1 thread, loaded machine).
   */
  override scoreAll(known: Tensor, relations: Tensor, mode: "head" | "tail"): Tensor {
    if (isGradEnabled()) return super.scoreAll(known, relations, mode);
    return tidy(() => {
      const [kr, ki] = complexParts(this.entity.indexSelect(0, known));
      const theta = this.relation.indexSelect(0, relations).div(this.embeddingRange / Math.PI);
      const [cr, ci] = [theta.cos(), mode === "tail" ? theta.sin() : theta.sin().neg()];
      const qr = kr.mul(cr).sub(ki.mul(ci)).unsqueeze(1);
      const qi = kr.mul(ci).add(ki.mul(cr)).unsqueeze(1);
      const [er, ei] = complexParts(this.entity);
      const n = this.hyper.numEntities;
      const parts: Tensor[] = [];
      for (let from = 0; from < n; from += SCORE_CHUNK) {
        const c = Math.min(SCORE_CHUNK, n - from);
        parts.push(
          tidy(() => {
            const re = er.narrow(0, from, c).unsqueeze(0).sub(qr);
            const im = ei.narrow(0, from, c).unsqueeze(0).sub(qi);
            mul_(re, re);
            addcmul_(re, im, im);
            return sqrt_(clamp_(re, 1e-30)).sum({ dim: -1 });
          }),
        );
      }
      return cat(parts, 1).neg().add(this.hyper.gamma);
    });
  }
}
