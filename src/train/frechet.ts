// The Fréchet distance between two Gaussians fitted to feature sets (Heusel et al. 2017's FID
// when the features are Inception's; here any feature extractor's): ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ −
// 2(Σ₁^½ Σ₂ Σ₁^½)^½). The matrix square roots are exact, from libtorch's symmetric eigensolver
// in float64: Σ₁^½ from Σ₁'s eigenpairs, and tr((Σ₁^½ Σ₂ Σ₁^½)^½) as the sum of the square roots
// of that symmetric PSD product's eigenvalues (tiny negative ones, round-off, clamped to zero).
// pytorch-fid takes scipy's sqrtm of the non-symmetric Σ₁Σ₂, which has the same trace.
import { FlambeauError } from "../core/errors.js";
import { eigh, type Tensor, tidy } from "../core/index.js";

export interface FeatureGaussian {
  /** float64 [D] */
  mean: Tensor;
  /** float64 [D, D], the unbiased (N − 1) covariance. */
  cov: Tensor;
}

/** Mean and covariance of features [N, D] (N ≥ 2), in float64. */
export function featureGaussian(features: Tensor): FeatureGaussian {
  if (features.ndim !== 2 || features.shape[0]! < 2)
    throw new FlambeauError(
      "E_SHAPE",
      `frechet: features must be [N, D] with N ≥ 2, got ${JSON.stringify(features.shape)}`,
      "featureGaussian",
    );
  return tidy(() => {
    const x = features.double();
    const mean = x.mean({ dim: [0] });
    const c = x.sub(mean.unsqueeze(0));
    return {
      mean,
      cov: c
        .t()
        .matmul(c)
        .div(features.shape[0]! - 1),
    };
  });
}

/** V·diag(√max(λ, 0))·Vᵀ of a symmetric PSD matrix. */
function sqrtPsd(s: Tensor): Tensor {
  return tidy(() => {
    const { eigenvalues, eigenvectors } = eigh(s);
    return eigenvectors.mul(eigenvalues.clamp(0).sqrt().unsqueeze(0)).matmul(eigenvectors.t());
  });
}

/** The Fréchet distance between two Gaussians of the same dimension. */
export function frechetDistance(a: FeatureGaussian, b: FeatureGaussian): number {
  const d = a.mean.shape[0]!;
  if (b.mean.shape[0] !== d || a.cov.shape[0] !== d || b.cov.shape[0] !== d)
    throw new FlambeauError(
      "E_SHAPE",
      `frechet: the Gaussians differ in dimension (${d} and ${b.mean.shape[0]}) or their covariances do not match their means`,
      "frechetDistance",
    );
  return tidy(() => {
    const r = sqrtPsd(a.cov.double());
    const m = r.matmul(b.cov.double()).matmul(r);
    // Symmetrised against round-off before the symmetric eigensolver reads one triangle.
    const cross = eigh(m.add(m.t()).div(2)).eigenvalues.clamp(0).sqrt().sum();
    const dm = a.mean.double().sub(b.mean.double());
    return dm.mul(dm).sum().add(a.cov.trace()).add(b.cov.trace()).sub(cross.mul(2)).item() as number;
  });
}

/** The Fréchet distance between the Gaussians of two feature sets [N₁, D] and [N₂, D]. */
export function featureFrechetDistance(x: Tensor, y: Tensor): number {
  if (x.ndim !== 2 || y.ndim !== 2 || x.shape[1] !== y.shape[1])
    throw new FlambeauError(
      "E_SHAPE",
      `frechet: feature sets must be [N, D] with the same D, got ${JSON.stringify(x.shape)} and ${JSON.stringify(y.shape)}`,
      "featureFrechetDistance",
    );
  const a = featureGaussian(x);
  const b = featureGaussian(y);
  try {
    return frechetDistance(a, b);
  } finally {
    for (const t of [a.mean, a.cov, b.mean, b.cov]) t.dispose();
  }
}
