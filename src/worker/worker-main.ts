// Entry point of a Flambeau worker thread: imports the module a job names and awaits its
// exported function, so libtorch's long synchronous calls block this thread, not the owner's
// event loop. The addon is context-aware: each thread loads its own instance of the binding.
import { pathToFileURL } from "node:url";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { FlambeauError } from "../core/errors.js";
import { native } from "../core/native.js";
import { type FromWorker, isTransferResult, type JobRequest, type WorkerStart } from "./protocol.js";

/** What a job function receives after its arguments. */
export interface JobContext {
  /** Sends one line to the owner's onLog (progress, warnings). */
  log(line: string): void;
}

const moduleUrl = (spec: string): string => (spec.startsWith("/") ? pathToFileURL(spec).href : spec);

function main(): void {
  const port = parentPort;
  if (isMainThread || port === null) throw new Error("flambeau/worker/worker-main.js runs only as a worker thread");
  // Importing Flambeau here reset libtorch's process-wide thread count; restore the owner's.
  native.setNumThreads((workerData as WorkerStart).numThreads);
  const send = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  // Jobs run one after another: two would only compete for the same libtorch threads.
  let queue: Promise<void> = Promise.resolve();
  port.on("message", (m: JobRequest) => {
    queue = queue.then(async () => {
      try {
        const mod = (await import(moduleUrl(m.module))) as Record<string, unknown>;
        const fn = mod[m.export];
        if (typeof fn !== "function")
          throw new FlambeauError("E_ARG", `${m.module} has no exported function "${m.export}"`, "WorkerRunner");
        const ctx: JobContext = { log: (line) => send({ type: "log", id: m.id, line }) };
        const value = await (fn as (...a: unknown[]) => unknown)(...m.args, ctx);
        if (isTransferResult(value)) send({ type: "result", id: m.id, value: value.value }, value.transfer);
        else send({ type: "result", id: m.id, value });
      } catch (e) {
        const err = e as Error & { code?: string };
        send({ type: "error", id: m.id, message: err?.message ?? String(e), code: typeof err?.code === "string" ? err.code : undefined });
      }
    });
  });
  send({ type: "ready" });
}

main();
