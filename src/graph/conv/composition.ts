// The entity–relation compositions φ(h, z) of CompGCN (Vashishth et al. 2020, §4):
// subtraction (TransE), multiplication (DistMult) and circular correlation (HolE).
import { FlambeauError } from "../../core/errors.js";
import { fft, stack, type Tensor, viewAsComplex, viewAsReal } from "../../core/index.js";

export const COMPOSITIONS = ["sub", "mult", "corr"] as const;
export type Composition = (typeof COMPOSITIONS)[number];

/**
 * Circular correlation along the last dim, (a ⋆ b)_k = Σ_i a_i b_{(i+k) mod d}, through the
 * correlation theorem: ifft(conj(fft(a)) · fft(b)) (what the authors' code computes).
 */
export function circularCorrelation(a: Tensor, b: Tensor): Tensor {
  const d = a.shape[a.ndim - 1]!;
  const fa = viewAsReal(fft.rfft(a, { dim: -1 }));
  const fb = viewAsReal(fft.rfft(b, { dim: -1 }));
  const [ar, ai] = [fa.select(-1, 0), fa.select(-1, 1)];
  const [br, bi] = [fb.select(-1, 0), fb.select(-1, 1)];
  // conj(a) · b = (ar br + ai bi) + i (ar bi − ai br)
  const prod = stack([ar.mul(br).add(ai.mul(bi)), ar.mul(bi).sub(ai.mul(br))], -1);
  return fft.irfft(viewAsComplex(prod), { n: d, dim: -1 });
}

/** φ(h, z) for rows of entity features h and relation embeddings z of the same shape. */
export function compose(h: Tensor, z: Tensor, how: Composition): Tensor {
  switch (how) {
    case "sub":
      return h.sub(z);
    case "mult":
      return h.mul(z);
    case "corr":
      return circularCorrelation(h, z);
    default:
      throw new FlambeauError("E_ARG", `compose: unknown composition "${String(how)}"; expected one of ${COMPOSITIONS.join(", ")}`);
  }
}
