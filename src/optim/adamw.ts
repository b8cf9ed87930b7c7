// AdamW (PyTorch's optim/adamw.py): Adam with decoupled weight decay — the weights shrink by
// lr · weightDecay each step instead of the decay entering the moment estimates.
import { ADAM_DEFAULTS, type AdamOptions, checkAdamOptions, stepAdamGroup } from "./adam.js";
import { Optimizer, type OptimizerOptions, type Params } from "./optimizer.js";

/** AdamW's options are Adam's; only weightDecay's default differs (1e-2). */
export type AdamWOptions = AdamOptions;

export class AdamW extends Optimizer<AdamWOptions & OptimizerOptions> {
  constructor(params: Params<AdamWOptions & OptimizerOptions>, options: AdamWOptions = {}) {
    super("AdamW", params, { ...ADAM_DEFAULTS, weightDecay: 1e-2, ...options });
  }

  protected validate(o: Required<AdamWOptions>): void {
    checkAdamOptions("AdamW", o);
  }

  step(): void {
    this.update(() => {
      for (const group of this.paramGroups) {
        const { params, grads } = this.withGrads(group);
        stepAdamGroup(params, grads, (p) => this.stateOf(p), group, true);
      }
    });
  }
}
