// Linear algebra: products, einsum, decompositions.
import { aten } from "../aten.js";
import { callT, callTs } from "../dispatch.js";
import { argError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { isTensor } from "../tensor-class.js";
import { checkEnum, checkInt, checkNumber, checkTensor, optArgs, rankOf, show } from "../validate.js";

const MATMUL = aten("matmul");
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (rankOf("matmul", a) === 0 || checkTensor("matmul", "other", b).ndim === 0)
    argError("matmul", "both arguments need at least one dimension");
  return callT(MATMUL, a, b);
}
const MM = aten("mm");
const BMM = aten("bmm");
const DOT = aten("dot");
const OUTER = aten("outer");
const ADDMM = aten("addmm");
export const mm = (a: Tensor, b: Tensor): Tensor => callT(MM, a, b);
export const bmm = (a: Tensor, b: Tensor): Tensor => callT(BMM, a, b);
export const dot = (a: Tensor, b: Tensor): Tensor => callT(DOT, a, b);
export const outer = (a: Tensor, b: Tensor): Tensor => callT(OUTER, a, b);
export interface AddmmOptions {
  beta?: number;
  alpha?: number;
}
/** `beta · c + alpha · (a @ b)`; beta and alpha positionally or in the options. */
export function addmm(c: Tensor, a: Tensor, b: Tensor, beta?: number | AddmmOptions, alpha?: number | AddmmOptions): Tensor {
  const o = optArgs<AddmmOptions>("addmm", ["beta", "alpha"], [beta, alpha]);
  return callT(ADDMM, c, a, b, checkNumber("addmm", "beta", o.beta ?? 1), checkNumber("addmm", "alpha", o.alpha ?? 1));
}
const EINSUM = aten("einsum");
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  if (typeof equation !== "string") argError("einsum", "equation must be a string");
  return callT(EINSUM, equation, operands, null);
}
const INV = aten("linalg_inv");
const DET = aten("linalg_det");
const SOLVE = aten("linalg_solve");
const CHOLESKY = aten("linalg_cholesky");
const QR = aten("linalg_qr");
const EIGH = aten("linalg_eigh");
const PINV = aten("linalg_pinv.atol_rtol_float");
const MATRIX_NORM = aten("linalg_matrix_norm.str_ord");
export const inv = (a: Tensor): Tensor => callT(INV, a);
export const det = (a: Tensor): Tensor => callT(DET, a);
export const solve = (a: Tensor, b: Tensor): Tensor => callT(SOLVE, a, b, true);
export const cholesky = (a: Tensor, upper?: boolean | { upper?: boolean }): Tensor =>
  callT(CHOLESKY, a, optArgs<{ upper?: boolean }>("cholesky", ["upper"], [upper]).upper ?? false);
export interface QrOptions {
  /** torch.qr's flag: reduced (true, the default) or complete (false) factorisation. */
  some?: boolean;
}
/**
 * torch.qr: `A = Q R` as PyTorch's named tuple `{ Q, R }`; `some` (default true) gives the reduced
 * factorisation. linalg.qr's modes ("reduced", "complete", "r") are accepted in its place.
 */
export function qr(a: Tensor, some?: boolean | "reduced" | "complete" | "r" | QrOptions): { Q: Tensor; R: Tensor } {
  const o = optArgs<{ some?: boolean | string }>("qr", ["some"], [some]);
  const s = o.some ?? true;
  const mode = typeof s === "boolean" ? (s ? "reduced" : "complete") : checkEnum("qr", "some", s, ["reduced", "complete", "r"]);
  const [Q, R] = callTs(QR, a, mode);
  return { Q: Q!, R: R! };
}
export interface SvdOptions {
  /** Reduced (true, the default) or full U and V. */
  some?: boolean;
  /** false: U and V are zero-filled and only S is computed (default true). */
  computeUv?: boolean;
}
const SVD_OLD = aten("svd");
/**
 * torch.svd: `A = U diag(S) Vᵀ` as PyTorch's named tuple `{ U, S, V }` (V, not linalg.svd's Vh;
 * `linalg.svd` has full_matrices and Vh). Arguments positionally or in the options.
 */
export function svd(a: Tensor, some?: boolean | SvdOptions, computeUv?: boolean | SvdOptions): { U: Tensor; S: Tensor; V: Tensor } {
  const o = optArgs<SvdOptions>("svd", ["some", "computeUv"], [some, computeUv]);
  const sm = o.some ?? true;
  const uv = o.computeUv ?? true;
  if (typeof sm !== "boolean" || typeof uv !== "boolean")
    argError("svd", `some and computeUv must be booleans, got ${show(sm)} and ${show(uv)}`);
  if (rankOf("svd", a) < 2) argError("svd", `input must be a (batch of) matrices, got [${a.shape.join(", ")}]`);
  const [U, S, V] = callTs(SVD_OLD, a, sm, uv);
  return { U: U!, S: S!, V: V! };
}
export function eigh(a: Tensor, uplo: "L" | "U" = "L"): { eigenvalues: Tensor; eigenvectors: Tensor } {
  const [eigenvalues, eigenvectors] = callTs(EIGH, a, checkEnum("eigh", "uplo", uplo, ["L", "U"]));
  return { eigenvalues: eigenvalues!, eigenvectors: eigenvectors! };
}
export const pinv = (a: Tensor): Tensor => callT(PINV, a, null, null, false);
export const matrixNorm = (a: Tensor, ord: "fro" | "nuc" = "fro"): Tensor =>
  callT(MATRIX_NORM, a, checkEnum("matrixNorm", "ord", ord, ["fro", "nuc"]), [-2, -1], false, null);
