// Linear algebra: products, einsum, decompositions.
import { aten } from "../aten.js";
import { callT, callTs } from "../dispatch.js";
import { argError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { checkEnum, checkNumber, checkTensor, optArgs, rankOf } from "../validate.js";

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
const SVD = aten("linalg_svd");
const EIGH = aten("linalg_eigh");
const PINV = aten("linalg_pinv.atol_rtol_float");
const MATRIX_NORM = aten("linalg_matrix_norm.str_ord");
export const inv = (a: Tensor): Tensor => callT(INV, a);
export const det = (a: Tensor): Tensor => callT(DET, a);
export const solve = (a: Tensor, b: Tensor): Tensor => callT(SOLVE, a, b, true);
export const cholesky = (a: Tensor, upper?: boolean | { upper?: boolean }): Tensor =>
  callT(CHOLESKY, a, optArgs<{ upper?: boolean }>("cholesky", ["upper"], [upper]).upper ?? false);
export function qr(a: Tensor, mode: "reduced" | "complete" | "r" = "reduced"): { Q: Tensor; R: Tensor } {
  const [Q, R] = callTs(QR, a, checkEnum("qr", "mode", mode, ["reduced", "complete", "r"]));
  return { Q: Q!, R: R! };
}
export function svd(a: Tensor, fullMatrices?: boolean | { fullMatrices?: boolean }): { U: Tensor; S: Tensor; Vh: Tensor } {
  const full = optArgs<{ fullMatrices?: boolean }>("svd", ["fullMatrices"], [fullMatrices]).fullMatrices ?? true;
  const [U, S, Vh] = callTs(SVD, a, full, null);
  return { U: U!, S: S!, Vh: Vh! };
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
