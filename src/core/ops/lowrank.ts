// torch.svd_lowrank and torch.pca_lowrank (torch/_lowrank.py): randomized range finding
// (Halko, Martinsson & Tropp 2009, algorithms 4.4 and 5.1) on the engine's qr, svd and matmul.
// The random test matrix is drawn as PyTorch draws it (randn [n, q] in A's dtype), so after the
// same manualSeed both give the same numbers.
import { aten } from "../aten.js";
import { callTs } from "../dispatch.js";
import { isFloating } from "../dtype.js";
import { argError } from "../errors.js";
import { tidy } from "../memory.js";
import type { Tensor } from "../tensor.js";
import { checkInt, checkOptTensor, checkTensor, optArgs, show } from "../validate.js";
import { randn } from "./creation.js";

const QR = aten("linalg_qr");
const SVD = aten("linalg_svd");
const qrQ = (a: Tensor): Tensor => callTs(QR, a, "reduced")[0]!;
const mT = (a: Tensor): Tensor => a.transpose(-2, -1);
/** a·b − m·b, or a·b without a mean. */
const centred = (a: Tensor, m: Tensor | null, b: Tensor): Tensor => (m ? a.matmul(b).sub(m.matmul(b)) : a.matmul(b));

/** Q with q orthonormal columns such that Q Qᵀ (A − M) approximates A − M (algorithm 4.4). */
function approximateBasis(a: Tensor, q: number, niter: number, m: Tensor | null): Tensor {
  const r = randn([a.shape[a.ndim - 1]!, q], { dtype: a.dtype });
  const aT = mT(a);
  const mTr = m ? mT(m) : null;
  let Q = qrQ(centred(a, m, r));
  for (let i = 0; i < niter; i++) {
    Q = qrQ(centred(aT, mTr, Q));
    Q = qrQ(centred(a, m, Q));
  }
  return Q;
}

function lowrankSvd(a: Tensor, q: number, niter: number, m: Tensor | null): [U: Tensor, S: Tensor, V: Tensor] {
  const rows = a.shape[a.ndim - 2]!;
  const cols = a.shape[a.ndim - 1]!;
  return tidy(() => {
    const mTr = m ? mT(m) : null;
    if (rows < cols || cols > q) {
      const Q = approximateBasis(mT(a), q, niter, mTr);
      const [U, S, Vh] = callTs(SVD, centred(a, m, Q), false, null) as [Tensor, Tensor, Tensor];
      return [U, S, Q.matmul(mT(Vh))];
    }
    const Q = approximateBasis(a, q, niter, m);
    const [U, S, Vh] = callTs(SVD, mT(centred(mT(a), mTr, Q)), false, null) as [Tensor, Tensor, Tensor];
    return [Q.matmul(U), S, mT(Vh)];
  });
}

function checkMatrix(op: string, a: Tensor): [rows: number, cols: number] {
  checkTensor(op, "A", a);
  if (a.ndim < 2) argError(op, `A must be a (batch of) matrices, got [${a.shape.join(", ")}]`);
  if (!isFloating(a.dtype)) argError(op, `A must be floating point, got ${a.dtype}`);
  return [a.shape[a.ndim - 2]!, a.shape[a.ndim - 1]!];
}

export interface SvdLowrankOptions {
  /** A slightly overestimated rank of A (default 6; at most A's row count). */
  q?: number | null;
  /** Subspace iterations (default 2). */
  niter?: number | null;
  /** A's mean, [*, 1, n] or [*, m, n]: the SVD is of A − M. */
  M?: Tensor | null;
}
/**
 * An approximate SVD `[U, S, V]` (PyTorch's plain tuple; A ≈ U diag(S) Vᵀ) of a low-rank matrix
 * or batch. Randomized: seed with manualSeed for repeatable results.
 */
export function svdLowrank(
  a: Tensor,
  q?: number | null | SvdLowrankOptions,
  niter?: number | null | SvdLowrankOptions,
  M?: Tensor | null | SvdLowrankOptions,
): [U: Tensor, S: Tensor, V: Tensor] {
  const op = "svdLowrank";
  const [rows, cols] = checkMatrix(op, a);
  const o = optArgs<SvdLowrankOptions>(op, ["q", "niter", "M"], [q, niter, M]);
  const k = checkInt(op, "q", o.q ?? 6, 0, rows);
  const n = checkInt(op, "niter", o.niter ?? 2, 0, 2 ** 20);
  const mean = checkOptTensor(op, "M", o.M ?? null);
  if (mean) {
    const [mr, mc] = [mean.shape[mean.ndim - 2], mean.shape[mean.ndim - 1]];
    if (mean.ndim < 2 || mean.dtype !== a.dtype || mc !== cols || (mr !== 1 && mr !== rows))
      argError(op, `M must be ${a.dtype} [*, 1, ${cols}] or [*, ${rows}, ${cols}], got ${show(mean)}`);
  }
  return lowrankSvd(a, k, n, mean);
}

export interface PcaLowrankOptions {
  /** A slightly overestimated rank of A (default min(6, m, n)). */
  q?: number | null;
  /** Subtract the column means first (default true). */
  center?: boolean;
  /** Subspace iterations (default 2). */
  niter?: number;
}
/**
 * Principal component analysis of a low-rank matrix or batch: `[U, S, V]` (PyTorch's plain tuple)
 * of the centred A; V's columns are the principal directions, S²/(m − 1) the variances.
 */
export function pcaLowrank(
  a: Tensor,
  q?: number | null | PcaLowrankOptions,
  center?: boolean | PcaLowrankOptions,
  niter?: number | PcaLowrankOptions,
): [U: Tensor, S: Tensor, V: Tensor] {
  const op = "pcaLowrank";
  const [rows, cols] = checkMatrix(op, a);
  const o = optArgs<PcaLowrankOptions>(op, ["q", "center", "niter"], [q, center, niter]);
  const k = o.q == null ? Math.min(6, rows, cols) : checkInt(op, "q", o.q, 0, Math.min(rows, cols));
  const n = checkInt(op, "niter", o.niter ?? 2, 0, 2 ** 20);
  const c = o.center ?? true;
  if (typeof c !== "boolean") argError(op, `center must be a boolean, got ${show(c)}`);
  if (!c) return lowrankSvd(a, k, n, null);
  return tidy(() => lowrankSvd(a.sub(a.mean({ dim: -2, keepdim: true })), k, n, null));
}