const CDIST = aten("cdist");
export const cdist = (a: Tensor, b: Tensor, p = 2): Tensor => callT(CDIST, a, b, p, null);

const LU_FACTOR_EX = aten("linalg_lu_factor_ex");
export interface LuOptions {
  /** Partial pivoting (default true; libtorch has no CPU LU without it). */
  pivot?: boolean;
  /** Also return LAPACK's info per matrix instead of raising on a singular one (default false). */
  getInfos?: boolean;
}
/**
 * torch.lu: the packed LU factorisation and its int32 pivots, `[LU, pivots]` (PyTorch's plain
 * tuple); with `getInfos`, PyTorch's named tuple `{ LU, pivots, info }`.
 */
export function lu(a: Tensor, options: LuOptions & { getInfos: true }): { LU: Tensor; pivots: Tensor; info: Tensor };
export function lu(a: Tensor, pivot: boolean, getInfos: true): { LU: Tensor; pivots: Tensor; info: Tensor };
export function lu(a: Tensor, pivot?: boolean | (LuOptions & { getInfos?: false }), getInfos?: false): [LU: Tensor, pivots: Tensor];
export function lu(
  a: Tensor,
  pivot?: boolean | LuOptions,
  getInfos?: boolean | LuOptions,
): [LU: Tensor, pivots: Tensor] | { LU: Tensor; pivots: Tensor; info: Tensor };
export function lu(
  a: Tensor,
  pivot?: boolean | LuOptions,
  getInfos?: boolean | LuOptions,
): [LU: Tensor, pivots: Tensor] | { LU: Tensor; pivots: Tensor; info: Tensor } {
  const o = optArgs<LuOptions>("lu", ["pivot", "getInfos"], [pivot, getInfos]);
  const piv = o.pivot ?? true;
  const infos = o.getInfos ?? false;
  if (typeof piv !== "boolean" || typeof infos !== "boolean")
    argError("lu", `pivot and getInfos must be booleans, got ${show(piv)} and ${show(infos)}`);
  if (rankOf("lu", a) < 2) argError("lu", `input must be a (batch of) matrices, got [${a.shape.join(", ")}]`);
  const [LU, pivots, info] = callTs(LU_FACTOR_EX, a, piv, !infos) as [Tensor, Tensor, Tensor];
  if (infos) return { LU, pivots, info };
  info.dispose();
  return [LU, pivots];
}

const TENSORDOT = aten("tensordot");
/** tensordot's contraction: the last n dims of a with the first n of b, or the two lists of dims (or a tensor holding either). */
export type TensordotDims = number | readonly [number | readonly number[], number | readonly number[]] | Tensor;
/**
 * Sums the products of a and b over the dims `dims` names, as torch.tensordot: `dims` (default
 * 2) positionally or in the options; the generated form's two lists (dimsA, dimsB) are accepted too.
 */
export function tensordot(a: Tensor, b: Tensor, dims?: TensordotDims | { dims?: TensordotDims }): Tensor;
export function tensordot(a: Tensor, b: Tensor, dimsA: readonly number[], dimsB: readonly number[]): Tensor;
export function tensordot(a: Tensor, b: Tensor, dims?: unknown, dimsB?: unknown): Tensor {
  const op = "tensordot";
  checkTensor(op, "a", a);
  checkTensor(op, "b", b);
  if (dimsB !== undefined) return callT(TENSORDOT, a, b, dimList(op, "dimsA", dims), dimList(op, "dimsB", dimsB));
  let d = optArgs<{ dims?: unknown }>(op, ["dims"], [dims]).dims ?? 2;
  if (isTensor(d)) d = d.numel === 1 ? Number(d.item()) : d.toArray();
  if (typeof d === "number") {
    checkInt(op, "dims", d, 0, Math.min(a.ndim, b.ndim));
    return callT(
      TENSORDOT,
      a,
      b,
      Array.from({ length: d }, (_, i) => i - d),
      Array.from({ length: d }, (_, i) => i),
    );
  }
  if (!Array.isArray(d) || d.length !== 2) argError(op, `dims must be an integer, a pair of dim lists or a tensor, got ${show(d)}`);
  return callT(TENSORDOT, a, b, dimList(op, "dims[0]", d[0]), dimList(op, "dims[1]", d[1]));
}
function dimList(op: string, name: string, v: unknown): number[] {
  const list = typeof v === "number" ? [v] : v;
  if (!Array.isArray(list) || !list.every((x) => Number.isSafeInteger(x)))
    argError(op, `${name} must be a dim or a list of dims, got ${show(v)}`);
  return list as number[];
}
