// Schema-driven argument checks, run by dispatch.call() before every ATen call. libtorch
// 1.13 kills the process (SIGSEGV, SIGFPE) or hangs on some argument classes instead of
// raising (shared/RELIABILITY.md). The public op functions check their own options, but
// any code may reach ATen through callT(aten(...)); this table is the one place that
// covers every such call, keyed by the argument names of the op's ATen schema:
//   dims (dim, dims, start_dim …)       within [-(r+1), r] of the first tensor's rank r
//   sizes (size, shape, repeats …)      |d| capped, product of max(|d|, 1) within MAX_ELEMENTS
//   conv/pool parameters                kernel, stride, padding, dilation under PARAM_CAP
//   counts (groups, upscale_factor …)   in [1, PARAM_CAP]
//   raw integer enums (reduction …)     in their range
//   per-op rules                        signed INT_MIN ÷ −1, embedding_bag offsets, ctc blank …
import { type AtenOp, aten } from "./aten.js";
import { FlambeauError } from "./errors.js";
import { native } from "./native.js";
import { isTensor } from "./tensor-class.js";
import { MAX_ELEMENTS } from "./validate.js";

/** Largest logical element count a size list may describe (expanded views included). */
/** The cap on logical elements, shared with validate.ts's shape checks. */
const GUARD_MAX_ELEMENTS = MAX_ELEMENTS;
/** Cap on kernel sizes, strides, dilations, paddings and group counts: far beyond any real model. */
export const PARAM_CAP = 2 ** 20;
/** Cap on a constant pad's width and on as_strided's strides. */
const LOOSE_CAP = 2 ** 34;

export type Guard = (args: readonly unknown[]) => void;

interface Arg {
  type: string; // "int", "int[]", "Tensor", "Tensor[]" … (alias annotations and "?" dropped)
  optional: boolean;
  name: string;
}

/** Splits "aten::op(T a, T b=1, *, T c) -> R" into its arguments. */
export function parseSchema(schema: string): Arg[] {
  const open = schema.indexOf("(");
  let depth = 0;
  let close = -1;
  for (let i = open; i < schema.length; i++) {
    const ch = schema[i];
    if (ch === "(" || ch === "[") depth++;
    else if (ch === ")" || ch === "]") {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    }
  }
  const parts: string[] = [];
  let cur = "";
  depth = 0;
  for (const ch of schema.slice(open + 1, close)) {
    if (ch === "(" || ch === "[") depth++;
    else if (ch === ")" || ch === "]") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "") parts.push(cur.trim());
  const args: Arg[] = [];
  for (const p of parts) {
    if (p === "*") continue;
    const decl = p.split("=")[0]!.trim();
    const sp = decl.lastIndexOf(" ");
    let type = decl.slice(0, sp).replace(/\([^)]*\)/g, "");
    const optional = type.endsWith("?");
    if (optional) type = type.slice(0, -1);
    type = type.replace(/^SymInt/, "int").replace(/\[\d+\]/, "[]");
    args.push({ type, optional, name: decl.slice(sp + 1) });
  }
  return args;
}

function fail(op: AtenOp, message: string): never {
  const key = op.overload ? `${op.name}.${op.overload}` : op.name;
  throw new FlambeauError("E_ARG", `${key}: ${message}`, op.name);
}

const isInt = (v: unknown): v is number | bigint =>
  (typeof v === "number" && Number.isSafeInteger(v)) || typeof v === "bigint" || typeof v === "boolean";
/** The integers of an int or int[] argument (a bare number stands for a repeated list). */
function ints(v: unknown): (number | bigint)[] | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.filter(isInt) as (number | bigint)[];
  return isInt(v) ? [typeof v === "boolean" ? Number(v) : v] : null;
}
const num = (x: number | bigint): number => Number(x);

function rankOf(v: unknown): number {
  if (isTensor(v)) return v.disposed ? 0 : v.ndim;
  if (Array.isArray(v)) {
    let r = 0;
    for (const t of v) if (isTensor(t) && !t.disposed) r = Math.max(r, t.ndim);
    return r;
  }
  return 0;
}
function numelOf(v: unknown): number {
  return isTensor(v) && !v.disposed ? v.numel : 1;
}

type Check = (op: AtenOp, args: readonly unknown[]) => void;

