// Gaussian diffusion (Ho et al. 2020) with the cosine noise schedule of Nichol & Dhariwal 2021,
// the v-parameterisation of Salimans & Ho 2022 (the network predicts v = √ᾱ·ε − √(1−ᾱ)·x₀,
// which stays well scaled at both ends of the schedule) and deterministic DDIM sampling (Song
// et al. 2021) with classifier-free guidance (Ho & Salimans 2022). The schedule is data, not a
// module: it holds no weights, only ᾱ_t for t = 0 … steps − 1, and works on tensors of any shape
// whose first dimension is the batch.
import { FlambeauError } from "../core/errors.js";
import { noGrad, randn, type Tensor, tensor, tidy } from "../core/index.js";

export type NoiseSchedule = "cosine" | "linear";

export interface DiffusionOptions {
  /** Training timesteps (default 1000). */
  steps?: number;
  /** "cosine" (default; Nichol & Dhariwal) or "linear" (Ho et al.: β from 1e-4 to 0.02). */
  schedule?: NoiseSchedule;
}

/** ᾱ_t for t = 0 … steps − 1, as improved-diffusion computes it (β clipped at 0.999). */
export function alphasCumprod(steps: number, schedule: NoiseSchedule): Float64Array {
  if (!Number.isSafeInteger(steps) || steps < 2 || steps > 100_000)
    throw new FlambeauError("E_ARG", `diffusion: steps must be an integer in [2, 100000], got ${steps}`, "alphasCumprod");
  const betas = new Float64Array(steps);
  if (schedule === "linear") {
    // Ho et al.'s range, scaled to the number of steps as improved-diffusion does.
    const scale = 1000 / steps;
    for (let i = 0; i < steps; i++) betas[i] = scale * 1e-4 + ((scale * 0.02 - scale * 1e-4) * i) / (steps - 1);
  } else if (schedule === "cosine") {
    const f = (t: number) => Math.cos(((t / steps + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (let i = 0; i < steps; i++) betas[i] = Math.min(1 - f(i + 1) / f(i), 0.999);
  } else
    throw new FlambeauError("E_ARG", `diffusion: schedule must be "cosine" or "linear", got ${JSON.stringify(schedule)}`, "alphasCumprod");
  const out = new Float64Array(steps);
  let prod = 1;
  for (let i = 0; i < steps; i++) out[i] = prod *= 1 - betas[i]!;
  return out;
}

export interface SampleOptions {
  /** DDIM steps (default 25), evenly spaced over the training steps. */
  steps?: number;
  /** Classifier-free guidance scale w (default 1: no guidance): v = v_uncond + w·(v_cond − v_uncond). */
  guidance?: number;
  /** The data's range [−clip, clip] that each step's x₀ estimate is clipped to (default 1). */
  clip?: number;
}

/**
 * The network as the sampler calls it: noisy x_t and each sample's timestep → predicted v.
 * `conditional` false asks for the unconditional prediction (the condition dropped, as in training).
 */
export type VelocityModel = (x: Tensor, t: readonly number[], conditional: boolean) => Tensor;

export class GaussianDiffusion {
  readonly steps: number;
  readonly schedule: NoiseSchedule;
  readonly alphasCumprod: Float64Array;
  constructor(o: DiffusionOptions = {}) {
    this.steps = o.steps ?? 1000;
    this.schedule = o.schedule ?? "cosine";
    this.alphasCumprod = alphasCumprod(this.steps, this.schedule);
  }

  /** A per-sample coefficient as a [B, 1, …, 1] tensor broadcasting against `like`. */
  private coef(t: readonly number[], like: Tensor, f: (abar: number) => number): Tensor {
    if (t.length !== like.shape[0])
      throw new FlambeauError("E_SHAPE", `diffusion: ${t.length} timesteps for a batch of ${like.shape[0]}`, "GaussianDiffusion");
    const v = t.map((s) => {
      if (!Number.isInteger(s) || s < 0 || s >= this.steps)
        throw new FlambeauError("E_ARG", `diffusion: timestep must be an integer in [0, ${this.steps}), got ${s}`, "GaussianDiffusion");
      return f(this.alphasCumprod[s]!);
    });
    return tensor(v, { shape: [t.length, ...like.shape.slice(1).map(() => 1)], dtype: like.dtype });
  }

  /** x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε: the forward process in one jump. */
  qSample(x0: Tensor, t: readonly number[], noise: Tensor): Tensor {
    return tidy(() => x0.mul(this.coef(t, x0, Math.sqrt)).add(noise.mul(this.coef(t, x0, (a) => Math.sqrt(1 - a)))));
  }

  /** The training target v = √ᾱ_t·ε − √(1 − ᾱ_t)·x₀. */
  velocity(x0: Tensor, t: readonly number[], noise: Tensor): Tensor {
    return tidy(() => noise.mul(this.coef(t, x0, Math.sqrt)).sub(x0.mul(this.coef(t, x0, (a) => Math.sqrt(1 - a)))));
  }

  /** x₀ and ε implied by x_t and a predicted v. */
  split(xt: Tensor, t: readonly number[], v: Tensor): { x0: Tensor; eps: Tensor } {
    return tidy(() => {
      const a = this.coef(t, xt, Math.sqrt);
      const s = this.coef(t, xt, (ab) => Math.sqrt(1 - ab));
      return { x0: xt.mul(a).sub(v.mul(s)), eps: xt.mul(s).add(v.mul(a)) };
    });
  }

  /** `n` random training timesteps drawn by `uniform` (a function returning [0, 1)). */
  randomSteps(n: number, uniform: () => number): number[] {
    return Array.from({ length: n }, () => Math.min(this.steps - 1, Math.floor(uniform() * this.steps)));
  }

  /** The DDIM schedule: `n` timesteps from the noisiest down to 0. */
  samplingSteps(n: number): number[] {
    if (!Number.isSafeInteger(n) || n < 1 || n > this.steps)
      throw new FlambeauError("E_ARG", `diffusion: sampling steps must be an integer in [1, ${this.steps}], got ${n}`, "samplingSteps");
    return Array.from({ length: n }, (_, i) => Math.round(((n - 1 - i) * (this.steps - 1)) / Math.max(1, n - 1)));
  }

  /**
   * Deterministic DDIM (η = 0) from pure noise of `shape` to x₀, with classifier-free
   * guidance when `guidance` ≠ 1. Noise comes from the global generator (manualSeed).
   */
  sample(model: VelocityModel, shape: readonly number[], o: SampleOptions = {}): Tensor {
    const w = o.guidance ?? 1;
    if (!(Number.isFinite(w) && w >= 0)) throw new FlambeauError("E_ARG", `diffusion: guidance must be ≥ 0, got ${w}`, "sample");
    const clip = o.clip ?? 1;
    const ts = this.samplingSteps(o.steps ?? 25);
    const b = shape[0]!;
    return noGrad(() => {
      let x = randn(shape);
      for (let i = 0; i < ts.length; i++) {
        const t = new Array<number>(b).fill(ts[i]!);
        const next = tidy(() => {
          let v = model(x, t, true);
          if (w !== 1) {
            const u = model(x, t, false);
            v = u.add(v.sub(u).mul(w));
          }
          const abar = this.alphasCumprod[ts[i]!]!;
          // x₀ clipped to the data range, and ε re-derived from it so that the step stays on the DDIM path.
          const x0 = this.split(x, t, v).x0.clamp(-clip, clip);
          if (i === ts.length - 1) return x0;
          const eps = x.sub(x0.mul(Math.sqrt(abar))).div(Math.sqrt(1 - abar));
          const ab = this.alphasCumprod[ts[i + 1]!]!;
          return x0.mul(Math.sqrt(ab)).add(eps.mul(Math.sqrt(1 - ab)));
        });
        x.dispose();
        x = next;
      }
      return x;
    });
  }
}
