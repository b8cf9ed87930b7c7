// Batches of a continual run: each batch is a list of groups, one per experience its examples
// come from, because every experience is scored on its own output units (its head in
// task-incremental learning, the classes seen so far in class-incremental learning).

import { randperm, type Tensor, tensor, tidy } from "../../core/index.js";
import { crossEntropy } from "../../core/ops/loss.js";
import { activeUnits, type Scenario, targetsOf } from "./scenario.js";

export interface Group {
  /** Index of the experience the examples come from. */
  exp: number;
  x: Tensor;
  y: Tensor;
}

export type ContinualBatch = Group[];

export interface ClassifierModule {
  forward(x: Tensor): Tensor;
}

/** Logits of `x` on experience `exp`'s active units when experiences 0..upTo are learnt. */
export function activeLogits(model: ClassifierModule, s: Scenario, exp: number, x: Tensor, upTo: number): Tensor {
  const units = activeUnits(s, s.experiences[exp]!, upTo);
  const out = model.forward(x);
  return units.length === out.shape[1] && units.every((u, k) => u === k) ? out : out.indexSelect(1, tensor(units, { dtype: "int64" }));
}

/** Mean cross-entropy of the groups, each on its own units, weighted by group size. */
export function groupsLoss(model: ClassifierModule, s: Scenario, groups: readonly Group[], upTo: number): Tensor {
  return tidy(() => {
    const n = groups.reduce((a, g) => a + g.y.shape[0]!, 0);
    let total: Tensor | undefined;
    for (const g of groups) {
      const l = crossEntropy(activeLogits(model, s, g.exp, g.x, upTo), targetsOf(s, s.experiences[g.exp]!, g.y, upTo), {
        reduction: "sum",
      });
      total = total ? total.add(l) : l;
    }
    return total!.div(n);
  });
}

/** Shuffled batches over the union of `sets` (each tagged with its experience), split into groups. */
export function* pooledBatches(sets: readonly { exp: number; x: Tensor; y: Tensor }[], batchSize: number): Generator<ContinualBatch> {
  const sizes = sets.map((s) => s.y.shape[0]!);
  const total = sizes.reduce((a, b) => a + b, 0);
  const order = randperm(total).toArray() as number[];
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  for (let b = 0; b < total; b += batchSize) {
    const chunk = order.slice(b, b + batchSize).map(Number);
    yield tidy(() =>
      sets.flatMap((s, i) => {
        const rows = chunk.filter((r) => r >= starts[i]! && r < starts[i]! + sizes[i]!).map((r) => r - starts[i]!);
        if (rows.length === 0) return [];
        const at = tensor(rows, { dtype: "int64" });
        return [{ exp: s.exp, x: s.x.indexSelect(0, at), y: s.y.indexSelect(0, at) }];
      }),
    );
  }
}