const DIM_NAMES = new Set(["dim", "dims", "dim0", "dim1", "dim2", "start_dim", "end_dim", "source", "destination", "dimension", "axis"]);
const SIZE_NAMES = new Set(["size", "sizes", "shape", "output_size", "repeats", "input_sizes", "self_sizes"]);
const CONV_NAMES = new Set(["kernel_size", "stride", "padding", "dilation", "output_padding"]);
const COUNT_NAMES = new Set(["groups", "upscale_factor", "downscale_factor"]);
const ENUM_RANGES: Record<string, [number, number]> = { reduction: [0, 2] };
/** Raw integer enums of particular ops: PyTorch maps strings to these in Python; a wrong one crashes or returns garbage. */
const OP_ENUMS: Record<string, Record<string, [number, number]>> = {
  "aten::embedding_bag": { mode: [0, 2] },
  "aten::_embedding_bag": { mode: [0, 2] },
  "aten::_embedding_bag_forward_only": { mode: [0, 2] },
  "aten::grid_sampler": { interpolation_mode: [0, 2], padding_mode: [0, 2] },
  "aten::grid_sampler_2d": { interpolation_mode: [0, 2], padding_mode: [0, 2] },
  "aten::grid_sampler_3d": { interpolation_mode: [0, 2], padding_mode: [0, 2] },
  "aten::_fft_r2c": { normalization: [0, 2] },
  "aten::_fft_c2r": { normalization: [0, 2] },
  "aten::_fft_c2c": { normalization: [0, 2] },
};
/** Ops whose `dims`/`stride` mean something other than dim indices / conv strides. */
const TILE_LIKE = new Set(["aten::tile"]);
const STRIDED = new Set([
  "aten::as_strided",
  "aten::as_strided_",
  "aten::as_strided_scatter",
  "aten::empty_strided",
  "aten::new_empty_strided",
]);

function dimCheck(i: number, ref: number): Check {
  return (op, args) => {
    const ds = ints(args[i]);
    if (ds === null || ref < 0) return;
    const r = Math.max(rankOf(args[ref]), 1);
    for (const d of ds)
      if (num(d) < -(r + 1) || num(d) > r)
        fail(op, `dim ${String(d)} is out of range for a tensor of rank ${rankOf(args[ref])} (expected in [${-r - 1}, ${r}])`);
  };
}

function sizeCheck(i: number, name: string, scaleBy: number): Check {
  return (op, args) => {
    const v = args[i];
    const ds = ints(v);
    if (ds === null) return;
    let product = scaleBy >= 0 ? numelOf(args[scaleBy]) : 1;
    for (const d of ds) {
      const x = Math.abs(num(d));
      if (x > GUARD_MAX_ELEMENTS) fail(op, `${name} ${String(d)} exceeds the cap of ${GUARD_MAX_ELEMENTS}`);
      product *= Math.max(x, 1);
    }
    if (product > GUARD_MAX_ELEMENTS)
      fail(op, `${name} [${ds.join(", ")}] would describe ${product} elements, over the cap of ${GUARD_MAX_ELEMENTS}`);
  };
}

function rangeCheck(i: number, name: string, lo: number, hi: number): Check {
  return (op, args) => {
    const ds = ints(args[i]);
    if (ds === null) return;
    for (const d of ds) if (num(d) < lo || num(d) > hi) fail(op, `${name} must be in [${lo}, ${hi}], got ${String(d)}`);
  };
}

