// The API fuzzer's cases: a case is plain JSON (an op of the public surface and argument
// specs), generated from (seed, index) by a pure function, so the parent process can
// regenerate, shrink and save any case the child died on, and a regression file replays it.
import type * as fl from "flambeau";

export type ArgSpec =
  | {
      k: "t";
      dtype: string;
      shape: number[];
      view: "none" | "transpose" | "slice" | "expand";
      fill: "randn" | "zeros" | "boundary" | "index";
      seed: number;
    }
  | { k: "data"; dtype: string; shape: number[]; values: (number | string)[] } // exact values; strings for BigInt, "NaN", "Infinity"
  | { k: "n"; v: number | string } // "NaN", "Infinity", "-Infinity", "-0" as strings (JSON has no such numbers)
  | { k: "big"; v: string }
  | { k: "s"; v: string }
  | { k: "bool"; v: boolean }
  | { k: "null" }
  | { k: "undef" }
  | { k: "disposed" }
  | { k: "arr"; items: ArgSpec[] }
  | { k: "obj"; entries: [string, ArgSpec][] };

export interface CaseSpec {
  /** "fl.sum", "F.conv2d" or "T.sum" (a Tensor method; args[0] is the receiver). */
  op: string;
  args: ArgSpec[];
}

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DTYPES = ["float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool", "float16", "bfloat16"];
const ENUM_WORDS = [
  "mean",
  "sum",
  "none",
  "nearest",
  "bilinear",
  "linear",
  "same",
  "valid",
  "trunc",
  "floor",
  "tanh",
  "constant",
  "reflect",
  "replicate",
  "circular",
  "fro",
  "nuc",
  "left",
  "right",
  "float32",
  "int64",
  "bool",
  "max",
  "bogus",
  "constructor",
  "__proto__",
  "",
];
// Integer boundaries: 0, ±1, ±2^31, ±2^53, huge, and values that are not integers at all.
const INTS: (number | string)[] = [
  0,
  1,
  -1,
  2,
  3,
  -2,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  -(2 ** 53),
  2 ** 53,
  1e12,
  -1e12,
  1e18,
  -1e18,
  2 ** 20,
  2 ** 40,
  "NaN",
  "Infinity",
  "-Infinity",
  0.5,
  -2.5,
  "-0",
];
const BIGS = ["0", "-1", "1", "9223372036854775807", "-9223372036854775808", "18446744073709551616", "-2147483648"];
const FLOATS: (number | string)[] = [0, 1, -1, 0.5, 1e-8, 1e30, -1e30, 3.4e38, 1e308, 5e-324, "NaN", "Infinity", "-Infinity", "-0"];
const DIMS = [0, 1, 2, 3, 4, 0, 1, 2, -1, 2 ** 31, 2 ** 40, 1.3e18, -5];
const OPTION_KEYS = [
  "dim",
  "keepdim",
  "stride",
  "padding",
  "dilation",
  "groups",
  "ceilMode",
  "countIncludePad",
  "reduction",
  "ignoreIndex",
  "labelSmoothing",
  "weight",
  "bias",
  "training",
  "momentum",
  "eps",
  "size",
  "scaleFactor",
  "mode",
  "alignCorners",
  "dtype",
  "correction",
  "largest",
  "sorted",
  "descending",
  "stable",
  "right",
  "side",
  "sorter",
  "minlength",
  "weights",
  "beta",
  "delta",
  "margin",
  "p",
  "approximate",
  "outputPadding",
  "value",
  "blank",
  "zeroInfinity",
  "paddingIdx",
  "requiresGrad",
  "returnCounts",
  "returnInverse",
  "unbiased",
  "ord",
];

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: R, p: number) => r() < p;

function num(v: number | string): ArgSpec {
  return { k: "n", v: typeof v === "number" && Object.is(v, -0) ? "-0" : v };
}

