// A multi-task network: one shared encoder, one named head per task (hard parameter sharing,
// Caruana 1997). `forward(x)` runs every head; `forward(x, task)` one of them.

import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { ModuleDict } from "../../nn/container.js";
import { Module } from "../../nn/module.js";
import type { Parameter } from "../../nn/parameter.js";

type Forward = Module & { forward(x: Tensor): Tensor };

export class MultiTaskModel extends Module {
  readonly encoder: Forward;
  readonly heads: ModuleDict;

  constructor(encoder: Forward, heads: Record<string, Forward>) {
    super();
    if (Object.keys(heads).length === 0) throw new FlambeauError("E_ARG", "MultiTaskModel: give at least one head", "MultiTaskModel");
    this.encoder = encoder;
    this.heads = new ModuleDict(heads);
  }

  get tasks(): string[] {
    return [...this.heads.keys()];
  }

  head(task: string): Forward {
    if (!this.heads.keys().includes(task))
      throw new FlambeauError("E_ARG", `MultiTaskModel: no head "${task}"; heads: ${this.tasks.join(", ")}`, "MultiTaskModel");
    return this.heads.get(task) as Forward;
  }

  /** Every head's output on the shared features, or one head's with `task`. */
  forward(x: Tensor): Record<string, Tensor>;
  forward(x: Tensor, task: string): Tensor;
  forward(x: Tensor, task?: string): Tensor | Record<string, Tensor> {
    const z = this.encoder.forward(x);
    if (task !== undefined) return this.head(task).forward(z) as Tensor;
    return Object.fromEntries(this.tasks.map((t) => [t, this.head(t).forward(z) as Tensor]));
  }

  /** The encoder's parameters: the ones the tasks share (and whose gradients can conflict). */
  sharedParameters(): Parameter[] {
    return this.encoder.parameters();
  }
}
