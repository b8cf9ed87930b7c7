// The Fréchet distance against scipy: reference values computed once with scipy 1.17.1 as
// pytorch-fid does (np.cov(rowvar=False), scipy.linalg.sqrtm(Σ₁Σ₂), the real part of its trace):
//   fid = ((m1-m2)**2).sum() + tr(s1) + tr(s2) - 2*tr(sqrtm(s1@s2)).real
// on the feature sets below, pasted here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { tensor } from "../../src/core/index.js";
import { featureFrechetDistance, featureGaussian, frechetDistance } from "../../src/train/frechet.js";

const A = [
  [1, 2, 0],
  [3, 1, 4],
  [0, 5, 2],
  [2, 2, 2],
  [4, 0, 1],
  [1, 3, 3],
  [2, 4, 0],
];
const B = [
  [2, 1, 1],
  [0, 0, 3],
  [5, 2, 2],
  [1, 4, 1],
  [3, 3, 0],
  [2, 0, 4],
];
const C = [
  [0.5, -1, 2, 0],
  [1, 1, 1, 1],
  [2, 0, -1, 3],
  [0, 2, 2, -2],
  [1.5, 0.5, 0, 1],
  [-1, 1, 3, 0],
];
const D = [
  [1, 0, 0, 1],
  [2, -1, 1, 0],
  [0, 1, 2, 2],
  [3, 1, 0, -1],
  [1, 2, 1, 1],
  [0, 0, -2, 1],
  [2, 2, 2, 0],
];
const rows = (m: number[][]) => tensor(m.flat(), { shape: [m.length, m[0]!.length] });

test("featureFrechetDistance matches scipy's sqrtm-based FID", () => {
  assert.ok(Math.abs(featureFrechetDistance(rows(A), rows(B)) - 3.1932850774712556) < 1e-9);
  assert.ok(Math.abs(featureFrechetDistance(rows(C), rows(D)) - 5.328082574509367) < 1e-9);
  assert.ok(Math.abs(featureFrechetDistance(rows(A), rows(A))) < 1e-9);
  // Symmetric in its arguments.
  assert.ok(Math.abs(featureFrechetDistance(rows(B), rows(A)) - 3.1932850774712556) < 1e-9);
});

test("featureGaussian is the unbiased mean and covariance; shape errors name the shapes", () => {
  const g = featureGaussian(
    rows([
      [1, 0],
      [3, 2],
    ]),
  );
  assert.deepEqual(g.mean.toArray(), [2, 1]);
  assert.deepEqual(g.cov.toArray(), [
    [2, 2],
    [2, 2],
  ]);
  assert.throws(() => featureGaussian(rows([[1, 2]])), /\[N, D\] with N ≥ 2, got \[1,2\]/);
  assert.throws(() => featureFrechetDistance(rows(A), rows(C)), /same D, got \[7,3\] and \[6,4\]/);
  assert.throws(() => frechetDistance(g, featureGaussian(rows(A))), /differ in dimension \(2 and 3\)/);
});
