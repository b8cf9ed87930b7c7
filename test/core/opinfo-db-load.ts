// Reads the OpInfo fixtures written by scripts/fixtures/opinfo_db.py: index.json.gz (OpInfos,
// samples, exclusions) and shard-NN.bin.gz (tensor bytes, each in its own dtype).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import * as fl from "flambeau";
import { FIXTURES } from "../helpers/fixtures.js";

export const DIR = join(FIXTURES, "core", "opinfo-db");

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
  | { dict: Record<string, Encoded> };

export interface Sample {
  name: string;
  input: Encoded;
  args: Encoded[];
  kwargs: Record<string, Encoded>;
  tensors: TensorEntry[];
  output: Encoded;
  grads?: (TensorEntry | null)[];
  gradError?: string;
}
export interface OpInfoEntry {
  name: string;
  variant: string;
  aten: string;
  wrapped: string | null;
  uninitialized: boolean;
  variants: string[];
  dtype: string;
  differentiable: boolean;
  shard: number;
  samplesTotal: number;
  samples: Sample[];
  skipped?: Record<string, number>;
}
export interface Index {
  torch: string;
  cap: number;
  maxNumel: number;
  opinfos: OpInfoEntry[];
  excluded: { name: string; reason: string }[];
}

export function readIndex(): Index {
  return JSON.parse(gunzipSync(readFileSync(join(DIR, "index.json.gz"))).toString("utf8")) as Index;
}

const shards = new Map<number, Buffer>();
export function shard(n: number): Buffer {
  let b = shards.get(n);
  if (!b) {
    b = gunzipSync(readFileSync(join(DIR, `shard-${String(n).padStart(2, "0")}.bin.gz`)));
    shards.set(n, b);
  }
  return b;
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
