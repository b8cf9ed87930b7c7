// Client-level differential privacy for federated averaging (McMahan et al. 2018,
// "Learning Differentially Private Recurrent Language Models"): each client's update Δₖ is
// clipped to L2 norm ≤ C, the server sums the clipped updates of the round, adds Gaussian
// noise N(0, (σC)²) per coordinate and divides by the number of sampled clients K (a fixed
// denominator, so one client's presence moves the sum by at most C). With clients sampled at
// rate q = K/N, each round is one sampled Gaussian step for the RDP accountant (rdp.ts).

import { randomBytes } from "node:crypto";
import { FlambeauError } from "../../core/errors.js";
import { gaussian, mulberry32 } from "../../data/random.js";

/** The Euclidean norm of a flat vector. */
export function l2norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

export interface DpOptions {
  /** Clipping norm C. */
  clip: number;
  /** Noise multiplier σ (std of the noise is σC). */
  noiseMultiplier: number;
}

/** Δ scaled to norm ≤ clip (a copy). */
export function clipToNorm(v: Float32Array, clip: number): Float32Array {
  if (!(clip > 0)) throw new FlambeauError("E_ARG", `dp: clip norm must be > 0, got ${clip}`, "dp");
  const n = l2norm(v);
  const s = n > clip ? clip / n : 1;
  return v.map((x) => x * s);
}

/**
 * Adds N(0, (σC)²) to every coordinate of `sum` in place. A seed makes the simulation
 * replay; without one the noise comes from node:crypto, as a deployment needs.
 */
export function addGaussianNoise(sum: Float64Array, o: DpOptions, seed?: number): void {
  let uniform: () => number;
  if (seed !== undefined) uniform = mulberry32(seed);
  else {
    let buf = randomBytes(0);
    let at = 0;
    uniform = () => {
      if (at + 4 > buf.length) {
        buf = randomBytes(65536);
        at = 0;
      }
      const u = buf.readUInt32LE(at) / 4294967296;
      at += 4;
      return u;
    };
  }
  const normal = gaussian(uniform);
  const std = o.noiseMultiplier * o.clip;
  for (let i = 0; i < sum.length; i++) sum[i]! += std * normal();
}
