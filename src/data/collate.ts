// PyTorch's default_collate: a list of samples becomes one batch of the same structure,
// with tensors stacked along a new dim 0 and numbers gathered into tensors.
import { FlambeauError } from "../core/errors.js";
import { stack, Tensor, tensor } from "../core/index.js";

/** The batch type `defaultCollate` makes from samples of type `T`. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean | bigint
    ? Tensor
    : T extends string
      ? string[]
      : T extends ArrayBufferView
        ? Tensor
        : T extends readonly unknown[]
          ? { -readonly [K in keyof T]: Collated<T[K]> }
          : T extends object
            ? { [K in keyof T]: Collated<T[K]> }
            : never;

/** Turns a list of samples into a batch. */
export type CollateFn<T, B> = (samples: T[]) => B;

function fail(path: string, message: string): never {
  throw new FlambeauError("E_ARG", `defaultCollate: ${message}${path ? ` (at batch${path})` : ""}`, "defaultCollate");
}

const kindOf = (v: unknown): string =>
  v === null ? "null" : v instanceof Tensor ? "Tensor" : Array.isArray(v) ? "array" : ArrayBuffer.isView(v) ? v.constructor.name : typeof v;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function collateNumbers(values: unknown[], path: string): Tensor {
  const first = values[0];
  if (typeof first === "boolean") {
    return tensor(values as boolean[]);
  }
  if (typeof first === "bigint") return tensor(BigInt64Array.from(values as bigint[]));
  const nums = values as number[];
  // Integers become int64 (class labels, as PyTorch does for Python ints); anything else float32.
  if (nums.every((v) => Number.isSafeInteger(v))) return tensor(BigInt64Array.from(nums, (v) => BigInt(v)));
  if (nums.some((v) => typeof v !== "number")) fail(path, "mixed numbers and other values");
  return tensor(Float32Array.from(nums));
}

function collateTypedArrays(values: ArrayBufferView[], path: string): Tensor {
  const first = values[0]!;
  const Ctor = first.constructor as { new (n: number): ArrayBufferView & { set(a: ArrayLike<unknown>, o: number): void; length: number } };
  const len = (first as unknown as { length: number }).length;
  const out = new Ctor(len * values.length);
  values.forEach((v, k) => {
    if ((v as unknown as { length: number }).length !== len)
      fail(path, `sample ${k} has ${(v as unknown as { length: number }).length} elements but sample 0 has ${len}`);
    out.set(v as unknown as ArrayLike<unknown>, k * len);
  });
  return tensor(out, { shape: [values.length, len] });
}

function collateAt(values: unknown[], path: string): unknown {
  const first = values[0];
  const kind = kindOf(first);
  values.forEach((v, k) => {
    if (kindOf(v) !== kind) fail(path, `sample ${k} is ${kindOf(v)} but sample 0 is ${kind}`);
  });
  if (first instanceof Tensor) {
    const ts = values as Tensor[];
    const shape = first.shape.join(", ");
    ts.forEach((t, k) => {
      if (t.shape.join(", ") !== shape) fail(path, `sample ${k} has shape [${t.shape.join(", ")}] but sample 0 has [${shape}]`);
      if (t.dtype !== first.dtype) fail(path, `sample ${k} has dtype ${t.dtype} but sample 0 has ${first.dtype}`);
    });
    return stack(ts, 0);
  }
  if (typeof first === "number" || typeof first === "boolean" || typeof first === "bigint") return collateNumbers(values, path);
  if (typeof first === "string") return [...(values as string[])];
  if (ArrayBuffer.isView(first) && !(first instanceof DataView)) return collateTypedArrays(values as ArrayBufferView[], path);
  if (Array.isArray(first)) {
    const n = first.length;
    values.forEach((v, k) => {
      if ((v as unknown[]).length !== n) fail(path, `sample ${k} has ${(v as unknown[]).length} fields but sample 0 has ${n}`);
    });
    return first.map((_, j) =>
      collateAt(
        values.map((v) => (v as unknown[])[j]),
        `${path}[${j}]`,
      ),
    );
  }
  if (isPlainObject(first)) {
    const keys = Object.keys(first);
    const sig = keys.join("\u0000");
    values.forEach((v, k) => {
      if (Object.keys(v as object).join("\u0000") !== sig)
        fail(path, `sample ${k} has keys {${Object.keys(v as object).join(", ")}} but sample 0 has {${keys.join(", ")}}`);
    });
    const out: Record<string, unknown> = {};
    for (const key of keys)
      Object.defineProperty(out, key, {
        value: collateAt(
          values.map((v) => (v as Record<string, unknown>)[key]),
          `${path}.${key}`,
        ),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return fail(path, `cannot collate ${kind} values; give the DataLoader a collate function`);
}

/**
 * Stacks tensors, gathers numbers (integers → int64, others → float32, booleans → bool,
 * BigInts → int64) and TypedArrays into tensors, strings into arrays, and recurses into
 * arrays (tuples) and plain objects, which must have the same structure in every sample.
 */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  if (!Array.isArray(samples) || samples.length === 0)
    throw new FlambeauError("E_ARG", "defaultCollate: expects a non-empty array of samples", "defaultCollate");
  return collateAt(samples as unknown[], "") as Collated<T>;
}

/** Every tensor inside a value (arrays, plain objects and Maps, any depth). */
export function tensorsIn(v: unknown, out: Set<Tensor> = new Set()): Set<Tensor> {
  if (v instanceof Tensor) out.add(v);
  else if (Array.isArray(v)) for (const x of v) tensorsIn(x, out);
  else if (v instanceof Map) for (const x of v.values()) tensorsIn(x, out);
  else if (isPlainObject(v)) for (const x of Object.values(v)) tensorsIn(x, out);
  return out;
}
