// ATen's multi-tensor ("foreach") ops, typed. On CPU each runs the single-tensor kernel
// per list entry, so results equal PyTorch's default (per-tensor) optimizers bit for bit,
// while an update costs a handful of calls into the engine instead of a handful per tensor.
// Every list must be non-empty (ATen rejects empty lists); the optimizers skip empty groups.
import { aten } from "../core/aten.js";
import { call } from "../core/dispatch.js";
import { tidy } from "../core/memory.js";
import type { Tensor } from "../core/tensor.js";

type List = readonly Tensor[];

const ADD_LIST_ = aten("_foreach_add_.List");
const ADD_LIST = aten("_foreach_add.List");
const ADD_SCALAR_ = aten("_foreach_add_.Scalar");
const MUL_SCALAR_ = aten("_foreach_mul_.Scalar");
const ADDCMUL_ = aten("_foreach_addcmul_.Scalar");
const ADDCMUL = aten("_foreach_addcmul.Scalar");
const ADDCDIV_ = aten("_foreach_addcdiv_.Scalar");
const DIV_SCALAR_ = aten("_foreach_div_.Scalar");
const SQRT = aten("_foreach_sqrt");
const SQRT_ = aten("_foreach_sqrt_");
const NEG = aten("_foreach_neg");
const MAXIMUM_ = aten("_foreach_maximum_.List");
const NORM = aten("_foreach_norm.Scalar");

/** self[i] += alpha · other[i] */
export const add_ = (self: List, other: List, alpha = 1): void => void call(ADD_LIST_, self, other, alpha);
/** self[i] + alpha · other[i], as new tensors */
export const add = (self: List, other: List, alpha = 1): Tensor[] => call(ADD_LIST, self, other, alpha) as Tensor[];
/** self[i] += s */
export const addScalar_ = (self: List, s: number): void => void call(ADD_SCALAR_, self, s);
/** self[i] *= s */
export const mulScalar_ = (self: List, s: number): void => void call(MUL_SCALAR_, self, s);
/** self[i] += value · a[i] · b[i] */
export const addcmul_ = (self: List, a: List, b: List, value = 1): void => void call(ADDCMUL_, self, a, b, value);
/** self[i] + value · a[i] · b[i], as new tensors */
export const addcmul = (self: List, a: List, b: List, value = 1): Tensor[] => call(ADDCMUL, self, a, b, value) as Tensor[];
/** self[i] += value · a[i] / b[i] */
export const addcdiv_ = (self: List, a: List, b: List, value = 1): void => void call(ADDCDIV_, self, a, b, value);
/** self[i] /= s */
export const divScalar_ = (self: List, s: number): void => void call(DIV_SCALAR_, self, s);
export const sqrt = (self: List): Tensor[] => call(SQRT, self) as Tensor[];
export const sqrt_ = (self: List): void => void call(SQRT_, self);
export const neg = (self: List): Tensor[] => call(NEG, self) as Tensor[];
/** self[i] = max(self[i], other[i]) */
export const maximum_ = (self: List, other: List): void => void call(MAXIMUM_, self, other);
/** The p-norm of each tensor (0-dim tensors). */
export const norm = (self: List, p: number): Tensor[] => call(NORM, self, p) as Tensor[];

/**
 * The list positions grouped by equal value (in first-seen order). Per-tensor scalars (a step
 * count per parameter) then take one Scalar call per distinct value: nearly always one, as a
 * group's parameters usually share their step count. (The binding has no Scalar[] argument
 * for ATen's ScalarList overloads.)
 */
export function byValue(values: readonly number[]): Array<[value: number, positions: number[]]> {
  const m = new Map<number, number[]>();
  values.forEach((v, i) => {
    const l = m.get(v);
    if (l === undefined) m.set(v, [i]);
    else l.push(i);
  });
  return [...m];
}

/** The entries of `list` at `positions` (the list itself when that is all of it). */
export function pick<T>(list: readonly T[], positions: readonly number[]): T[] {
  return positions.length === list.length ? (list as T[]) : positions.map((i) => list[i]!);
}

/** Elements per chunk: the ~5 arrays an update streams through (20 bytes an element) stay in a 2 MB L2 cache. */
const CHUNK_ELEMENTS = 65536;

/**
 * Runs `fn` on consecutive runs of list positions whose tensors hold at most CHUNK_ELEMENTS
 * elements together (a larger tensor runs alone), each under its own tidy. Running every op of
 * the update over a whole list sweeps memory once per op; chunking keeps a chunk's tensors in
 * cache from the first op to the last (Adam on 1M parameters in 20 tensors: 1.5 ms a step instead of 2.0), while small
 * tensors still share one call per op.
 */
export function forChunks(tensors: List, fn: (positions: number[]) => void): void {
  let at: number[] = [];
  let size = 0;
  for (let i = 0; i < tensors.length; i++) {
    const n = tensors[i]!.numel;
    if (at.length > 0 && size + n > CHUNK_ELEMENTS) {
      const run = at;
      tidy(() => fn(run));
      at = [];
      size = 0;
    }
    at.push(i);
    size += n;
  }
  if (at.length > 0) tidy(() => fn(at));
}
