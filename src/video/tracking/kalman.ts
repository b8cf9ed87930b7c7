// SORT's box filter (Bewley et al. 2016, the reference sort.py's KalmanBoxTracker): a
// constant-velocity Kalman filter over x = [cx, cy, s, r, ċx, ċy, ṡ] (the aspect ratio r is
// taken as constant) observing z = [cx, cy, s, r]. Its noise settings are the reference's,
// on top of filterpy's identity defaults: R[2:, 2:] ×10; P ×10 with the unobserved velocities
// ×1000 more; Q's velocities ×0.01 and the area's velocity ×0.01 again.
import { type Box, boxToZ, checkBox, zToBox } from "./boxes.js";
import { add, diag, identity, type Mat, mat, matmul, solveSpd, transpose } from "./matrix.js";

const DIM_X = 7;
const DIM_Z = 4;

/** x ← F x: position plus velocity. */
const F: Mat = (() => {
  const f = identity(DIM_X);
  for (let i = 0; i < 3; i++) f.data[i * DIM_X + 4 + i] = 1;
  return f;
})();
const FT = transpose(F);
const H: Mat = (() => {
  const h = mat(DIM_Z, DIM_X);
  for (let i = 0; i < DIM_Z; i++) h.data[i * DIM_X + i] = 1;
  return h;
})();
const HT = transpose(H);

export const SORT_NOISE = Object.freeze({
  R: [1, 1, 10, 10],
  P0: [10, 10, 10, 10, 10_000, 10_000, 10_000],
  Q: [1, 1, 1, 1, 0.01, 0.01, 0.0001],
});
const R = diag(SORT_NOISE.R);
const Q = diag(SORT_NOISE.Q);

export class KalmanBoxFilter {
  /** State mean [7]. */
  x: Mat;
  /** State covariance [7, 7]. */
  P: Mat;

  constructor(box: readonly number[]) {
    checkBox("KalmanBoxFilter", box);
    this.x = mat(DIM_X, 1, [...boxToZ(box), 0, 0, 0]);
    this.P = diag(SORT_NOISE.P0);
  }

  /** Advances one frame; returns the predicted box. An area about to turn negative stops shrinking (as sort.py). */
  predict(): Box {
    if (this.x.data[6]! + this.x.data[2]! <= 0) this.x.data[6] = 0;
    this.x = matmul(F, this.x);
    this.P = add(matmul(matmul(F, this.P), FT), Q);
    return this.box();
  }

  /** The innovation covariance S = H P Hᵀ + R of the current prediction [4, 4]. */
  innovationCov(): Mat {
    return add(matmul(matmul(H, this.P), HT), R);
  }

  /**
   * Squared Mahalanobis distance of a measured box from the prediction in z-space (DeepSORT's
   * gate); with `onlyPosition` over the centre alone (deep_sort's gating_distance(only_position)).
   */
  mahalanobis(box: readonly number[], onlyPosition = false): number {
    const k = onlyPosition ? 2 : DIM_Z;
    const z = boxToZ(box);
    const y = mat(
      k,
      1,
      z.slice(0, k).map((v, i) => v - this.x.data[i]!),
    );
    const full = this.innovationCov();
    const S = mat(k, k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) S.data[i * k + j] = full.data[i * DIM_Z + j]!;
    const sy = solveSpd(S, y);
    let d = 0;
    for (let i = 0; i < k; i++) d += y.data[i]! * sy.data[i]!;
    return d;
  }

  /** Corrects the state with a measured box. */
  update(box: readonly number[]): void {
    checkBox("KalmanBoxFilter.update", box);
    const z = boxToZ(box);
    const y = mat(
      DIM_Z,
      1,
      z.map((v, i) => v - this.x.data[i]!),
    );
    const S = this.innovationCov();
    // K = P Hᵀ S⁻¹, computed as (S⁻¹ H P)ᵀ since S and P are symmetric.
    const PHt = matmul(this.P, HT);
    const K = transpose(solveSpd(S, transpose(PHt)));
    this.x = add(this.x, matmul(K, y));
    // P = (I − K H) P, as filterpy's default (not the Joseph form).
    this.P = matmul(add(identity(DIM_X), matmul(K, H), -1), this.P);
  }

  /** The current state as a box. */
  box(): Box {
    return zToBox([this.x.data[0]!, this.x.data[1]!, this.x.data[2]!, this.x.data[3]!]);
  }
}

/** χ²(4 dof) at 0.95: DeepSORT's gate on the squared Mahalanobis distance of [cx, cy, s, r]. */
export const CHI2_95_4DOF = 9.4877;
/** χ²(2 dof) at 0.95: the gate on the centre alone. */
export const CHI2_95_2DOF = 5.9915;
