// Entry point of a DataLoader worker thread: re-creates the dataset from its recipe, then
// answers batch requests with collated batches whose tensor bytes are transferred back.

import { pathToFileURL } from "node:url";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { native } from "../core/native.js";
import { defaultCollate, tensorsIn } from "./collate.js";
import { type Dataset, int64Indices } from "./dataset.js";
import { encodeBatch, type FromWorker, type ToWorker, type WorkerInit } from "./worker-protocol.js";

type Factory = (...args: unknown[]) => unknown;

function moduleUrl(spec: string): string {
  return spec.startsWith("/") ? pathToFileURL(spec).href : spec;
}

async function createDataset(init: WorkerInit): Promise<{ ds: Dataset<unknown>; collate: ((s: unknown[]) => unknown) | null }> {
  const { spec } = init;
  const mod = (await import(moduleUrl(spec.module))) as Record<string, unknown>;
  const make = mod[spec.export];
  if (typeof make !== "function") throw new Error(`${spec.module} has no exported function or class named "${spec.export}"`);
  const args = spec.args ?? [];
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(make));
  const ds = (isClass ? new (make as new (...a: unknown[]) => unknown)(...args) : await (make as Factory)(...args)) as Dataset<unknown>;
  if (ds === null || typeof ds !== "object" || typeof ds.get !== "function" || !Number.isSafeInteger(ds.length))
    throw new Error(`${spec.module}#${spec.export} did not produce a dataset (an object with length and get(i))`);
  let collate: ((s: unknown[]) => unknown) | null = null;
  if (spec.collate !== undefined) {
    const c = mod[spec.collate];
    if (typeof c !== "function") throw new Error(`${spec.module} has no exported collate function named "${spec.collate}"`);
    collate = c as (s: unknown[]) => unknown;
  }
  return { ds, collate };
}

async function makeBatch(ds: Dataset<unknown>, collate: ((s: unknown[]) => unknown) | null, indices: Int32Array): Promise<unknown> {
  if (collate === null && typeof ds.getBatch === "function") {
    const idx = int64Indices(indices);
    try {
      return ds.getBatch(idx);
    } finally {
      idx.dispose();
    }
  }
  const samples = await Promise.all(Array.from(indices, (i) => ds.get(i)));
  const batch = (collate ?? defaultCollate)(samples);
  const inBatch = tensorsIn(batch);
  for (const t of tensorsIn(samples)) if (!inBatch.has(t)) t.dispose();
  return batch;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (isMainThread || port === null) throw new Error("flambeau/data/worker.js runs only as a DataLoader worker thread");
  const send = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  const init = workerData as WorkerInit;
  let made: Awaited<ReturnType<typeof createDataset>>;
  try {
    made = await createDataset(init);
    // Importing flambeau in this thread reset libtorch's (process-wide) thread count; restore the main thread's.
    native.setNumThreads(init.numThreads);
  } catch (e) {
    send({ type: "error", id: null, message: (e as Error).stack ?? String(e) });
    return;
  }
  const { ds, collate } = made;
  port.on("message", (m: ToWorker) => {
    makeBatch(ds, collate, m.indices)
      .then((batch) => {
        const transfer: ArrayBuffer[] = [];
        try {
          const wire = encodeBatch(batch, transfer);
          send({ type: "batch", id: m.id, batch: wire }, transfer);
        } finally {
          for (const t of tensorsIn(batch)) t.dispose();
        }
      })
      .catch((e: unknown) => send({ type: "error", id: m.id, message: (e as Error).stack ?? String(e) }));
  });
  send({ type: "ready", length: ds.length });
}

void main();
