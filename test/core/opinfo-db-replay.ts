// Replays one OpInfo sample through Flambeau's public API and compares it with PyTorch's
// recorded outputs and input gradients. The only knowledge of the ops here is the name rule
// (torch name → camelCase in fl, fl.linalg, fl.fft, fl.special, fl.nn.functional, else a Tensor
// method) and, in ADAPTERS, the OpInfos whose `op` is a Python lambda around the public call.
import * as fl from "flambeau";
import type { Outcome } from "../helpers/replay-report.js";
import { brief, compareOut, compareTensor, decode, dtypeOf, flatTensors } from "../helpers/tensor-compare.js";
import { cotangent, type Encoded, makeTensor, type OpInfoEntry, type Sample, shard, values } from "./opinfo-db-load.js";

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
