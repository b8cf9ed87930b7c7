// Comparing a replayed call with PyTorch's recorded result, shared by the PyTorch-suite replays
// (OpInfo, ModuleInfo): arguments decoded from the generators' encoding, tensors compared at
// torch.testing's per-dtype tolerances with NaN equal to NaN, nested results element by element.
import * as fl from "flambeau";
import { type Encoded, type TensorEntry, values } from "./tensor-shards.js";

const MEMORY_FORMAT: Record<string, string> = {
  contiguous_format: "contiguous",
  preserve_format: "preserve",
  channels_last: "channelsLast",
};

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

export function decode(v: Encoded, tensors: fl.Tensor[]): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => decode(x, tensors));
  if ("tensor" in v) return tensors[v.tensor as number];
  if ("float" in v) return typeof v.float === "number" ? v.float : Number(v.float.replace("inf", "Infinity"));
  if ("int" in v) return BigInt(v.int);
  if ("dtype" in v) return v.dtype;
  if ("memoryFormat" in v) return MEMORY_FORMAT[v.memoryFormat] ?? v.memoryFormat;
  if ("dict" in v) return Object.fromEntries(Object.entries(v.dict).map(([k, x]) => [k, decode(x, tensors)]));
  throw new Error(`unknown encoding ${JSON.stringify(v)}`);
}

export const TOL: Record<string, [number, number]> = {
  // [rtol, atol]: torch.testing's defaults per dtype
  float64: [1e-7, 1e-7],
  float32: [1.3e-6, 1e-5],
  float16: [1e-3, 1e-5],
  bfloat16: [1.6e-2, 1e-5],
  complex128: [1e-7, 1e-7],
  complex64: [1.3e-6, 1e-5],
};

export function dtypeOf(t: fl.Tensor): string {
  try {
    return t.dtype;
  } catch {
    return "complex";
  }
}

/** Undefined when close, else what differs. NaN equals NaN (PyTorch's OpInfo tests use equal_nan). */
export function compareTensor(actual: fl.Tensor, e: TensorEntry, buf: Buffer, what: string): string | undefined {
  let a = actual;
  const ad = dtypeOf(a);
  if (e.complex) {
    if (ad !== "complex") return `${what}: dtype ${ad}, expected ${e.dtype}`;
    a = fl.viewAsReal(fl.resolveConj(a)); // ifft of a real input returns a lazily conjugated view
  } else if (ad !== e.dtype) return `${what}: dtype ${ad}, expected ${e.dtype}`;
  const shape = [...a.shape];
  if (shape.join(",") !== e.shape.join(",")) return `${what}: shape [${shape}], expected [${e.shape}]`;
  const got = a.dtype === "float64" ? (a.contiguous().data() as Float64Array) : (a.to("float64").data() as Float64Array);
  const want = values(buf, e);
  const [rtol, atol] = TOL[e.dtype] ?? [0, 0];
  for (let i = 0; i < want.length; i++) {
    const x = got[i] as number;
    const y = want[i] as number;
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    if (Math.abs(x - y) <= atol + rtol * Math.abs(y)) continue;
    return `${what}: element ${i} is ${x}, expected ${y}`;
  }
  return undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;

/** The output's tensors in PyTorch's order: arrays by index, plain objects (named tuples) by key order. */
export function flatTensors(v: unknown, out: fl.Tensor[] = []): fl.Tensor[] {
  if (v instanceof fl.Tensor) out.push(v);
  else if (Array.isArray(v)) for (const x of v) flatTensors(x, out);
  else if (isPlainObject(v)) for (const x of Object.values(v)) flatTensors(x, out);
  return out;
}

export function compareOut(actual: unknown, want: Encoded, buf: Buffer, what: string, uninit = false): string | undefined {
  if (want !== null && typeof want === "object" && !Array.isArray(want) && "tensor" in want) {
    if (!(actual instanceof fl.Tensor)) return `${what}: got ${typeof actual}, expected a Tensor`;
    const e = want.tensor as TensorEntry;
    if (uninit) {
      const d = dtypeOf(actual);
      if (d !== e.dtype || actual.shape.join(",") !== e.shape.join(","))
        return `${what}: ${d}[${actual.shape}], expected ${e.dtype}[${e.shape}]`;
      return undefined;
    }
    return compareTensor(actual, e, buf, what);
  }
  if (want !== null && typeof want === "object" && !Array.isArray(want) && "named" in want) {
    // PyTorch's named tuple (torch.return_types.*): a generated op returns an array that also
    // carries the names; a hand-written one an object whose keys are exactly the fields, in order.
    if (Array.isArray(actual)) return compareOut(actual, want.items, buf, what, uninit);
    if (!isPlainObject(actual))
      return `${what}: got ${actual instanceof fl.Tensor ? "a Tensor" : typeof actual}, expected an object { ${want.named.join(", ")} }`;
    const keys = Object.keys(actual);
    const fields = want.named.map(camel);
    if (keys.join(",") !== fields.join(",")) return `${what}: fields { ${keys.join(", ")} }, expected { ${fields.join(", ")} }`;
    return compareOut(
      fields.map((f) => actual[f]),
      want.items,
      buf,
      what,
      uninit,
    );
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(actual))
      return `${what}: got ${actual instanceof fl.Tensor ? "a Tensor" : typeof actual}, expected ${want.length} results`;
    if (actual.length !== want.length) return `${what}: ${actual.length} results, expected ${want.length}`;
    for (let i = 0; i < want.length; i++) {
      const m = compareOut(actual[i], want[i] as Encoded, buf, `${what}[${i}]`, uninit);
      if (m) return m;
    }
    return undefined;
  }
  const w = decode(want, []);
  const a =
    actual instanceof fl.Tensor && actual.ndim === 0
      ? actual.dtype === "int64"
        ? actual.itemBigInt()
        : actual.dtype === "bool"
          ? actual.itemBool()
          : actual.item()
      : actual;
  if (a === w || (a == null && w == null)) return undefined;
  if (
    typeof a === "number" &&
    typeof w === "number" &&
    (Math.abs(a - w) <= 1e-7 * (1 + Math.abs(w)) || (Number.isNaN(a) && Number.isNaN(w)))
  )
    return undefined;
  return `${what}: ${String(a)}, expected ${String(w)}`;
}

export const brief = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]?.slice(0, 200) ?? "";