// ---------------------------------------------------------------- per-op rules
const SIGNED_MIN: Record<string, bigint> = { int64: -(2n ** 63n), int32: -(2n ** 31n), int16: -(2n ** 15n), int8: -128n };
/** Runs a one-tensor reduction natively and reads the number, without Tensor wrappers (this runs inside dispatch). */
function nativeScalar(qualified: string, ...args: unknown[]): number | bigint | boolean {
  const h = native.callOp(aten(qualified).resolve(), ...args) as Parameters<typeof native.item>[0];
  try {
    return native.item(h);
  } finally {
    native.dispose(h);
  }
}
function holdsMinusOne(v: unknown): boolean {
  if (isTensor(v)) {
    if (v.disposed || v.numel === 0 || SIGNED_MIN[v.dtype] === undefined) return false;
    const eq = native.callOp(aten("eq.Scalar").resolve(), v.handle, -1) as Parameters<typeof native.item>[0];
    try {
      return nativeScalar("any", eq) === true;
    } finally {
      native.dispose(eq);
    }
  }
  return (typeof v === "number" || typeof v === "bigint") && Number(v) === -1;
}
/** Signed INT_MIN ÷ −1 raises SIGFPE inside libtorch's integer division kernels. */
const integerDivision: Check = (op, args) => {
  const a = args[0];
  if (!isTensor(a) || a.disposed || a.numel === 0) return;
  const min = SIGNED_MIN[a.dtype];
  if (min === undefined || !holdsMinusOne(args[1])) return;
  if (BigInt(nativeScalar("min", a.handle) as number | bigint) === min)
    fail(op, `integer overflow: ${a.dtype} minimum divided by -1 is not representable`);
};
/** binomial loops forever on a NaN or infinite count (libtorch 1.13.1): counts finite ≥ 0, probabilities in [0, 1]. */
const binomial: Check = (op, args) => {
  const ranges: [unknown, string, number, number][] = [
    [args[0], "count", 0, Number.MAX_VALUE],
    [args[1], "prob", 0, 1],
  ];
  for (const [t, name, lo, hi] of ranges) {
    if (!isTensor(t) || t.disposed || t.numel === 0) continue;
    const min = Number(nativeScalar("min", t.handle));
    const max = Number(nativeScalar("max", t.handle));
    if (!(min >= lo && max <= hi))
      fail(op, `${name} must be finite and in [${lo}, ${hi === Number.MAX_VALUE ? "∞)" : `${hi}]`}, found values in [${min}, ${max}]`);
  }
};
/** histogramdd indexes bins by the input's last dimension without checking: an empty list segfaults (the fuzzer found it). */
const histogramdd: Check = (op, args) => {
  const [self, bins] = args;
  if (!isTensor(self) || self.disposed) return;
  const d = self.ndim === 0 ? 0 : self.shape[self.ndim - 1]!;
  if (self.ndim < 2) fail(op, `input must be [N, D] (or more dims), got [${self.shape.join(", ")}]`);
  if (Array.isArray(bins) && bins.length !== d)
    fail(op, `bins must give one entry per dimension D = ${d} of the input, got ${bins.length}`);
  if (typeof bins === "number" && !(bins >= 1)) fail(op, `bins must be ≥ 1, got ${bins}`);
};
/** The orthogonal polynomials of torch.special run a recurrence n steps per element: n = 2^31 hangs (the fuzzer found it). */
const MAX_DEGREE = 2 ** 16;
const polynomialDegree: Check = (op, args) => {
  const n = args[1];
  const max = isTensor(n)
    ? n.disposed || n.numel === 0
      ? 0
      : Number(nativeScalar("max", n.handle))
    : typeof n === "number" || typeof n === "bigint"
      ? Number(n)
      : 0;
  if (!(max <= MAX_DEGREE)) fail(op, `degree n must be at most ${MAX_DEGREE}, got ${max}`);
};
/** Integer-valued tensors read as indices: values in [lo, hi]. */
function indexRange(t: unknown, what: string, lo: number, hi: number, op: AtenOp): void {
  if (!isTensor(t) || t.disposed || t.numel === 0) return;
  if (SIGNED_MIN[t.dtype] === undefined && t.dtype !== "uint8") return;
  const min = Number(nativeScalar("min", t.handle));
  const max = Number(nativeScalar("max", t.handle));
  if (min < lo || max > hi) fail(op, `${what} must be in [${lo}, ${hi}], found values in [${min}, ${max}]`);
}
/** embedding_bag reads indices[offsets[i]:offsets[i+1]] without checking the offsets. */
const embeddingBag: Check = (op, args) => {
  const [weight, indices, offsets] = args;
  if (!isTensor(weight) || !isTensor(indices)) return;
  if (weight.ndim !== 2) fail(op, `weight must be 2-D, got [${weight.shape.join(", ")}]`);
  indexRange(indices, "indices", 0, weight.shape[0]! - 1, op);
  if (isTensor(offsets)) {
    if (offsets.ndim !== 1) fail(op, `offsets must be 1-D, got [${offsets.shape.join(", ")}]`);
    indexRange(offsets, "offsets", 0, indices.numel, op);
  }
};
/** ctc_loss reads log_probs at target labels and lengths it does not check. */
const ctcLoss: Check = (op, args) => {
  const [logProbs, targets, inputLengths, targetLengths, blank] = args;
  if (!isTensor(logProbs) || logProbs.disposed || logProbs.ndim < 2) return;
  const c = logProbs.shape[logProbs.ndim - 1]!;
  const t = logProbs.shape[0]!;
  if (isInt(blank) && (num(blank) < 0 || num(blank) >= c)) fail(op, `blank ${String(blank)} must be in [0, ${c - 1}]`);
  indexRange(targets, "target labels", 0, c - 1, op);
  const il = ints(inputLengths);
  if (il) for (const x of il) if (num(x) < 0 || num(x) > t) fail(op, `input length must be in [0, ${t}], got ${String(x)}`);
  const tl = ints(targetLengths);
  if (tl && isTensor(targets) && !targets.disposed) {
    const most = targets.ndim === 2 ? targets.shape[1]! : targets.numel;
    for (const x of tl) if (num(x) < 0 || num(x) > most) fail(op, `target length ${String(x)} exceeds the targets (${most})`);
  }
};
/** searchsorted trusts `sorter` to be a permutation index of the sorted sequence. */
const searchsorted: Check = (op, args) => {
  const [seq, , , , , sorter] = args;
  if (!isTensor(seq) || seq.disposed) return;
  const n = seq.ndim === 0 ? 1 : seq.shape[seq.ndim - 1]!;
  indexRange(sorter, "sorter", 0, n - 1, op);
};
/** native_batch_norm reads running stats and affine params as C values without checking their length. */
const batchNorm: Check = (op, args) => {
  const x = args[0];
  if (!isTensor(x) || x.disposed || x.ndim < 2) return;
  const c = x.shape[1]!;
  const names = ["weight", "bias", "running_mean", "running_var"];
  for (let i = 0; i < 4; i++) {
    const t = args[i + 1];
    if (isTensor(t) && !t.disposed && t.numel !== c) fail(op, `${names[i]} must have ${c} elements, got [${t.shape.join(", ")}]`);
  }
};

