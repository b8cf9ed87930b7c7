// The tensor-shard fixture format the PyTorch-suite replays share (scripts/fixtures/opinfo_db.py
// writes it, moduleinfo_db.py reuses its writer): gzipped raw little-endian tensor bytes, each in
// its own dtype, addressed by TensorEntry from a JSON index; and the LCG cotangent stream both
// generators weight the outputs with before backward.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import * as fl from "flambeau";

export interface TensorEntry {
  dtype: string;
  shape: number[];
  offset: number;
  bytes: number;
  complex?: boolean;
  requiresGrad?: boolean;
}
/** An argument or output as the generator encodes it. */
export type Encoded =
  | null
  | string
  | number
  | boolean
  | Encoded[]
  | { named: string[]; items: Encoded[] }
  | { tensor: number | TensorEntry }
  | { float: number | string }
  | { int: string }
  | { dtype: string }
  | { memoryFormat: string }
  | { dict: Record<string, Encoded> }
  | { fn: string };

/** A gzipped JSON index in a fixture folder. */
export function readGzJson<T>(dir: string, name: string): T {
  return JSON.parse(gunzipSync(readFileSync(join(dir, name))).toString("utf8")) as T;
}

const shards = new Map<string, Buffer>();
/** shard-NN.bin.gz of a fixture folder, decompressed once per process. */
export function readShard(dir: string, n: number): Buffer {
  const path = join(dir, `shard-${String(n).padStart(2, "0")}.bin.gz`);
  let b = shards.get(path);
  if (!b) {
    b = gunzipSync(readFileSync(path));
    shards.set(path, b);
  }
  return b;
}

/** A fixture folder in this format: its index.json.gz (of type I) and its shards. */
export function shardFolder<I>(dir: string): { index: () => I; shard: (n: number) => Buffer } {
  return { index: () => readGzJson<I>(dir, "index.json.gz"), shard: (n) => readShard(dir, n) };
}

function slice(buf: Buffer, e: TensorEntry): ArrayBuffer {
  // A copy: TypedArrays need aligned offsets, the shard's are not.
  const out = new ArrayBuffer(e.bytes);
  new Uint8Array(out).set(buf.subarray(e.offset, e.offset + e.bytes));
  return out;
}
/** The stored values as float64 (int64 through Number; complex as its real view). */
export function values(buf: Buffer, e: TensorEntry): Float64Array {
  const ab = slice(buf, e);
  switch (e.dtype) {
    case "float64":
    case "complex128":
      return new Float64Array(ab);
    case "float32":
    case "float16":
    case "bfloat16":
    case "complex64":
      return Float64Array.from(new Float32Array(ab));
    case "int64":
      return Float64Array.from(new BigInt64Array(ab), Number);
    case "int32":
      return Float64Array.from(new Int32Array(ab));
    case "int16":
      return Float64Array.from(new Int16Array(ab));
    case "int8":
      return Float64Array.from(new Int8Array(ab));
    default: // uint8, bool
      return Float64Array.from(new Uint8Array(ab));
  }
}

/** A fresh Flambeau tensor with the stored dtype, shape and values (a leaf). */
export function makeTensor(buf: Buffer, e: TensorEntry): fl.Tensor {
  if (e.complex) return fl.viewAsComplex(makeTensor(buf, { ...e, complex: false, dtype: e.dtype === "complex64" ? "float32" : "float64" }));
  const ab = slice(buf, e);
  const shape = e.shape;
  switch (e.dtype) {
    case "float64":
      return fl.tensor(new Float64Array(ab), { shape });
    case "float32":
      return fl.tensor(new Float32Array(ab), { shape });
    case "float16":
    case "bfloat16":
      return fl.tensor(new Float32Array(ab), { shape }).to(e.dtype);
    case "int64":
      return fl.tensor(new BigInt64Array(ab), { shape });
    case "int32":
      return fl.tensor(new Int32Array(ab), { shape });
    case "int16":
      return fl.tensor(new Int16Array(ab), { shape });
    case "int8":
      return fl.tensor(new Int8Array(ab), { shape });
    case "uint8":
      return fl.tensor(new Uint8Array(ab), { shape });
    case "bool":
      return fl.tensor(new Uint8Array(ab), { shape }).to("bool");
    default:
      throw new Error(`fixture tensor of dtype ${e.dtype}`);
  }
}

/** The cotangent stream shared with the generator: an LCG, exact in float64. */
export function cotangent(n: number, seed: number): Float64Array {
  let x = (seed * 2654435761 + 12345) % 4294967296;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x = (1664525 * x + 1013904223) % 4294967296;
    out[i] = (2 * x) / 4294967296 - 1;
  }
  return out;
}