/** A tensor spec: random dtype, rank 0–8 (mostly small), zero dims, views; at most 4096 stored elements. */
export function tensorSpec(r: R, opts: { dtype?: string; rank?: number; fill?: "index" } = {}): ArgSpec {
  const rank = opts.rank ?? (chance(r, 0.85) ? Math.floor(r() * 5) : 5 + Math.floor(r() * 4));
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(chance(r, 0.08) ? 0 : 1 + Math.floor(r() * (rank > 4 ? 2 : 4)));
  let view: "none" | "transpose" | "slice" | "expand" = "none";
  const v = r();
  if (rank >= 2 && v < 0.15) view = "transpose";
  else if (rank >= 1 && v < 0.25) view = "slice";
  else if (rank >= 1 && v < 0.35) {
    view = "expand";
    // An expanded dim may be large: the view stores one element along it.
    const d = Math.floor(r() * rank);
    shape[d] = chance(r, 0.5) ? 1 + Math.floor(r() * 64) : pick(r, [1024, 65536, 2 ** 20]);
    let total = shape.reduce((a, b) => a * b, 1);
    while (total > 2 ** 22) {
      shape[d] = Math.max(1, Math.floor(shape[d]! / 4));
      total = shape.reduce((a, b) => a * b, 1);
    }
  }
  const fill = opts.fill ?? pick(r, ["randn", "randn", "zeros", "boundary", "index"] as const);
  return {
    k: "t",
    dtype: opts.dtype ?? (chance(r, 0.5) ? "float32" : pick(r, DTYPES)),
    shape,
    view,
    fill,
    seed: Math.floor(r() * 2 ** 31),
  };
}

function intSpec(r: R): ArgSpec {
  if (chance(r, 0.08)) return { k: "big", v: pick(r, BIGS) };
  return chance(r, 0.5) ? num(Math.floor(r() * 5) - 1) : num(pick(r, INTS));
}
function shapeSpec(r: R): ArgSpec {
  const n = Math.floor(r() * 6);
  const items: ArgSpec[] = [];
  for (let i = 0; i < n; i++) items.push(num(chance(r, 0.85) ? pick(r, DIMS.slice(0, 9)) : pick(r, DIMS)));
  return { k: "arr", items };
}

/** Any argument: weighted towards what ops take (tensors, small ints, dims, shapes, option bags). */
export function anySpec(r: R, depth = 0): ArgSpec {
  const u = r();
  if (u < 0.3) return tensorSpec(r);
  if (u < 0.5) return intSpec(r);
  if (u < 0.58) return shapeSpec(r);
  if (u < 0.63) return num(pick(r, FLOATS));
  if (u < 0.7) return { k: "s", v: pick(r, ENUM_WORDS) };
  if (u < 0.73) return { k: "bool", v: chance(r, 0.5) };
  if (u < 0.76) return chance(r, 0.5) ? { k: "null" } : { k: "undef" };
  if (u < 0.77) return { k: "disposed" };
  if (u < 0.82 && depth < 2) return { k: "arr", items: Array.from({ length: Math.floor(r() * 3) }, () => tensorSpec(r)) };
  if (depth < 2) return optionsSpec(r, depth);
  return intSpec(r);
}
function optionsSpec(r: R, depth: number): ArgSpec {
  const n = 1 + Math.floor(r() * 3);
  const entries: [string, ArgSpec][] = [];
  for (let i = 0; i < n; i++) {
    const key = pick(r, OPTION_KEYS);
    const u = r();
    entries.push([
      key,
      u < 0.45 ? intSpec(r) : u < 0.6 ? { k: "s", v: pick(r, ENUM_WORDS) } : u < 0.7 ? shapeSpec(r) : anySpec(r, depth + 1),
    ]);
  }
  return { k: "obj", entries };
}

/** An op of the public surface and how many arguments it declares. */
export interface Target {
  name: string;
  arity: number;
}

