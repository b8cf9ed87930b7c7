// SequentialLR (PyTorch's): hands the optimizer from one scheduler to the next at milestone
// epochs — the usual warm-up (LinearLR) followed by the main schedule.
import { argError } from "../core/errors.js";
import { checkInt, LRScheduler, type SchedulerOptions, type SchedulerStateDict } from "./lr-scheduler.js";
import type { Optimizer } from "./optimizer.js";

export class SequentialLR extends LRScheduler {
  readonly schedulers: readonly LRScheduler[];
  readonly milestones: readonly number[];

  /** `milestones[i]` is the epoch at which `schedulers[i + 1]` takes over (restarting at its epoch 0). */
  constructor(optimizer: Optimizer, schedulers: readonly LRScheduler[], milestones: readonly number[], options: SchedulerOptions = {}) {
    super(optimizer, options.lastEpoch);
    const op = "SequentialLR";
    if (!Array.isArray(schedulers) || schedulers.length === 0) argError(op, "expected a non-empty array of schedulers");
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) argError(op, `schedulers[${i}] is not an LRScheduler (ReduceLROnPlateau cannot be sequenced)`);
      if (s.optimizer !== optimizer) argError(op, `schedulers[${i}] drives a different optimizer than the one given`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1)
      argError(op, `expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${JSON.stringify(milestones)}`);
    milestones.forEach((m, i) => {
      checkInt(op, `milestones[${i}]`, m, 1);
      if (i > 0 && m <= milestones[i - 1]!) argError(op, `milestones must increase, got ${JSON.stringify(milestones)}`);
    });
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = (options.lastEpoch ?? -1) + 1;
    // Undo the steps the schedulers took when they were built, then start the first one.
    for (const g of optimizer.paramGroups) g.lr = g.initialLr!;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!.initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  protected computeLr(): number[] {
    return this.lastLr;
  }

  override step(): void {
    this.lastEpoch++;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(sd: SchedulerStateDict): void {
    super.loadStateDict(sd);
    const subs = sd._schedulers;
    if (!Array.isArray(subs) || subs.length !== this.schedulers.length)
      argError("SequentialLR", `loadStateDict: expected _schedulers with ${this.schedulers.length} entries`);
    subs.forEach((s, i) => this.schedulers[i]!.loadStateDict(s as SchedulerStateDict));
  }
}
