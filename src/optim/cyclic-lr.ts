// CyclicLR (PyTorch 1.13's lr_scheduler.CyclicLR): the lr cycles between baseLr and maxLr,
// with the amplitude scaled per cycle (triangular, triangular2) or per iteration
// (exp_range, or a custom scale function); momentum, if cycled, moves the opposite way.
import { argError } from "../core/errors.js";
import { checkFinite, LRScheduler, perGroup, type SchedulerOptions, type SchedulerStateDict } from "./lr-scheduler.js";
import type { Optimizer } from "./optimizer.js";

export type CyclicLRMode = "triangular" | "triangular2" | "exp_range";

export interface CyclicLROptions extends SchedulerOptions {
  /** The lower lr of the cycle, one for all groups or one per group (also the groups' initial lr). */
  baseLr: number | readonly number[];
  /** The upper lr of the cycle (reached at the end of stepSizeUp when the scale is 1). */
  maxLr: number | readonly number[];
  /** Iterations of the rising half (default 2000). */
  stepSizeUp?: number;
  /** Iterations of the falling half (default stepSizeUp). */
  stepSizeDown?: number;
  /** The built-in amplitude policy (default "triangular"); ignored when scaleFn is given. */
  mode?: CyclicLRMode;
  /** exp_range's base: the amplitude is gamma^iteration (default 1). */
  gamma?: number;
  /** A custom amplitude, 0 ≤ scaleFn(x) ≤ 1, of the cycle number or the iteration (scaleMode). */
  scaleFn?: (x: number) => number;
  /** What scaleFn is given: the cycle number (default) or the iteration. */
  scaleMode?: "cycle" | "iterations";
  /** Cycle the optimizer's momentum between maxMomentum and baseMomentum (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
}

type MomentumGroup = { momentum?: number };

export class CyclicLR extends LRScheduler {
  readonly maxLrs: number[];
  readonly totalSize: number;
  readonly stepRatio: number;
  readonly mode: CyclicLRMode;
  readonly gamma: number;
  readonly scaleMode: "cycle" | "iterations";
  readonly cycleMomentum: boolean;
  readonly baseMomentums: number[] = [];
  readonly maxMomentums: number[] = [];
  readonly #scaleFn: (x: number) => number;

  constructor(optimizer: Optimizer, options: CyclicLROptions) {
    const op = "CyclicLR";
    if (options === null || typeof options !== "object") argError(op, "expected options { baseLr, maxLr, … }");
    const lastEpoch = options.lastEpoch ?? -1;
    const baseLrs = perGroup(op, "baseLr", options.baseLr, optimizer);
    baseLrs.forEach((v, i) => checkFinite(op, `baseLr[${i}]`, v));
    if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => (g.lr = baseLrs[i]!));
    const maxLrs = perGroup(op, "maxLr", options.maxLr, optimizer);
    maxLrs.forEach((v, i) => checkFinite(op, `maxLr[${i}]`, v));
    const up = options.stepSizeUp ?? 2000;
    const down = options.stepSizeDown ?? up;
    for (const [k, v] of [
      ["stepSizeUp", up],
      ["stepSizeDown", down],
    ] as const)
      if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) argError(op, `${k} must be a number > 0, got ${String(v)}`);
    const mode = options.mode ?? "triangular";
    if (options.scaleFn === undefined && !["triangular", "triangular2", "exp_range"].includes(mode))
      argError(op, `mode must be "triangular", "triangular2" or "exp_range" (or give scaleFn), got ${JSON.stringify(mode)}`);
    if (options.scaleFn !== undefined && typeof options.scaleFn !== "function") argError(op, "scaleFn must be a function");
    const gamma = options.gamma ?? 1;
    checkFinite(op, "gamma", gamma);
    const cycleMomentum = options.cycleMomentum ?? true;
    let baseMomentums: number[] = [];
    let maxMomentums: number[] = [];
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults))
        argError(op, `cycleMomentum needs an optimizer with momentum (${optimizer.name} has none); pass cycleMomentum: false`);
      const bm = perGroup(op, "baseMomentum", options.baseMomentum ?? 0.8, optimizer);
      if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => ((g as MomentumGroup).momentum = bm[i]!));
      baseMomentums = optimizer.paramGroups.map((g) => (g as MomentumGroup).momentum!);
      maxMomentums = perGroup(op, "maxMomentum", options.maxMomentum ?? 0.9, optimizer);
    }
    super(optimizer, lastEpoch);
    this.baseLrs = baseLrs;
    this.maxLrs = maxLrs;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = mode;
    this.gamma = gamma;
    this.cycleMomentum = cycleMomentum;
    this.baseMomentums = baseMomentums;
    this.maxMomentums = maxMomentums;
    if (options.scaleFn !== undefined) {
      this.#scaleFn = options.scaleFn;
      this.scaleMode = options.scaleMode ?? "cycle";
      if (this.scaleMode !== "cycle" && this.scaleMode !== "iterations")
        argError(op, `scaleMode must be "cycle" or "iterations", got ${JSON.stringify(this.scaleMode)}`);
    } else if (mode === "triangular") {
      this.#scaleFn = () => 1;
      this.scaleMode = "cycle";
    } else if (mode === "triangular2") {
      this.#scaleFn = (x) => 1 / 2 ** (x - 1);
      this.scaleMode = "cycle";
    } else {
      this.#scaleFn = (x) => this.gamma ** x;
      this.scaleMode = "iterations";
    }
    this.initialStep();
  }

  protected computeLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.#scaleFn(this.scaleMode === "cycle" ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i]! - base) * scaleFactor * scale);
    if (this.cycleMomentum)
      this.optimizer.paramGroups.forEach((g, i) => {
        const maxM = this.maxMomentums[i]!;
        (g as MomentumGroup).momentum = maxM - (maxM - this.baseMomentums[i]!) * scaleFactor * scale;
      });
    return lrs;
  }

  override stateDict(): SchedulerStateDict {
    return {
      ...super.stateDict(),
      max_lrs: [...this.maxLrs],
      base_momentums: [...this.baseMomentums],
      max_momentums: [...this.maxMomentums],
    };
  }
}
