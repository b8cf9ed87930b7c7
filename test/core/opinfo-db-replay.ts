// Replays one OpInfo sample through Flambeau's public API and compares it with PyTorch's
// recorded outputs and input gradients. The only knowledge of the ops here is the name rule
// (torch name → camelCase in fl, fl.linalg, fl.fft, fl.special, fl.nn.functional, else a Tensor
// method) and, in ADAPTERS, the OpInfos whose `op` is a Python lambda around the public call.
import * as fl from "flambeau";
import { cotangent, type Encoded, makeTensor, type OpInfoEntry, type Sample, shard, type TensorEntry, values } from "./opinfo-db-load.js";

type Fn = (...a: unknown[]) => unknown;
const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const method = (name: string): Fn | undefined => {
  const m = (fl.Tensor.prototype as unknown as Record<string, unknown>)[name];
  return typeof m === "function" ? (self: unknown, ...a: unknown[]) => (m as Fn).apply(self, a) : undefined;
};

/** The public Flambeau function for a torch name (the first argument is `self` for methods). */
export function resolve(name: string, hasMethod: boolean): { fn: Fn; how: string } | undefined {
  const parts = name.split(".");
  const last = parts.pop() as string;
  const key = last.endsWith("_") ? `${camel(last.slice(0, -1))}_` : camel(last);
  let ns: Record<string, unknown> = fl as unknown as Record<string, unknown>;
  for (const p of parts) {
    const sub = ns[p === "nn" ? "nn" : p];
    if (sub === undefined || sub === null) return undefined;
    ns = sub as Record<string, unknown>;
  }
  const f = ns[key];
  if (typeof f === "function" && !(parts.length === 0 && /^[A-Z]/.test(key))) return { fn: f as Fn, how: `${[...parts, key].join(".")}` };
  if (parts.length === 0 && hasMethod) {
    const m = method(key);
    if (m) return { fn: m, how: `Tensor.${key}` };
  }
  return undefined;
}

/** The Tensor method of a plain torch name (`x.name(...)`), if Flambeau has one. */
export function methodFor(name: string): Fn | undefined {
  if (name.includes(".")) return undefined;
  return method(name.endsWith("_") ? `${camel(name.slice(0, -1))}_` : camel(name));
}

const prop = (p: string): Fn | undefined =>
  Object.getOwnPropertyDescriptor(fl.Tensor.prototype, p)?.get ? (x: unknown) => (x as Record<string, unknown>)[p] : undefined;
const mT = (b: unknown): fl.Tensor => (b as fl.Tensor).transpose(-2, -1);
const meth =
  (m: string): Fn =>
  (x: unknown, ...a: unknown[]) =>
    ((x as Record<string, Fn>)[m] as Fn).apply(x, a);

