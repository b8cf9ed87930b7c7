// Cosine-shaped schedules: CosineAnnealingLR (PyTorch's chainable SGDR form without
// restarts) and OneCycleLR (warm up to maxLr, anneal far below the start, momentum cycled
// inversely — `momentum` for SGD-like optimizers, betas[0] for Adam-like ones).
import { argError } from "../core/errors.js";
import { checkFinite, checkInt, LRScheduler, perGroup, type SchedulerOptions } from "./lr-scheduler.js";
import type { Optimizer } from "./optimizer.js";

export interface CosineAnnealingLROptions extends SchedulerOptions {
  /** Epochs of a half cosine period. */
  tMax: number;
  /** The lowest lr (default 0). */
  etaMin?: number;
}

/** Anneals the lr from its initial value to etaMin along a cosine over tMax epochs (then back up). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    super(optimizer, options.lastEpoch);
    checkInt("CosineAnnealingLR", "tMax", options.tMax, 1);
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    checkFinite("CosineAnnealingLR", "etaMin", this.etaMin);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { tMax: T, etaMin: eta, lastEpoch: t } = this;
    const groups = this.optimizer.paramGroups;
    if (t === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0) return this.baseLrs.map((b) => eta + ((b - eta) * (1 + Math.cos((t * Math.PI) / T))) / 2);
    if ((t - 1 - T) % (2 * T) === 0) return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - eta) * (1 - Math.cos(Math.PI / T))) / 2);
    return groups.map((g) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (g.lr - eta) + eta);
  }

  protected override closedFormLr(): number[] {
    const { tMax: T, etaMin: eta, lastEpoch: t } = this;
    return this.baseLrs.map((b) => eta + ((b - eta) * (1 + Math.cos((Math.PI * t) / T))) / 2);
  }
}

interface OneCycleCommon extends SchedulerOptions {
  /** The peak lr, for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Fraction of the cycle spent increasing the lr (default 0.3). */
  pctStart?: number;
  /** Shape of the anneal (default "cos"). */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum inversely to the lr (default true): SGD's momentum, or Adam's betas[0]. */
  cycleMomentum?: boolean;
  /** Momentum at the lr peak (default 0.85). */
  baseMomentum?: number | readonly number[];
  /** Momentum at the start and the end (default 0.95). */
  maxMomentum?: number | readonly number[];
  /** Initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** Final lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Annealing back to the initial lr before the final decay (fast.ai's schedule, default false). */
  threePhase?: boolean;
}

/** OneCycleLR's options: the cycle length is totalSteps, or epochs × stepsPerEpoch. */
export type OneCycleLROptions = OneCycleCommon &
  ({ totalSteps: number; epochs?: never; stepsPerEpoch?: never } | { epochs: number; stepsPerEpoch: number; totalSteps?: never });

type Phase = {
  endStep: number;
  startLr: "initialLr" | "maxLr" | "minLr";
  endLr: "initialLr" | "maxLr" | "minLr";
  startM: "maxMomentum" | "baseMomentum";
  endM: "maxMomentum" | "baseMomentum";
};
type MomentumGroup = { momentum?: number; betas?: readonly [number, number]; maxMomentum?: number; baseMomentum?: number };

const annealCos = (start: number, end: number, pct: number): number => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
const annealLinear = (start: number, end: number, pct: number): number => (end - start) * pct + start;

