// Server-side strategies: how the global model moves given the clients' averaged update
// Δ = Σ nₖ(wₖ − w) / Σ nₖ. FedAvg (McMahan et al. 2017) takes w + Δ. FedProx (Li et al.
// 2020) aggregates like FedAvg; its difference is the clients' proximal term μ/2‖w − w_g‖²
// (see local.ts), announced to clients in `clientConfig`. FedAdam (Reddi et al. 2021,
// "Adaptive Federated Optimization") treats −Δ as a gradient for a server-side Adam with
// ε-like τ and no bias correction, as in the paper's Algorithm 2.

import { FlambeauError } from "../../core/errors.js";

export type StrategyName = "fedavg" | "fedprox" | "fedadam";

export interface ClientConfig {
  /** FedProx's proximal coefficient μ (0: plain local SGD). */
  mu: number;
}

export interface Strategy {
  readonly name: StrategyName;
  readonly clientConfig: ClientConfig;
  /** The next global model from the current one and the averaged client delta. */
  step(global: Float32Array, delta: Float32Array): Float32Array;
  /** Server optimizer state for checkpoints (vectors by name). */
  state(): Record<string, Float32Array>;
  loadState(s: Record<string, Float32Array>): void;
}

export interface StrategyOptions {
  /** FedProx μ (default 0.01). */
  mu?: number;
  /** FedAdam server learning rate η (default 0.01), β₁ (0.9), β₂ (0.99), τ (1e-3). */
  serverLr?: number;
  beta1?: number;
  beta2?: number;
  tau?: number;
}

/** Σ nₖ·xₖ / Σ nₖ over client vectors. */
export function weightedMean(vectors: readonly Float32Array[], weights: readonly number[]): Float32Array {
  if (vectors.length === 0 || vectors.length !== weights.length)
    throw new FlambeauError("E_ARG", `weightedMean: ${vectors.length} vectors and ${weights.length} weights`, "weightedMean");
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new FlambeauError("E_ARG", `weightedMean: weights sum to ${total}`, "weightedMean");
  const n = vectors[0]!.length;
  const acc = new Float64Array(n);
  vectors.forEach((v, k) => {
    if (v.length !== n) throw new FlambeauError("E_SHAPE", `weightedMean: vector ${k} has ${v.length} values, not ${n}`, "weightedMean");
    const w = weights[k]! / total;
    for (let i = 0; i < n; i++) acc[i]! += w * v[i]!;
  });
  return Float32Array.from(acc);
}

class FedAvg implements Strategy {
  constructor(
    readonly name: StrategyName,
    readonly clientConfig: ClientConfig,
  ) {}
  step(global: Float32Array, delta: Float32Array): Float32Array {
    const out = new Float32Array(global.length);
    for (let i = 0; i < global.length; i++) out[i] = global[i]! + delta[i]!;
    return out;
  }
  state(): Record<string, Float32Array> {
    return {};
  }
  loadState(): void {}
}

class FedAdam implements Strategy {
  readonly name = "fedadam";
  readonly clientConfig = { mu: 0 };
  #m?: Float32Array;
  #v?: Float32Array;
  constructor(readonly o: Required<Pick<StrategyOptions, "serverLr" | "beta1" | "beta2" | "tau">>) {}
  step(global: Float32Array, delta: Float32Array): Float32Array {
    const { serverLr: lr, beta1: b1, beta2: b2, tau } = this.o;
    this.#m ??= new Float32Array(global.length);
    // Reddi et al. start v at τ²; an all-zero v would make the first step ±η everywhere.
    this.#v ??= new Float32Array(global.length).fill(tau * tau);
    const m = this.#m;
    const v = this.#v;
    const out = new Float32Array(global.length);
    for (let i = 0; i < global.length; i++) {
      const d = delta[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * d;
      v[i] = b2 * v[i]! + (1 - b2) * d * d;
      out[i] = global[i]! + (lr * m[i]!) / (Math.sqrt(v[i]!) + tau);
    }
    return out;
  }
  state(): Record<string, Float32Array> {
    return this.#m && this.#v ? { m: this.#m, v: this.#v } : {};
  }
  loadState(s: Record<string, Float32Array>): void {
    this.#m = s.m;
    this.#v = s.v;
  }
}

export function makeStrategy(name: string, o: StrategyOptions = {}): Strategy {
  const pos = (k: string, v: number, lo = 0): number => {
    if (!(Number.isFinite(v) && v >= lo)) throw new FlambeauError("E_ARG", `strategy ${name}: ${k} must be a number ≥ ${lo}, got ${v}`);
    return v;
  };
  if (name === "fedavg") return new FedAvg("fedavg", { mu: 0 });
  if (name === "fedprox") return new FedAvg("fedprox", { mu: pos("mu", o.mu ?? 0.01) });
  if (name === "fedadam")
    return new FedAdam({
      serverLr: pos("serverLr", o.serverLr ?? 0.01),
      beta1: pos("beta1", o.beta1 ?? 0.9),
      beta2: pos("beta2", o.beta2 ?? 0.99),
      tau: pos("tau", o.tau ?? 1e-3, 1e-12),
    });
  throw new FlambeauError("E_ARG", `unknown federated strategy "${name}"; strategies: fedavg, fedprox, fedadam`, "federated");
}