/** OpInfos whose `op` is a Python lambda: the same call through the public API. */
export const ADAPTERS: Record<string, () => Fn | undefined> = {
  uniform: () => meth("uniform_"),
  contiguous: () => meth("contiguous"),
  sum_to_size: () => meth("sumToSize"),
  expand: () => meth("expand"),
  expand_as: () => meth("expandAs"),
  to: () => meth("to"),
  einsum:
    () =>
    (tensors, eq, ...r) =>
      fl.einsum(eq as string, ...(tensors as fl.Tensor[]), ...(r as [])),
  polygamma:
    () =>
    (x, n, ...r) =>
      (fl.polygamma as Fn)(n, x, ...r),
  "special.polygamma":
    () =>
    (x, n, ...r) =>
      (fl.special.polygamma as Fn)(n, x, ...r),
  reshape_as: () => meth("reshapeAs"),
  view: () => meth("view"),
  view_as: () => meth("viewAs"),
  bfloat16: () => meth("bfloat16"),
  bool: () => meth("bool"),
  byte: () => meth("byte"),
  char: () => meth("char"),
  double: () => meth("double"),
  float: () => meth("float"),
  half: () => meth("half"),
  int: () => meth("int"),
  long: () => meth("long"),
  short: () => meth("short"),
  chalf: () => meth("chalf"),
  new_zeros: () => meth("newZeros"),
  new_ones: () => meth("newOnes"),
  new_empty: () => meth("newEmpty"),
  new_empty_strided: () => meth("newEmptyStrided"),
  new_full: () => meth("newFull"),
  rand_like: () => (fl as unknown as Record<string, Fn>).randnLike, // the OpInfo's lambda calls randn_like
  "normal.number_mean":
    () =>
    (std, mean, ...r) =>
      (fl.normal as Fn)(mean, std, ...r),
  unfold: () => meth("unfold"),
  repeat: () => meth("repeat"),
  resize_: () => (x, shape) => (x as fl.Tensor).clone().resize_(shape as number[]),
  resize_as_: () => (x, other) => (fl.resizeAs_ as Fn)((x as fl.Tensor).clone(), other),
  fill: () => (x, v) => (x as fl.Tensor).clone().fill_(v as number),
  zero_: () => (x) => (fl.zero_ as Fn)((x as fl.Tensor).clone()),
  T: () => prop("T"),
  H: () => prop("H"),
  mT: () => prop("mT"),
  mH: () => prop("mH"),
  where: () => (self, cond, other) => fl.where(cond as fl.Tensor, self as fl.Tensor, other as fl.Tensor),
  "nn.functional.embedding":
    () =>
    (w, idx, ...r) =>
      (fl.nn.functional.embedding as Fn)(idx, w, ...r),
  "nn.functional.embedding_bag":
    () =>
    (w, idx, ...r) =>
      (fl.nn.functional.embeddingBag as Fn)(idx, w, ...r),
  "linalg.lstsq.grad_oriented":
    () =>
    (a, b, ...r) =>
      ((fl.linalg.lstsq as Fn)(a, b, ...r) as unknown[])[0],
  // The lambdas only pass storage_offset by keyword.
  as_strided: () => fl.asStrided as Fn,
  as_strided_scatter: () => fl.asStridedScatter as Fn,
  "linalg.pinv.singular": () => (a, b) => fl.linalg.pinv((a as fl.Tensor).matmul(mT(b))),
  svd_lowrank: () => {
    const f = (fl as unknown as Record<string, Fn>).svdLowrank;
    return f && ((a, b, ...r) => f((a as fl.Tensor).matmul(mT(b)), ...r));
  },
  pca_lowrank: () => {
    const f = (fl as unknown as Record<string, Fn>).pcaLowrank;
    return f && ((a, b, ...r) => f((a as fl.Tensor).matmul(mT(b)), ...r));
  },
};

export const fullName = (o: OpInfoEntry): string => (o.variant ? `${o.name}.${o.variant}` : o.name);

/** How the replay calls an OpInfo: an adapter, the public function, or undefined (not in Flambeau). */
export function callFor(o: OpInfoEntry): { fn: Fn; how: string } | undefined {
  const ad = ADAPTERS[fullName(o)] ?? ADAPTERS[o.name];
  if (o.wrapped !== null && ad) {
    const fn = ad();
    return fn ? { fn, how: "adapter" } : undefined;
  }
  // A lambda that only seeds the RNG (wrapper_set_seed) calls the public function itself.
  if (o.wrapped !== null && o.wrapped !== "wrapper_set_seed") return undefined;
  return resolve(o.name, o.variants.includes("method"));
}

const MEMORY_FORMAT: Record<string, string> = {
  contiguous_format: "contiguous",
  preserve_format: "preserve",
  channels_last: "channelsLast",
};

