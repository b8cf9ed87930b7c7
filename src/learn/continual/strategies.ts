// Continual-learning strategies, as van de Ven & Tolias (2019) compare them:
// - naive fine-tuning (the lower bound) and joint training on all data so far (the upper bound);
// - regularisation of important weights: EWC (Kirkpatrick et al. 2017, online form: Fisher
//   diagonals summed over experiences) and MAS (Aljundi et al. 2018: sensitivity of the
//   output's squared norm, no labels needed);
// - functional regularisation: LwF (Li & Hoiem 2017), distilling the previous model's
//   outputs on the current inputs (temperature 2);
// - experience replay with a fixed memory, split evenly between the experiences seen.

import { FlambeauError } from "../../core/errors.js";
import { logSoftmax, noGrad, randint, softmax, type Tensor, tensor, tidy } from "../../core/index.js";
import { zerosLike } from "../../core/ops/creation.js";
import { crossEntropy, klDiv } from "../../core/ops/loss.js";
import type { Module } from "../../nn/module.js";
import { activeLogits, type ContinualBatch, type Group } from "./batches.js";
import { type Experience, type Scenario, targetsOf } from "./scenario.js";

export interface StrategyContext {
  scenario: Scenario;
  /** Index of the experience being learnt. */
  t: number;
  model: Module & { forward(x: Tensor): Tensor };
  /** A fresh model of the same architecture (LwF's frozen copy). */
  makeModel: () => Module & { forward(x: Tensor): Tensor };
}

export interface ContinualStrategy {
  readonly name: string;
  /** Train on the union of every experience so far (joint training). */
  readonly cumulative?: boolean;
  beforeExperience?(ctx: StrategyContext): void;
  afterExperience?(ctx: StrategyContext): void;
  /** Examples to add to a batch of the current experience (replay), with their loss weight. */
  extra?(ctx: StrategyContext, batchSize: number): { groups: Group[]; weight: number } | undefined;
  /** A term added to the loss (regularisers, distillation). */
  penalty?(ctx: StrategyContext, batch: ContinualBatch): Tensor | undefined;
  dispose?(): void;
}

const checkPositive = (op: string, name: string, v: number) => {
  if (!(Number.isFinite(v) && v > 0)) throw new FlambeauError("E_ARG", `${op}: ${name} must be a positive number, got ${v}`, op);
};

export const naive = (): ContinualStrategy => ({ name: "naive" });

export const joint = (): ContinualStrategy => ({ name: "joint", cumulative: true });

/** Rows of an experience's training set, drawn at random (importance estimates, memories). */
function sample(e: Experience, n: number): { x: Tensor; y: Tensor } {
  return tidy(() => {
    const at = randint(0, e.train.y.shape[0]!, [Math.min(n, e.train.y.shape[0]!)], { dtype: "int64" });
    return { x: e.train.x.indexSelect(0, at), y: e.train.y.indexSelect(0, at) };
  });
}

/**
 * Quadratic pull towards the weights after the last experience, each weight scaled by its
 * accumulated importance: λ/2 · Σ Ω (θ − θ*)². `importance` returns, for one example, the
 * per-parameter values to add (EWC: squared log-likelihood gradients; MAS: |gradients| of ‖f(x)‖²).
 */
class ImportanceRegulariser implements ContinualStrategy {
  readonly #omega = new Map<string, Tensor>();
  readonly #anchor = new Map<string, Tensor>();

  constructor(
    readonly name: string,
    readonly lambda: number,
    readonly samples: number,
    readonly measure: (ctx: StrategyContext, x: Tensor, y: Tensor) => Tensor,
    readonly transform: (g: Tensor) => Tensor,
  ) {
    checkPositive(name, "lambda", lambda);
    if (!Number.isInteger(samples) || samples < 1)
      throw new FlambeauError("E_ARG", `${name}: samples must be a positive integer, got ${samples}`, name);
  }

  afterExperience(ctx: StrategyContext): void {
    const named = ctx.model.namedParameters().filter(([, p]) => p.requiresGrad);
    const { x, y } = sample(ctx.scenario.experiences[ctx.t]!, this.samples);
    const n = y.shape[0]!;
    const sums = new Map(named.map(([k, p]) => [k, zerosLike(p).keep()]));
    for (let i = 0; i < n; i++)
      tidy(() => {
        ctx.model.zeroGrad();
        this.measure(ctx, x.narrow(0, i, 1), y.narrow(0, i, 1)).backward();
        noGrad(() => {
          for (const [k, p] of named) if (p.grad) sums.get(k)!.add_(this.transform(p.grad));
        });
      });
    ctx.model.zeroGrad();
    x.dispose();
    y.dispose();
    noGrad(() => {
      for (const [k, p] of named) {
        const s = sums.get(k)!.div_(n);
        const old = this.#omega.get(k);
        if (old) {
          old.add_(s);
          s.dispose();
        } else this.#omega.set(k, s);
        this.#anchor.get(k)?.dispose();
        this.#anchor.set(k, p.detach().clone().keep());
      }
    });
  }

