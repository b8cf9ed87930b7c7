// Messages between a Flambeau worker thread (worker-main.ts) and its owner (WorkerRunner).
// A job names a module and an exported async function; arguments and results are
// structured-cloned, so they are plain data (tensors cross as WireTensors, see data's protocol).
import type { JsonValue } from "../data/worker-protocol.js";

export interface WorkerStart {
  /** libtorch's thread count is process-wide and importing Flambeau in a thread resets it. */
  numThreads: number;
}

export interface JobRequest {
  type: "job";
  id: number;
  /** Absolute path or file URL of an ES module. */
  module: string;
  export: string;
  args: readonly unknown[];
}

export type FromWorker =
  | { type: "ready" }
  | { type: "result"; id: number; value: unknown }
  | { type: "error"; id: number; message: string; code?: string }
  | { type: "log"; id: number; line: string };

export type { JsonValue };

/** A job's result with the ArrayBuffers to transfer (not copy) back to the owner: see `withTransfer`. */
export interface TransferResult {
  readonly __flambeauTransfer: 1;
  value: unknown;
  transfer: ArrayBuffer[];
}

/** Returned by a job, sends `value` back moving `transfer`'s buffers instead of copying them. */
export const withTransfer = (value: unknown, transfer: ArrayBuffer[]): TransferResult => ({ __flambeauTransfer: 1, value, transfer });

export const isTransferResult = (v: unknown): v is TransferResult =>
  v !== null && typeof v === "object" && (v as { __flambeauTransfer?: unknown }).__flambeauTransfer === 1;