/** Case `index` of a run: a pure function of (seed, index) and the target list. */
export function generateCase(seed: number, index: number, targets: readonly Target[]): CaseSpec {
  const r = rng((seed * 1_000_003 + index * 7919) >>> 0);
  r();
  const t = pick(r, targets);
  const args: ArgSpec[] = [];
  const n = t.name.startsWith("T.") ? t.arity + 1 : t.arity;
  // Sometimes fewer or more arguments than declared: defaults and extra arguments are paths too.
  const count = Math.max(0, n + (chance(r, 0.1) ? Math.floor(r() * 3) - 1 : 0));
  // The first argument is a tensor in most calls, and the second often is one of a matching shape.
  for (let i = 0; i < count; i++) {
    if (i === 0 && chance(r, 0.9)) args.push(tensorSpec(r));
    else if (i === 1 && chance(r, 0.3) && args[0]?.k === "t")
      args.push({ ...args[0], seed: Math.floor(r() * 2 ** 31), view: "none", fill: chance(r, 0.5) ? "randn" : "index" });
    else args.push(anySpec(r));
  }
  return { op: t.name, args };
}

// ---------------------------------------------------------------- materialising
const BOUNDARY_F = [
  0,
  -0,
  1,
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 31,
  -(2 ** 31),
  2 ** 53,
  1e30,
  -1e30,
  5e-324,
];
const BOUNDARY_I: Record<string, bigint[]> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 1n, 2n ** 53n, -(2n ** 31n)],
  int32: [-(2n ** 31n), 2n ** 31n - 1n, -1n, 0n, 1n],
  int16: [-32768n, 32767n, -1n, 0n, 1n],
  int8: [-128n, 127n, -1n, 0n, 1n],
  uint8: [0n, 255n, 1n],
};

export function materialize(flm: typeof fl, a: ArgSpec): unknown {
  switch (a.k) {
    case "n":
      return typeof a.v === "number" ? a.v : a.v === "-0" ? -0 : Number(a.v);
    case "big":
      return BigInt(a.v);
    case "s":
      return a.v;
    case "bool":
      return a.v;
    case "null":
      return null;
    case "undef":
      return undefined;
    case "disposed": {
      const t = flm.zeros([2]);
      t.dispose();
      return t;
    }
    case "arr":
      return a.items.map((x) => materialize(flm, x));
    case "obj":
      return Object.fromEntries(a.entries.map(([k, v]) => [k, materialize(flm, v)]));
    case "t":
      return makeTensor(flm, a);
    case "data": {
      if (a.dtype === "int64")
        return flm.tensor(
          BigInt64Array.from(a.values, (v) => BigInt(v)),
          { shape: a.shape },
        );
      const s = flm.tensor(
        Float64Array.from(a.values, (v) => (v === "-0" ? -0 : Number(v))),
        { shape: a.shape },
      );
      return a.dtype === "float64" ? s : s.to(a.dtype as fl.DType);
    }
  }
}

function makeTensor(flm: typeof fl, a: Extract<ArgSpec, { k: "t" }>): fl.Tensor {
  const r = rng(a.seed);
  const rank = a.shape.length;
  let base = [...a.shape];
  if (a.view === "transpose" && rank >= 2) [base[0], base[rank - 1]] = [base[rank - 1]!, base[0]!];
  else if (a.view === "slice" && rank >= 1) base[rank - 1] = base[rank - 1]! * 2;
  else if (a.view === "expand") base = base.map((d) => (d > 64 ? 1 : d));
  const n = base.reduce((x, y) => x * y, 1);
  let t: fl.Tensor;
  const bound = BOUNDARY_I[a.dtype];
  if (a.fill === "boundary" && bound) {
    const data = BigInt64Array.from({ length: n }, () => pick(r, bound));
    const s = flm.tensor(data, { shape: base });
    t = s.to(a.dtype as fl.DType);
  } else {
    const data = Float64Array.from({ length: n }, () => {
      if (a.fill === "zeros") return 0;
      if (a.fill === "boundary") return pick(r, BOUNDARY_F);
      if (a.fill === "index") return Math.floor(r() * 4) - (chance(r, 0.05) ? 7 : 0);
      return (r() - 0.5) * 4;
    });
    const s = flm.tensor(data, { shape: base });
    t = a.dtype === "float64" ? s : s.to(a.dtype as fl.DType);
  }
  if (a.view === "transpose" && rank >= 2) t = t.transpose(0, rank - 1);
  else if (a.view === "slice" && rank >= 1) t = t.slice(rank - 1, 0, null, 2);
  else if (a.view === "expand") t = t.expand(a.shape);
  return t;
}
