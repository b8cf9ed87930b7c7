// Scalars as PyTorch's Python code computes them: a plain number is a Python float (double);
// a TensorScalar is a 0-dim tensor's value (e.g. `y.dot(s)`), whose arithmetic runs in the
// tensor's dtype. Mixed arithmetic follows ATen: the Python float is cast to the tensor's
// dtype, the result is a tensor; `float / tensor` is `tensor.reciprocal() * float`, as
// torch.Tensor.__rtruediv__ does. For float32, rounding each double result with
// Math.fround gives the float32 result exactly (+ − × ÷ √ are correctly rounded, and double
// has more than twice float32's precision), so code that branches on such values (L-BFGS's
// line search) takes PyTorch's branches.
import type { DType } from "../core/dtype.js";

export class TensorScalar {
  constructor(readonly v: number) {}
}
export type Num = number | TensorScalar;

export class ScalarMath {
  readonly #r: (x: number) => number;
  /** Scalars of 0-dim tensors of `dtype` (float32 rounds; float64 is exact double arithmetic). */
  constructor(dtype: DType) {
    this.#r = dtype === "float32" ? Math.fround : (x) => x;
  }
  /** A 0-dim tensor's value. */
  of(x: number): TensorScalar {
    return new TensorScalar(this.#r(x));
  }
  value(a: Num): number {
    return typeof a === "number" ? a : a.v;
  }
  #bin(a: Num, b: Num, f: (x: number, y: number) => number): Num {
    if (typeof a === "number" && typeof b === "number") return f(a, b);
    const r = this.#r;
    return new TensorScalar(r(f(r(this.value(a)), r(this.value(b)))));
  }
  #cmp(a: Num, b: Num, f: (x: number, y: number) => boolean): boolean {
    if (typeof a === "number" && typeof b === "number") return f(a, b);
    return f(this.#r(this.value(a)), this.#r(this.value(b)));
  }
  add(a: Num, b: Num): Num {
    return this.#bin(a, b, (x, y) => x + y);
  }
  sub(a: Num, b: Num): Num {
    return this.#bin(a, b, (x, y) => x - y);
  }
  mul(a: Num, b: Num): Num {
    return this.#bin(a, b, (x, y) => x * y);
  }
  div(a: Num, b: Num): Num {
    if (typeof a === "number" && typeof b !== "number") return this.mul(new TensorScalar(this.#r(1 / b.v)), a);
    return this.#bin(a, b, (x, y) => x / y);
  }
  sqrt(a: Num): Num {
    return typeof a === "number" ? Math.sqrt(a) : new TensorScalar(this.#r(Math.sqrt(a.v)));
  }
  abs(a: Num): Num {
    return typeof a === "number" ? Math.abs(a) : new TensorScalar(Math.abs(a.v));
  }
  lt(a: Num, b: Num): boolean {
    return this.#cmp(a, b, (x, y) => x < y);
  }
  le(a: Num, b: Num): boolean {
    return this.#cmp(a, b, (x, y) => x <= y);
  }
  gt(a: Num, b: Num): boolean {
    return this.#cmp(a, b, (x, y) => x > y);
  }
  ge(a: Num, b: Num): boolean {
    return this.#cmp(a, b, (x, y) => x >= y);
  }
  /** Python's min(a, b): a unless b < a. */
  min(a: Num, b: Num): Num {
    return this.lt(b, a) ? b : a;
  }
  /** Python's max(a, b): a unless b > a. */
  max(a: Num, b: Num): Num {
    return this.gt(b, a) ? b : a;
  }
}
