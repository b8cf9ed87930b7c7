// Rényi-DP accountant for the sampled Gaussian mechanism (Mironov, Talwar & Zhang 2019):
// at integer order α, with sampling rate q and noise multiplier σ,
//   A_α = Σ_{k=0..α} C(α,k) (1−q)^{α−k} q^k exp((k² − k) / 2σ²),   RDP(α) = log A_α / (α − 1),
// composed over `steps` by addition, and turned into (ε, δ)-DP by Balle et al. (2020)'s
// conversion, the one Opacus uses: ε = RDP − (log δ + log α)/(α − 1) + log((α − 1)/α),
// minimised over the orders. Integer orders only (Opacus adds fractional ones, so its ε can
// be a little lower; ours is a valid upper bound).

import { FlambeauError } from "../../core/errors.js";

export const DEFAULT_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 63 }, (_, i) => i + 2),
  80,
  96,
  128,
  160,
  192,
  256,
]);

const logAdd = (a: number, b: number): number =>
  a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));

function logBinomial(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** RDP of one step of the sampled Gaussian mechanism at integer order α. */
export function rdpSampledGaussian(q: number, sigma: number, alpha: number): number {
  if (!(q >= 0 && q <= 1)) throw new FlambeauError("E_ARG", `rdp: sampling rate q must be in [0, 1], got ${q}`, "rdp");
  if (!(sigma > 0)) throw new FlambeauError("E_ARG", `rdp: noise multiplier must be > 0, got ${sigma}`, "rdp");
  if (!(Number.isInteger(alpha) && alpha >= 2)) throw new FlambeauError("E_ARG", `rdp: orders are integers ≥ 2, got ${alpha}`, "rdp");
  if (q === 0) return 0;
  if (q === 1) return alpha / (2 * sigma * sigma);
  let logA = -Infinity;
  for (let k = 0; k <= alpha; k++)
    logA = logAdd(logA, logBinomial(alpha, k) + (alpha - k) * Math.log1p(-q) + k * Math.log(q) + (k * k - k) / (2 * sigma * sigma));
  return logA / (alpha - 1);
}

export interface PrivacySpent {
  epsilon: number;
  /** The order that gave it. */
  order: number;
}

/** (ε, δ) after `steps` sampled Gaussian steps. */
export function epsilonFor(
  q: number,
  sigma: number,
  steps: number,
  delta: number,
  orders: readonly number[] = DEFAULT_ORDERS,
): PrivacySpent {
  if (!(delta > 0 && delta < 1)) throw new FlambeauError("E_ARG", `rdp: delta must be in (0, 1), got ${delta}`, "rdp");
  if (!(Number.isInteger(steps) && steps >= 0)) throw new FlambeauError("E_ARG", `rdp: steps must be an integer ≥ 0, got ${steps}`, "rdp");
  let best: PrivacySpent = { epsilon: Infinity, order: orders[0]! };
  for (const a of orders) {
    const rdp = steps * rdpSampledGaussian(q, sigma, a);
    const eps = rdp - (Math.log(delta) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
    if (eps < best.epsilon) best = { epsilon: Math.max(0, eps), order: a };
  }
  return best;
}

/** The smallest noise multiplier (to 1e-3) that keeps ε ≤ target after `steps`. */
export function noiseForEpsilon(target: number, q: number, steps: number, delta: number): number {
  if (!(target > 0)) throw new FlambeauError("E_ARG", `rdp: target epsilon must be > 0, got ${target}`, "rdp");
  let lo = 0.05;
  let hi = 1;
  while (epsilonFor(q, hi, steps, delta).epsilon > target) {
    hi *= 2;
    if (hi > 1e4) throw new FlambeauError("E_ARG", `rdp: no noise multiplier below 1e4 reaches ε = ${target}`, "rdp");
  }
  while (hi - lo > 1e-3) {
    const mid = (lo + hi) / 2;
    if (epsilonFor(q, mid, steps, delta).epsilon > target) lo = mid;
    else hi = mid;
  }
  return hi;
}
