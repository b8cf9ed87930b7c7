// dtypes: names as in PyTorch (float32, int64 …), codes as c10::ScalarType.
import { FlambeauError } from "./errors.js";

export type DType = "float32" | "float64" | "float16" | "bfloat16" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";

export const dtypeCode: Readonly<Record<DType, number>> = Object.freeze({
  uint8: 0,
  int8: 1,
  int16: 2,
  int32: 3,
  int64: 4,
  float16: 5,
  float32: 6,
  float64: 7,
  bool: 11,
  bfloat16: 15,
});

const byCode: DType[] = [];
for (const [name, code] of Object.entries(dtypeCode)) byCode[code] = name as DType;

export function dtypeFromCode(code: number): DType {
  const d = byCode[code];
  if (d === undefined) throw new FlambeauError("E_DTYPE", `unsupported native dtype code ${code}`);
  return d;
}

export function checkDtype(op: string, d: unknown): DType {
  if (typeof d === "string" && Object.hasOwn(dtypeCode, d)) return d as DType;
  const got =
    typeof d === "string"
      ? JSON.stringify(d)
      : typeof d === "bigint"
        ? `${d}n`
        : typeof d === "object" && d !== null
          ? "an object"
          : String(d);
  throw new FlambeauError("E_DTYPE", `${op}: unknown dtype ${got}; expected one of ${Object.keys(dtypeCode).join(", ")}`, op);
}

export const isFloating = (d: DType): boolean => d === "float32" || d === "float64" || d === "float16" || d === "bfloat16";
export const isIntegral = (d: DType): boolean => d === "int64" || d === "int32" || d === "int16" || d === "int8" || d === "uint8";

export const itemSize: Readonly<Record<DType, number>> = Object.freeze({
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
});

/** The TypedArray a tensor of each dtype reads into (float16/bfloat16: raw bits). */
export type TypedArrayFor<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "float64"
    ? Float64Array
    : D extends "int64"
      ? BigInt64Array
      : D extends "int32"
        ? Int32Array
        : D extends "int16"
          ? Int16Array
          : D extends "int8"
            ? Int8Array
            : D extends "float16" | "bfloat16"
              ? Uint16Array
              : Uint8Array;

export type AnyTypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

export function typedArrayOf(d: DType, buf: ArrayBuffer): AnyTypedArray {
  switch (d) {
    case "float32":
      return new Float32Array(buf);
    case "float64":
      return new Float64Array(buf);
    case "int64":
      return new BigInt64Array(buf);
    case "int32":
      return new Int32Array(buf);
    case "int16":
      return new Int16Array(buf);
    case "int8":
      return new Int8Array(buf);
    case "float16":
    case "bfloat16":
      return new Uint16Array(buf);
    default:
      return new Uint8Array(buf);
  }
}

/** The dtype a TypedArray maps to when used to create a tensor. */
export function dtypeOfTypedArray(a: ArrayBufferView): DType | undefined {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof BigInt64Array) return "int64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Int16Array) return "int16";
  if (a instanceof Int8Array) return "int8";
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return "uint8";
  return undefined;
}
