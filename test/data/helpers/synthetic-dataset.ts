// A dataset DataLoader workers can re-create from (module, export, args).
import * as fl from "flambeau";

/** Sample i is { x: [i, i+0.5] float32, y: i as a number, name: "s<i>" }. */
export class Synthetic implements fl.data.Dataset<{ x: fl.Tensor; y: number; name: string }> {
  readonly length: number;
  constructor(length: number) {
    this.length = length;
  }
  get(i: number): { x: fl.Tensor; y: number; name: string } {
    if (i === 13 && this.length === 14) throw new Error("sample 13 is broken");
    return { x: fl.tensor([i, i + 0.5]), y: i, name: `s${i}` };
  }
  workerSpec(): fl.data.WorkerDatasetSpec {
    return { module: import.meta.url, export: "Synthetic", args: [this.length] };
  }
}

/** A factory returning a tensor-backed dataset (batched with getBatch in the worker). */
export function tensorRows(n: number): fl.data.TensorDataset<[fl.Tensor, fl.Tensor]> {
  return new fl.data.TensorDataset(
    fl
      .arange(0, n * 3)
      .reshape(n, 3)
      .float(),
    fl.arange(0, n),
  );
}

/** A collate exported for workers: sums of x per batch. */
export function sumCollate(samples: { x: fl.Tensor; y: number }[]): { total: number; ys: number[] } {
  return { total: samples.reduce((a, s) => a + s.x.sum().item(), 0), ys: samples.map((s) => s.y) };
}
