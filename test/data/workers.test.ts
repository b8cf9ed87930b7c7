import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as fl from "flambeau";
import { Synthetic } from "./helpers/synthetic-dataset.js";

const helper = new URL("./helpers/synthetic-dataset.js", import.meta.url).href;

type Batch = { x: fl.Tensor; y: fl.Tensor; name: string[] };
async function epoch(loader: fl.data.DataLoader<{ x: fl.Tensor; y: number; name: string }, Batch>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const b of loader) {
    out.push([b.x.toArray(), b.y.toArray(), b.name, b.x.dtype, b.y.dtype]);
    fl.dispose(b);
  }
  return out;
}

describe("DataLoader with worker threads", () => {
  test("workers re-create the dataset and give the same batches, in order, as the main thread", async () => {
    const ds = new Synthetic(37);
    const opts = { batchSize: 5, shuffle: true, seed: 3 };
    const local = new fl.data.DataLoader(ds, opts);
    const workers = new fl.data.DataLoader(ds, { ...opts, numWorkers: 2 });
    try {
      const want0 = await epoch(local);
      const want1 = await epoch(local);
      assert.deepEqual(await epoch(workers), want0);
      assert.deepEqual(await epoch(workers), want1); // workers persist across epochs
    } finally {
      await workers.close();
    }
  });

  test("a factory export with getBatch, and a named collate export", async () => {
    const tensorRows = new fl.data.DataLoader(new fl.data.TensorDataset(fl.zeros([9, 3]), fl.zeros([9])), {
      batchSize: 4,
      numWorkers: 1,
      worker: { module: helper, export: "tensorRows", args: [9] },
      transform: ([x, y]) => [x!.add(1), y!],
    });
    const got: number[][] = [];
    for await (const [x, y] of tensorRows) {
      got.push((y!.toArray() as number[]).map(Number));
      assert.equal(x!.dtype, "float32");
      assert.equal((x!.toArray() as number[][])[0]![0], Number(got.at(-1)![0]) * 3 + 1);
      fl.dispose([x, y]);
    }
    await tensorRows.close();
    assert.deepEqual(got, [[0, 1, 2, 3], [4, 5, 6, 7], [8]]);

    const sums = new fl.data.DataLoader(new Synthetic(4), {
      batchSize: 2,
      numWorkers: 1,
      collate: (s) => ({ total: s.length, ys: [] as number[] }),
      worker: { module: helper, export: "Synthetic", args: [4], collate: "sumCollate" },
    });
    const totals: unknown[] = [];
    for await (const b of sums) totals.push(b);
    await sums.close();
    assert.deepEqual(totals, [
      { total: 0 + 0.5 + 1 + 1.5, ys: [0, 1] },
      { total: 2 + 2.5 + 3 + 3.5, ys: [2, 3] },
    ]);
  });

  test("failures are reported with the worker and the cause", async () => {
    const broken = new fl.data.DataLoader(new Synthetic(14), { batchSize: 7, numWorkers: 1 });
    await assert.rejects(
      epoch(broken),
      (e: fl.FlambeauError) => e.code === "E_STATE" && /worker 0 .* failed on a batch: Error: sample 13 is broken/s.test(e.message),
    );
    await broken.close();
    const missing = new fl.data.DataLoader(new Synthetic(3), { numWorkers: 1, worker: { module: helper, export: "Nope" } });
    await assert.rejects(epoch(missing), /could not create the dataset: .*no exported function or class named "Nope"/s);
    const mismatch = new fl.data.DataLoader(new Synthetic(3), {
      numWorkers: 1,
      worker: { module: helper, export: "Synthetic", args: [4] },
    });
    await assert.rejects(epoch(mismatch), /built a dataset of length 4, the main thread's has 3/);
    const plain: fl.data.Dataset<number> = { length: 2, get: (i) => i };
    assert.throws(() => new fl.data.DataLoader(plain, { numWorkers: 1 }), /needs a dataset a worker can re-create/);
    assert.throws(
      () => new fl.data.DataLoader(new Synthetic(2), { numWorkers: 1, collate: (s) => s }),
      /a collate function cannot be sent to a worker thread/,
    );
  });
});
