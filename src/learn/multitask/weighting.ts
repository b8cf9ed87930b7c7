// How a multi-task loss combines its tasks' losses:
// - fixed weights, Σ w_t L_t;
// - homoscedastic uncertainty (Kendall, Gal & Cipolla 2018): a learnt log-variance s_t per
//   task, L = Σ ½ (e^{−s_t} L_t + s_t), so noisier tasks weigh less and no weight collapses to 0;
// - PCGrad (Yu et al. 2020, "Gradient surgery"): on the shared parameters, a task gradient
//   that conflicts with another's (negative dot product) loses its component along it;
// - GradNorm (Chen et al. 2018): weights w_t moved each step so that the norms of the weighted
//   tasks' gradients on the last shared layer approach their mean times the task's relative
//   inverse training rate to the power α.
// Every weighting returns one scalar whose backward gives the combined gradient, so the
// shared Trainer (accumulation, clipping, data parallelism) works unchanged.

import { FlambeauError } from "../../core/errors.js";
import { autograd, cat, noGrad, type Tensor, tensor } from "../../core/index.js";
import { zerosLike } from "../../core/ops/creation.js";
import { mulberry32 } from "../../data/random.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";

export interface LossWeighting {
  combine(losses: Record<string, Tensor>): Tensor;
}

// A step may carry the losses of only some tasks (a sampled multi-task step has one).
const checkLosses = (op: string, losses: Record<string, Tensor>, tasks: readonly string[]) => {
  if (Object.keys(losses).length === 0) throw new FlambeauError("E_ARG", `${op}: no losses`, op);
  for (const t of Object.keys(losses))
    if (!tasks.includes(t)) throw new FlambeauError("E_ARG", `${op}: unknown task "${t}" (tasks: ${tasks.join(", ")})`, op);
};

export class FixedWeighting implements LossWeighting {
  constructor(readonly weights: Readonly<Record<string, number>>) {
    for (const [t, w] of Object.entries(weights))
      if (!(Number.isFinite(w) && w >= 0)) throw new FlambeauError("E_ARG", `FixedWeighting: weight of "${t}" must be ≥ 0, got ${w}`);
  }
  combine(losses: Record<string, Tensor>): Tensor {
    checkLosses("FixedWeighting", losses, Object.keys(this.weights));
    return Object.entries(losses)
      .map(([t, l]) => l.mul(this.weights[t]!))
      .reduce((a, b) => a.add(b));
  }
}

/** Learnt task weights: give its parameters to the optimizer with the model's. */
export class UncertaintyWeighting extends Module implements LossWeighting {
  readonly tasks: readonly string[];
  readonly logVar: Parameter;

  constructor(tasks: readonly string[]) {
    super();
    if (tasks.length === 0) throw new FlambeauError("E_ARG", "UncertaintyWeighting: give at least one task");
    this.tasks = [...tasks];
    this.logVar = new Parameter(tensor(new Array(tasks.length).fill(0)));
  }

  combine(losses: Record<string, Tensor>): Tensor {
    checkLosses("UncertaintyWeighting", losses, this.tasks);
    return Object.entries(losses)
      .map(([t, l]) => {
        const s = this.logVar.select(0, this.tasks.indexOf(t));
        return l.mul(s.neg().exp()).add(s).mul(0.5);
      })
      .reduce((a, b) => a.add(b));
  }

  forward(losses: Record<string, Tensor>): Tensor {
    return this.combine(losses);
  }

  /** The current weights e^{−s_t} / 2, by task. */
  weights(): Record<string, number> {
    const w = noGrad(() => this.logVar.neg().exp().mul(0.5).toArray() as number[]);
    return Object.fromEntries(this.tasks.map((t, i) => [t, w[i]!]));
  }
}

export interface PCGradOptions {
  /** Seeds the projection order (default 0), so that runs replay with --seed. */
  seed?: number;
}

/** PCGrad on `shared` parameters; the sum of the task losses elsewhere. */
export class PCGrad implements LossWeighting {
  readonly #rand: () => number;

  constructor(
    readonly shared: () => readonly Tensor[],
    options: PCGradOptions = {},
  ) {
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed)) throw new FlambeauError("E_ARG", `PCGrad: seed must be a safe integer, got ${seed}`, "PCGrad");
    this.#rand = mulberry32(seed);
  }

  combine(losses: Record<string, Tensor>): Tensor {
    const names = Object.keys(losses);
    if (names.length === 0) throw new FlambeauError("E_ARG", "PCGrad: no losses", "PCGrad");
    const total = names.map((t) => losses[t]!).reduce((a, b) => a.add(b));
    const params = this.shared().filter((p) => p.requiresGrad);
    if (names.length === 1 || params.length === 0) return total;
    // Each task's gradient on the shared parameters, flattened into one vector.
    const flat = names.map((t) =>
      noGrad(() => {
        const gs = autograd.grad(losses[t]!, [...params], { retainGraph: true, allowUnused: true });
        return cat(gs.map((g, i) => (g ?? zerosLike(params[i]!)).reshape([-1])));
      }),
    );
    const projected = noGrad(() => {
      const out = flat.map((g) => g.clone());
      // Yu et al. project each task's gradient against the others in a random order.
      for (let i = 0; i < out.length; i++) {
        const order = names.map((_, j) => j).filter((j) => j !== i);
        for (let k = order.length - 1; k > 0; k--) {
          const r = Math.floor(this.#rand() * (k + 1));
          [order[k], order[r]] = [order[r]!, order[k]!];
        }
        for (const j of order) {
          const dot = Number(out[i]!.dot(flat[j]!).item());
          if (dot < 0) out[i]!.sub_(flat[j]!.mul(dot / Number(flat[j]!.dot(flat[j]!).item())));
        }
      }
      return out.reduce((a, b) => a.add(b));
    });
    const plain = noGrad(() => flat.reduce((a, b) => a.add(b)));
    // A term whose value is 0 and whose gradient moves the shared parameters' gradient from
    // the plain sum to the projected one.
    let offset = 0;
    const terms = params.map((p) => {
      const n = p.numel;
      const delta = noGrad(() =>
        projected
          .narrow(0, offset, n)
          .sub(plain.narrow(0, offset, n))
          .reshape(p.shape),
      );
      offset += n;
      const term = p.mul(delta).sum();
      return term.sub(term.detach());
    });
    return terms.reduce((a, b) => a.add(b), total);
  }
}