/** Max-pool backward and unpool kernels scatter through `indices` into a plane they do not bound-check. */
function planeIndices(selfAt: number, indicesAt: number, k: number, sizeAt = -1): Check {
  return (op, args) => {
    const self = args[selfAt];
    let plane: number;
    const out = sizeAt >= 0 ? ints(args[sizeAt]) : null;
    if (out) plane = out.reduce<number>((a, b) => a * Math.max(num(b), 0), 1);
    else if (isTensor(self) && !self.disposed && self.ndim >= k) plane = self.shape.slice(-k).reduce((a, b) => a * b, 1);
    else return;
    indexRange(args[indicesAt], "indices", 0, plane - 1, op);
  };
}
/** embedding's backward scatters gradients into num_weights rows by index. */
const embeddingBackward: Check = (op, args) => {
  const n = args[2];
  if (isInt(n)) indexRange(args[1], "indices", 0, num(n) - 1, op);
};
/** segment_reduce(unsafe=true) skips the checks its kernel relies on. */
const segmentReduce: Check = (op, args) => {
  if (args[6] === true) fail(op, "unsafe=true is not allowed: the kernel would read lengths and offsets unchecked");
};
/** repeat_interleave writes sum(repeats) values into a result of output_size elements. */
const repeatInterleave: Check = (op, args) => {
  const [repeats, outputSize] = args;
  if (!isInt(outputSize) || !isTensor(repeats) || repeats.disposed) return;
  if (repeats.numel > 0 && Number(nativeScalar("min", repeats.handle)) < 0) fail(op, "repeats must be non-negative");
  const total = repeats.numel === 0 ? 0 : Number(nativeScalar("sum", repeats.handle, null));
  if (total !== num(outputSize)) fail(op, `output_size ${String(outputSize)} differs from the sum of repeats ${total}`);
};