function decode(v: Encoded, tensors: fl.Tensor[]): unknown {
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

export interface Outcome {
  output: "match" | "mismatch" | "error";
  grad: "match" | "mismatch" | "error" | "none"; // none: not differentiable or no reference
  message?: string;
}

const TOL: Record<string, [number, number]> = {
  // [rtol, atol]: torch.testing's defaults per dtype
  float64: [1e-7, 1e-7],
  float32: [1.3e-6, 1e-5],
  float16: [1e-3, 1e-5],
  bfloat16: [1.6e-2, 1e-5],
  complex128: [1e-7, 1e-7],
  complex64: [1.3e-6, 1e-5],
};

function dtypeOf(t: fl.Tensor): string {
  try {
    return t.dtype;
  } catch {
    return "complex";
  }
}

/** Undefined when close, else what differs. NaN equals NaN (PyTorch's OpInfo tests use equal_nan). */
function compareTensor(actual: fl.Tensor, e: TensorEntry, buf: Buffer, what: string): string | undefined {
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

/** The output's tensors in PyTorch's order: arrays by index, objects (named tuples) by key order. */
function flatTensors(v: unknown, out: fl.Tensor[] = []): fl.Tensor[] {
  if (v instanceof fl.Tensor) out.push(v);
  else if (Array.isArray(v)) for (const x of v) flatTensors(x, out);
  else if (v !== null && typeof v === "object") for (const x of Object.values(v)) flatTensors(x, out);
  return out;
}

function compareOut(actual: unknown, want: Encoded, buf: Buffer, what: string, uninit = false): string | undefined {
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
    if (actual === null || typeof actual !== "object" || actual instanceof fl.Tensor)
      return `${what}: got ${actual instanceof fl.Tensor ? "a Tensor" : typeof actual}, expected an object { ${want.named.join(", ")} }`;
    const keys = Object.keys(actual);
    const fields = want.named.map(camel);
    if (keys.join(",") !== fields.join(",")) return `${what}: fields { ${keys.join(", ")} }, expected { ${fields.join(", ")} }`;
    const rec = actual as Record<string, unknown>;
    return compareOut(
      fields.map((f) => rec[f]),
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
  const a = actual instanceof fl.Tensor && actual.ndim === 0 ? actual.item() : actual;
  if (a === w || (a == null && w == null)) return undefined;
  if (
    typeof a === "number" &&
    typeof w === "number" &&
    (Math.abs(a - w) <= 1e-7 * (1 + Math.abs(w)) || (Number.isNaN(a) && Number.isNaN(w)))
  )
    return undefined;
  return `${what}: ${String(a)}, expected ${String(w)}`;
}

const brief = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]?.slice(0, 200) ?? "";

/** Runs one sample: the call, its outputs, and (differentiable samples) the input gradients. */
export function replay(o: OpInfoEntry, s: Sample, fn: Fn): Outcome {
  const buf = shard(o.shard);
  return fl.tidy(() => {
    const tensors = s.tensors.map((e) => {
      const t = makeTensor(buf, e);
      return e.requiresGrad ? t.requiresGrad_(true) : t;
    });
    const args = [decode(s.input, tensors), ...s.args.map((a) => decode(a, tensors))];
    const keys = Object.keys(s.kwargs);
    if (keys.length > 0) args.push(Object.fromEntries(keys.map((k) => [camel(k), decode(s.kwargs[k] as Encoded, tensors)])));
    let out: unknown;
    fl.manualSeed(42);
    try {
      out = fn(...args);
    } catch (e) {
      return { output: "error", grad: s.grads ? "error" : "none", message: `call: ${brief(e)}` } satisfies Outcome;
    }
    let om: string | undefined;
    try {
      om = compareOut(out, s.output, buf, "output", o.uninitialized);
    } catch (e) {
      om = `reading the output: ${brief(e)}`;
    }
    if (!s.grads) return { output: om ? "mismatch" : "match", grad: "none", message: om } satisfies Outcome;
    const outs = flatTensors(out).filter((t) => t.requiresGrad && /float/.test(dtypeOf(t)));
    const wrt = tensors.filter((_t, i) => s.tensors[i]?.requiresGrad);
    let gm: string | undefined;
    let grad: Outcome["grad"] = "match";
    try {
      const cts = outs.map((t, k) => fl.tensor(cotangent(t.numel, k), { shape: [...t.shape] }).to(t.dtype));
      const gs = outs.length > 0 ? fl.autograd.grad(outs, wrt, { gradOutputs: cts, allowUnused: true }) : wrt.map(() => null);
      let j = 0;
      for (let i = 0; i < tensors.length && !gm; i++) {
        if (!s.tensors[i]?.requiresGrad) continue;
        const g = gs[j++] ?? null;
        const want = s.grads[i] ?? null;
        if (want === null) {
          if (g !== null && g.abs().max().item() !== 0) gm = `grad ${i}: nonzero, expected none`;
        } else if (g === null) {
          if (values(buf, want).some((v) => v !== 0)) gm = `grad ${i}: none, expected a gradient`;
        } else gm = compareTensor(g, want, buf, `grad ${i}`);
      }
      if (gm) grad = "mismatch";
    } catch (e) {
      grad = "error";
      gm = `backward: ${brief(e)}`;
    }
    return { output: om ? "mismatch" : "match", grad, message: om ?? gm } satisfies Outcome;
  });
}