export interface GradNormOptions {
  /** Asymmetry α: how hard tasks that train slower are pulled up (the paper uses 0.12 to 3; default 1.5). */
  alpha?: number;
  /** Step size of the weights' own gradient descent on L_grad (default 0.025). */
  lr?: number;
}

/**
 * GradNorm on `shared`, the last shared layer's parameters (the paper's W). `combine` returns
 * Σ w_t L_t with the current weights, then takes one gradient step on Chen et al.'s
 * L_grad = Σ_t |G_t − Ḡ·r_t^α| in the weights (G_t = ‖∇_W w_t L_t‖, the target Ḡ·r_t^α held
 * constant, r_t = (L_t/L_t(0)) over its mean) and renormalises them to sum to the number of
 * tasks: the paper's Algorithm 1, with the weights' update done here so the Trainer needs no
 * second optimizer. L_t(0) is a task's loss the first time it is combined. With a sampled
 * multi-task step only the tasks present are balanced against each other.
 */
export class GradNorm implements LossWeighting {
  readonly tasks: readonly string[];
  readonly alpha: number;
  readonly lr: number;
  readonly #w: number[];
  readonly #initial = new Map<string, number>();

  constructor(
    tasks: readonly string[],
    readonly shared: () => readonly Tensor[],
    options: GradNormOptions = {},
  ) {
    if (tasks.length === 0) throw new FlambeauError("E_ARG", "GradNorm: give at least one task", "GradNorm");
    this.alpha = options.alpha ?? 1.5;
    this.lr = options.lr ?? 0.025;
    if (!(Number.isFinite(this.alpha) && this.alpha >= 0))
      throw new FlambeauError("E_ARG", `GradNorm: alpha must be ≥ 0, got ${this.alpha}`, "GradNorm");
    if (!(Number.isFinite(this.lr) && this.lr > 0))
      throw new FlambeauError("E_ARG", `GradNorm: lr must be > 0, got ${this.lr}`, "GradNorm");
    this.tasks = [...tasks];
    this.#w = tasks.map(() => 1);
  }

  /** The current weights (they sum to the number of tasks). */
  weights(): Record<string, number> {
    return Object.fromEntries(this.tasks.map((t, i) => [t, this.#w[i]!]));
  }

  combine(losses: Record<string, Tensor>): Tensor {
    checkLosses("GradNorm", losses, this.tasks);
    const names = Object.keys(losses);
    const idx = names.map((t) => this.tasks.indexOf(t));
    const total = names.map((t, k) => losses[t]!.mul(this.#w[idx[k]!]!)).reduce((a, b) => a.add(b));
    const params = this.shared().filter((p) => p.requiresGrad);
    if (params.length === 0) throw new FlambeauError("E_ARG", "GradNorm: the shared layer has no trainable parameters", "GradNorm");
    const values = names.map((t) => Number(losses[t]!.item()));
    values.forEach((v, k) => {
      if (!(Number.isFinite(v) && v > 0))
        throw new FlambeauError("E_ARG", `GradNorm: task "${names[k]}" has loss ${v}; its training rate needs a positive loss`, "GradNorm");
      if (!this.#initial.has(names[k]!)) this.#initial.set(names[k]!, v);
    });
    // ‖∇_W L_t‖; G_t = w_t times it, so ∂G_t/∂w_t is this norm.
    const norms = names.map((t) =>
      noGrad(() => {
        const gs = autograd.grad(losses[t]!, [...params], { retainGraph: true, allowUnused: true });
        return Math.sqrt(gs.reduce((s, g) => s + (g ? Number(g.pow(2).sum().item()) : 0), 0));
      }),
    );
    const G = norms.map((n, k) => this.#w[idx[k]!]! * n);
    const meanG = G.reduce((a, b) => a + b, 0) / G.length;
    const ratio = values.map((v, k) => v / this.#initial.get(names[k]!)!);
    const meanRatio = ratio.reduce((a, b) => a + b, 0) / ratio.length;
    idx.forEach((i, k) => {
      const target = meanG * (ratio[k]! / meanRatio) ** this.alpha;
      // d|G_t − target|/dw_t = sign(G_t − target)·‖∇_W L_t‖; a weight stays positive.
      this.#w[i] = Math.max(1e-8, this.#w[i]! - this.lr * Math.sign(G[k]! - target) * norms[k]!);
    });
    const sum = this.#w.reduce((a, b) => a + b, 0);
    for (let i = 0; i < this.#w.length; i++) this.#w[i] = (this.#w[i]! * this.tasks.length) / sum;
    return total;
  }
}
