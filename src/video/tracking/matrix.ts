// The few dense linear-algebra steps a Kalman filter of 7 states needs, on row-major
// Float64Arrays: products, transposes and a symmetric positive-definite solve (Cholesky).
// At these sizes plain loops beat a tensor round trip by orders of magnitude.
import { FlambeauError } from "../../core/errors.js";

/** A row-major rows × cols matrix. */
export interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

export const mat = (rows: number, cols: number, values?: ArrayLike<number>): Mat => ({
  rows,
  cols,
  data: values ? Float64Array.from(values) : new Float64Array(rows * cols),
});

export function identity(n: number): Mat {
  const m = mat(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

export function diag(values: readonly number[]): Mat {
  const n = values.length;
  const m = mat(n, n);
  values.forEach((v, i) => {
    m.data[i * n + i] = v;
  });
  return m;
}

export function matmul(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new FlambeauError("E_SHAPE", `matmul: [${a.rows}, ${a.cols}] × [${b.rows}, ${b.cols}]`, "matmul");
  const out = mat(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++) {
      const v = a.data[i * a.cols + k]!;
      if (v === 0) continue;
      for (let j = 0; j < b.cols; j++) out.data[i * b.cols + j]! += v * b.data[k * b.cols + j]!;
    }
  return out;
}

export function transpose(a: Mat): Mat {
  const out = mat(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return out;
}

export function add(a: Mat, b: Mat, sign = 1): Mat {
  const out = mat(a.rows, a.cols, a.data);
  for (let i = 0; i < out.data.length; i++) out.data[i]! += sign * b.data[i]!;
  return out;
}

/** Lower-triangular L with A = L Lᵀ (A symmetric positive definite). */
export function cholesky(a: Mat): Mat {
  const n = a.rows;
  const l = mat(n, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = a.data[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l.data[i * n + k]! * l.data[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) throw new FlambeauError("E_ARG", `cholesky: the matrix is not positive definite (pivot ${s} at ${i})`, "cholesky");
        l.data[i * n + i] = Math.sqrt(s);
      } else l.data[i * n + j] = s / l.data[j * n + j]!;
    }
  return l;
}

/** X with A X = B for symmetric positive-definite A, by its Cholesky factor. */
export function solveSpd(a: Mat, b: Mat): Mat {
  const n = a.rows;
  const l = cholesky(a);
  const x = mat(b.rows, b.cols, b.data);
  for (let c = 0; c < b.cols; c++) {
    for (let i = 0; i < n; i++) {
      let s = x.data[i * b.cols + c]!;
      for (let k = 0; k < i; k++) s -= l.data[i * n + k]! * x.data[k * b.cols + c]!;
      x.data[i * b.cols + c] = s / l.data[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x.data[i * b.cols + c]!;
      for (let k = i + 1; k < n; k++) s -= l.data[k * n + i]! * x.data[k * b.cols + c]!;
      x.data[i * b.cols + c] = s / l.data[i * n + i]!;
    }
  }
  return x;
}