const OP_RULES: Record<string, Check> = {
  "aten::max_pool2d_with_indices_backward": planeIndices(1, 7, 2),
  "aten::max_pool3d_with_indices_backward": planeIndices(1, 7, 3),
  "aten::adaptive_max_pool2d_backward": planeIndices(1, 2, 2),
  "aten::adaptive_max_pool3d_backward": planeIndices(1, 2, 3),
  "aten::fractional_max_pool2d_backward": planeIndices(1, 4, 2),
  "aten::fractional_max_pool3d_backward": planeIndices(1, 4, 3),
  "aten::max_unpool2d": planeIndices(0, 1, 2, 2),
  "aten::max_unpool3d": planeIndices(0, 1, 3, 2),
  "aten::embedding_backward": embeddingBackward,
  "aten::embedding_dense_backward": embeddingBackward,
  "aten::segment_reduce": segmentReduce,
  "aten::repeat_interleave.Tensor": repeatInterleave,
  "aten::binomial": binomial,
  "aten::histogramdd": histogramdd,
  "aten::histogramdd.int_bins": histogramdd,
  "aten::histogramdd.TensorList_bins": histogramdd,
  "aten::div.Tensor_mode": integerDivision,
  "aten::div.Scalar_mode": integerDivision,
  "aten::div_.Tensor_mode": integerDivision,
  "aten::div_.Scalar_mode": integerDivision,
  "aten::remainder.Tensor": integerDivision,
  "aten::remainder.Scalar": integerDivision,
  "aten::remainder_.Tensor": integerDivision,
  "aten::remainder_.Scalar": integerDivision,
  "aten::fmod.Tensor": integerDivision,
  "aten::fmod.Scalar": integerDivision,
  "aten::fmod_.Tensor": integerDivision,
  "aten::fmod_.Scalar": integerDivision,
  "aten::floor_divide": integerDivision,
  "aten::floor_divide.Scalar": integerDivision,
  "aten::floor_divide_.Tensor": integerDivision,
  "aten::floor_divide_.Scalar": integerDivision,
  "aten::embedding_bag": embeddingBag,
  "aten::embedding_bag.padding_idx": embeddingBag,
  "aten::_embedding_bag": embeddingBag,
  "aten::_embedding_bag_forward_only": embeddingBag,
  "aten::ctc_loss.IntList": ctcLoss,
  "aten::_ctc_loss": ctcLoss,
  "aten::searchsorted.Tensor": searchsorted,
  "aten::native_batch_norm": batchNorm,
  "aten::batch_norm": batchNorm,
  "aten::_batch_norm_impl_index": batchNorm,
};

/** Builds the checks for one op from its schema; null when it has none (most ops). */
export function buildGuard(op: AtenOp): Guard | null {
  const args = parseSchema(op.schema);
  const key = op.overload ? `${op.name}.${op.overload}` : op.name;
  const checks: Check[] = [];
  const ref = args.findIndex((a) => a.type === "Tensor" || a.type === "Tensor[]");
  const enums = OP_ENUMS[op.name] ?? {};
  const isConvLike = /conv|pool|im2col|col2im|unfold|slow_|thnn|mkldnn/.test(op.name);
  args.forEach((a, i) => {
    const intish = a.type === "int" || a.type === "int[]";
    if (!intish) return;
    const n = a.name;
    if (TILE_LIKE.has(op.name) && n === "dims") checks.push(sizeCheck(i, n, ref));
    else if (DIM_NAMES.has(n)) checks.push(dimCheck(i, ref));
    else if (n === "repeats" && a.type === "int[]") checks.push(sizeCheck(i, n, ref));
    else if (SIZE_NAMES.has(n) && a.type === "int[]") checks.push(sizeCheck(i, n, -1));
    else if (n === "stride" && STRIDED.has(op.name)) checks.push(rangeCheck(i, n, -LOOSE_CAP, LOOSE_CAP));
    else if (CONV_NAMES.has(n)) checks.push(rangeCheck(i, n, isConvLike && n !== "padding" ? 0 : -PARAM_CAP, PARAM_CAP));
    else if (COUNT_NAMES.has(n)) checks.push(rangeCheck(i, n, 1, PARAM_CAP));
    else if (n === "pad") checks.push(rangeCheck(i, n, -LOOSE_CAP, LOOSE_CAP));
    else if (enums[n]) checks.push(rangeCheck(i, n, enums[n][0], enums[n][1]));
    else if (ENUM_RANGES[n]) checks.push(rangeCheck(i, n, ENUM_RANGES[n][0], ENUM_RANGES[n][1]));
  });
  const rule = OP_RULES[key];
  if (rule) checks.push(rule);
  if (/^aten::special_.*_polynomial_/.test(op.name)) checks.push(polynomialDegree);
  if (checks.length === 0) return null;
  return (callArgs) => {
    for (const c of checks) c(op, callArgs);
  };
}
