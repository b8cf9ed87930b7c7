// What crosses between the DataLoader and its worker threads: a recipe to re-create the
// dataset, and batches whose tensors travel as raw ArrayBuffers (transferred, not copied)
// with their shape and dtype, to be wrapped as tensors on the receiving side.
import { type DType, dtypeCode } from "../core/dtype.js";
import { FlambeauError } from "../core/errors.js";
import { Tensor } from "../core/index.js";
import { native } from "../core/native.js";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * How a worker re-creates a dataset: `module` (absolute path, file: URL or package name)
 * exports `export`, either a factory `(...args) => Dataset | Promise<Dataset>` or a Dataset
 * class constructed with `new (...args)`. `collate` optionally names a collate function
 * exported by the same module (functions cannot be sent to a worker).
 */
export interface WorkerDatasetSpec {
  module: string;
  export: string;
  args?: readonly JsonValue[];
  collate?: string;
}

/** A tensor in transit. */
export interface WireTensor {
  readonly __flambeauTensor: 1;
  dtype: DType;
  shape: number[];
  buffer: ArrayBuffer;
}

export type ToWorker = { type: "batch"; id: number; indices: Int32Array };
export type FromWorker =
  | { type: "ready"; length: number }
  | { type: "batch"; id: number; batch: unknown }
  | { type: "error"; id: number | null; message: string };

export interface WorkerInit {
  spec: WorkerDatasetSpec;
  numThreads: number;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

const isWire = (v: unknown): v is WireTensor => isPlain(v) && v.__flambeauTensor === 1;

/** Replaces every tensor in `v` by a WireTensor; the buffers to transfer go into `transfer`. */
export function encodeBatch(v: unknown, transfer: ArrayBuffer[]): unknown {
  if (v instanceof Tensor) {
    const buffer = native.toBuffer(v.handle);
    transfer.push(buffer);
    const w: WireTensor = { __flambeauTensor: 1, dtype: v.dtype, shape: [...v.shape], buffer };
    return w;
  }
  if (Array.isArray(v)) return v.map((x) => encodeBatch(x, transfer));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, encodeBatch(x, transfer)]));
  if (isPlain(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeBatch(x, transfer)]));
  return v;
}

/** Wraps every WireTensor in `v` as a Tensor (one copy into libtorch memory). */
export function decodeBatch(v: unknown): unknown {
  if (isWire(v)) {
    const code = dtypeCode[v.dtype];
    if (code === undefined) throw new FlambeauError("E_STATE", `DataLoader worker sent an unknown dtype ${String(v.dtype)}`, "DataLoader");
    return new Tensor(native.fromBuffer(new Uint8Array(v.buffer), v.shape, code));
  }
  if (Array.isArray(v)) return v.map(decodeBatch);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, decodeBatch(x)]));
  if (isPlain(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeBatch(x)]));
  return v;
}