  penalty(ctx: StrategyContext): Tensor | undefined {
    if (this.#omega.size === 0) return undefined;
    let total: Tensor | undefined;
    for (const [k, p] of ctx.model.namedParameters()) {
      const omega = this.#omega.get(k);
      if (!omega) continue;
      const term = omega.mul(p.sub(this.#anchor.get(k)!).pow(2)).sum();
      total = total ? total.add(term) : term;
    }
    return total?.mul(this.lambda / 2);
  }

  dispose(): void {
    for (const t of [...this.#omega.values(), ...this.#anchor.values()]) t.dispose();
    this.#omega.clear();
    this.#anchor.clear();
  }
}

/** EWC (online): empirical Fisher diagonal from `samples` training examples of each experience. */
export const ewc = (o: { lambda?: number; samples?: number } = {}): ContinualStrategy =>
  new ImportanceRegulariser(
    "ewc",
    o.lambda ?? 5000,
    o.samples ?? 200,
    // The log-likelihood of the example's own label, whose squared gradient is the empirical Fisher.
    (ctx, x, y) =>
      crossEntropy(
        activeLogits(ctx.model, ctx.scenario, ctx.t, x, ctx.t),
        targetsOf(ctx.scenario, ctx.scenario.experiences[ctx.t]!, y, ctx.t),
        {
          reduction: "sum",
        },
      ),
    (g) => g.pow(2),
  );

/** MAS: importance = |∂‖f(x)‖² / ∂θ| averaged over `samples` examples (no labels used). */
export const mas = (o: { lambda?: number; samples?: number } = {}): ContinualStrategy =>
  new ImportanceRegulariser(
    "mas",
    o.lambda ?? 1,
    o.samples ?? 200,
    (ctx, x) => activeLogits(ctx.model, ctx.scenario, ctx.t, x, ctx.t).pow(2).sum(),
    (g) => g.abs(),
  );

/** LwF: the loss adds T² · KL(previous model ‖ current model) at temperature T on the units learnt so far. */
export function lwf(o: { alpha?: number; temperature?: number } = {}): ContinualStrategy {
  const alpha = o.alpha ?? 1;
  const temperature = o.temperature ?? 2;
  checkPositive("lwf", "alpha", alpha);
  checkPositive("lwf", "temperature", temperature);
  let teacher: (Module & { forward(x: Tensor): Tensor }) | undefined;
  return {
    name: "lwf",
    beforeExperience(ctx) {
      if (ctx.t === 0) return;
      teacher = ctx.makeModel();
      const sd = ctx.model.stateDict();
      teacher.loadStateDict(sd);
      for (const t of sd.values()) t.dispose();
      teacher.eval();
    },
    penalty(ctx, batch) {
      if (!teacher || ctx.t === 0) return undefined;
      const tch = teacher;
      let total: Tensor | undefined;
      // What the previous model knew: every earlier head (task-IL), or its one head over the classes seen before.
      const heads = ctx.scenario.mode === "task" ? Array.from({ length: ctx.t }, (_, k) => k) : [ctx.t - 1];
      for (const g of batch)
        for (const h of heads) {
          const soft = noGrad(() => softmax(activeLogits(tch, ctx.scenario, h, g.x, ctx.t - 1).div(temperature), 1));
          const logP = logSoftmax(activeLogits(ctx.model, ctx.scenario, h, g.x, ctx.t - 1).div(temperature), 1);
          const term = klDiv(logP, soft, { reduction: "sum" });
          total = total ? total.add(term) : term;
        }
      const n = batch.reduce((a, g) => a + g.y.shape[0]!, 0);
      return total?.mul((alpha * temperature * temperature) / n);
    },
    dispose() {
      teacher = undefined;
    },
  };
}

/** Experience replay: a memory of `memory` examples split evenly between the experiences seen. */
export function replay(o: { memory?: number } = {}): ContinualStrategy {
  const memory = o.memory ?? 1000;
  if (!Number.isInteger(memory) || memory < 1)
    throw new FlambeauError("E_ARG", `replay: memory must be a positive integer, got ${memory}`, "replay");
  const stored: Group[] = [];
  return {
    name: "replay",
    afterExperience(ctx) {
      const per = Math.floor(memory / (ctx.t + 1));
      // Shrink the older experiences' shares to make room, keeping a random subset.
      for (const g of stored.splice(0)) {
        const keep = tidy(() => {
          const at = tensor(
            Array.from({ length: Math.min(per, g.y.shape[0]!) }, (_, i) => i),
            { dtype: "int64" },
          );
          return { exp: g.exp, x: g.x.indexSelect(0, at), y: g.y.indexSelect(0, at) };
        });
        g.x.dispose();
        g.y.dispose();
        stored.push(keep);
      }
      const s = sample(ctx.scenario.experiences[ctx.t]!, per);
      stored.push({ exp: ctx.t, ...s });
    },
    extra(ctx, batchSize) {
      if (stored.length === 0) return undefined;
      const groups = stored.map((g) =>
        tidy(() => {
          const k = Math.max(1, Math.round(batchSize / stored.length));
          const at = randint(0, g.y.shape[0]!, [k], { dtype: "int64" });
          return { exp: g.exp, x: g.x.indexSelect(0, at), y: g.y.indexSelect(0, at) };
        }),
      );
      // van de Ven & Tolias weight the replayed loss by the share of experiences it stands for.
      return { groups, weight: ctx.t / (ctx.t + 1) };
    },
    dispose() {
      for (const g of stored.splice(0)) {
        g.x.dispose();
        g.y.dispose();
      }
    },
  };
}

export const STRATEGIES = { naive, joint, ewc, mas, lwf, replay } as const;
export type StrategyName = keyof typeof STRATEGIES;