/** The 1cycle policy (Smith & Topin): one step() per batch, totalSteps in all. */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly cycleMomentum: boolean;
  readonly #phases: Phase[];
  readonly #anneal: (start: number, end: number, pct: number) => number;
  readonly #useBeta1: boolean;

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    const op = "OneCycleLR";
    const o = options;
    let total: number;
    if (o.totalSteps !== undefined) {
      checkInt(op, "totalSteps", o.totalSteps, 1);
      total = o.totalSteps;
    } else {
      const { epochs, stepsPerEpoch } = o as { epochs?: unknown; stepsPerEpoch?: unknown };
      if (epochs === undefined && stepsPerEpoch === undefined) argError(op, "give totalSteps, or epochs and stepsPerEpoch");
      checkInt(op, "epochs", epochs, 1);
      checkInt(op, "stepsPerEpoch", stepsPerEpoch, 1);
      total = epochs * stepsPerEpoch;
    }
    const pctStart = o.pctStart ?? 0.3;
    if (typeof pctStart !== "number" || !(pctStart >= 0 && pctStart <= 1))
      argError(op, `pctStart must be in [0, 1], got ${String(pctStart)}`);
    const strategy = o.annealStrategy ?? "cos";
    if (strategy !== "cos" && strategy !== "linear")
      argError(op, `annealStrategy must be "cos" or "linear", got ${JSON.stringify(strategy)}`);
    const divFactor = o.divFactor ?? 25;
    const finalDivFactor = o.finalDivFactor ?? 1e4;
    checkFinite(op, "divFactor", divFactor);
    checkFinite(op, "finalDivFactor", finalDivFactor);
    const cycleMomentum = o.cycleMomentum ?? true;
    const useBeta1 = "betas" in optimizer.defaults;
    if (cycleMomentum && !useBeta1 && !("momentum" in optimizer.defaults))
      argError(op, `cycleMomentum needs an optimizer with momentum or betas (${optimizer.name} has neither); pass cycleMomentum: false`);
    const lastEpoch = o.lastEpoch ?? -1;
    // Like PyTorch, the groups get their cycle's lrs and momenta before the base reads initialLr.
    if (lastEpoch === -1) {
      const maxLrs = perGroup(op, "maxLr", o.maxLr, optimizer);
      optimizer.paramGroups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = g.initialLr / finalDivFactor;
      });
      if (cycleMomentum) {
        const maxM = perGroup(op, "maxMomentum", o.maxMomentum ?? 0.95, optimizer);
        const baseM = perGroup(op, "baseMomentum", o.baseMomentum ?? 0.85, optimizer);
        optimizer.paramGroups.forEach((g, i) => {
          const mg = g as MomentumGroup;
          if (useBeta1) mg.betas = [maxM[i]!, mg.betas![1]];
          else mg.momentum = maxM[i]!;
          mg.maxMomentum = maxM[i]!;
          mg.baseMomentum = baseM[i]!;
        });
      }
    }
    super(optimizer, lastEpoch);
    this.totalSteps = total;
    this.cycleMomentum = cycleMomentum;
    this.#useBeta1 = useBeta1;
    this.#anneal = strategy === "cos" ? annealCos : annealLinear;
    this.#phases = o.threePhase
      ? [
          { endStep: pctStart * total - 1, startLr: "initialLr", endLr: "maxLr", startM: "maxMomentum", endM: "baseMomentum" },
          { endStep: 2 * pctStart * total - 2, startLr: "maxLr", endLr: "initialLr", startM: "baseMomentum", endM: "maxMomentum" },
          { endStep: total - 1, startLr: "initialLr", endLr: "minLr", startM: "maxMomentum", endM: "maxMomentum" },
        ]
      : [
          { endStep: pctStart * total - 1, startLr: "initialLr", endLr: "maxLr", startM: "maxMomentum", endM: "baseMomentum" },
          { endStep: total - 1, startLr: "maxLr", endLr: "minLr", startM: "baseMomentum", endM: "maxMomentum" },
        ];
    this.initialStep();
  }

  protected computeLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) argError("OneCycleLR", `stepped ${t + 1} times, but the cycle has totalSteps ${this.totalSteps}`);
    const phases = this.#phases;
    return this.optimizer.paramGroups.map((g) => {
      let start = 0;
      let lr = Number.NaN;
      for (const [i, ph] of phases.entries()) {
        if (t <= ph.endStep || i === phases.length - 1) {
          // A phase of zero length (pctStart × total = 1) is already over; PyTorch divides by zero here and gives NaN.
          const span = ph.endStep - start;
          const pct = span > 0 ? (t - start) / span : 1;
          lr = this.#anneal(g[ph.startLr]!, g[ph.endLr]!, pct);
          if (this.cycleMomentum) {
            const mg = g as MomentumGroup;
            const m = this.#anneal(mg[ph.startM]!, mg[ph.endM]!, pct);
            if (this.#useBeta1) mg.betas = [m, mg.betas![1]];
            else mg.momentum = m;
          }
          break;
        }
        start = ph.endStep;
      }
      return lr;
    });
  }
}
