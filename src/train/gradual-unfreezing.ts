// Gradual unfreezing (ULMFiT, Howard & Ruder 2018): fine-tuning starts with the pre-trained
// layers frozen and unfreezes one layer group per `every` epochs from the top down, so the
// new head settles before its gradients reach the lower layers.

import { FlambeauError } from "../core/errors.js";
import type { Module } from "../nn/module.js";
import { freeze, type NamePatterns, unfreeze } from "../nn/utils/freeze.js";
import type { Callback, TrainerState } from "./callbacks.js";

export interface GradualUnfreezingOptions {
  model: Module;
  /** Layer groups in the order they are unfrozen: the top (nearest the head) first. */
  groups: readonly NamePatterns[];
  /** Epochs between two unfreezings (default 1: group k trains from epoch k + 1 on). */
  every?: number;
}

export class GradualUnfreezing implements Callback {
  readonly model: Module;
  readonly groups: readonly NamePatterns[];
  readonly every: number;
  #unfrozen = 0;

  constructor(o: GradualUnfreezingOptions) {
    const every = o.every ?? 1;
    if (!Number.isInteger(every) || every < 1)
      throw new FlambeauError("E_ARG", `GradualUnfreezing: every must be a positive integer, got ${every}`, "GradualUnfreezing");
    if (o.groups.length === 0) throw new FlambeauError("E_ARG", "GradualUnfreezing: give at least one layer group", "GradualUnfreezing");
    this.model = o.model;
    this.groups = o.groups;
    this.every = every;
  }

  onTrainBegin(): void {
    for (const g of this.groups) freeze(this.model, g);
    this.#unfrozen = 0;
  }

  onEpochBegin(s: TrainerState): void {
    const due = Math.min(this.groups.length, Math.floor((s.epoch - 1) / this.every));
    for (; this.#unfrozen < due; this.#unfrozen++) unfreeze(this.model, this.groups[this.#unfrozen]!);
  }
}
