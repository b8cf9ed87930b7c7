// Transform composition (torchvision.transforms' Compose / Lambda). The image transforms
// themselves live in vision; this is the shape they all share.
import { argError } from "../core/errors.js";

/** A preprocessing step from `In` to `Out`. */
export interface Transform<In, Out = In> {
  apply(x: In): Out;
}

/** A Transform, or a plain function doing the same. */
export type TransformLike<In, Out = In> = Transform<In, Out> | ((x: In) => Out);

/** Wraps a TransformLike so it can be called as a function. */
export function asFunction<In, Out>(t: TransformLike<In, Out>): (x: In) => Out {
  if (typeof t === "function") return t;
  if (t !== null && typeof t === "object" && typeof t.apply === "function") return (x: In) => t.apply(x);
  return argError("transform", `expected a function or an object with apply(x), got ${String(t)}`);
}

/** A function as a Transform, with a name for toString(). */
export class Lambda<In, Out = In> implements Transform<In, Out> {
  readonly fn: (x: In) => Out;
  readonly name: string;
  constructor(fn: (x: In) => Out, name?: string) {
    if (typeof fn !== "function") argError("Lambda", `expected a function, got ${String(fn)}`);
    this.fn = fn;
    this.name = name ?? (fn.name || "anonymous");
  }
  apply(x: In): Out {
    return this.fn(x);
  }
  toString(): string {
    return `Lambda(${this.name})`;
  }
}

/**
 * Transforms applied in order. The constructor takes any list (each link's types are the
 * caller's promise); `compose(a, b, …)` checks that each output feeds the next input.
 */
export class Compose<In, Out = In> implements Transform<In, Out> {
  readonly transforms: readonly TransformLike<never, unknown>[];
  readonly #fns: ((x: unknown) => unknown)[];

  constructor(transforms: readonly TransformLike<never, unknown>[]) {
    if (!Array.isArray(transforms)) argError("Compose", `expects an array of transforms, got ${String(transforms)}`);
    this.transforms = [...transforms];
    this.#fns = transforms.map((t) => asFunction(t as TransformLike<unknown, unknown>));
  }

  apply(x: In): Out {
    let v: unknown = x;
    for (const f of this.#fns) v = f(v);
    return v as Out;
  }

  toString(): string {
    const names = this.transforms.map((t) => (typeof t === "function" ? `Lambda(${t.name || "anonymous"})` : String(t)));
    return `Compose(\n${names.map((n) => `  ${n}`).join(",\n")}\n)`;
  }
}

/** Composes transforms left to right, with each output type checked against the next input. */
export function compose<A, B>(t1: TransformLike<A, B>): Compose<A, B>;
export function compose<A, B, C>(t1: TransformLike<A, B>, t2: TransformLike<B, C>): Compose<A, C>;
export function compose<A, B, C, D>(t1: TransformLike<A, B>, t2: TransformLike<B, C>, t3: TransformLike<C, D>): Compose<A, D>;
export function compose<A, B, C, D, E>(
  t1: TransformLike<A, B>,
  t2: TransformLike<B, C>,
  t3: TransformLike<C, D>,
  t4: TransformLike<D, E>,
): Compose<A, E>;
export function compose<A, B, C, D, E, F>(
  t1: TransformLike<A, B>,
  t2: TransformLike<B, C>,
  t3: TransformLike<C, D>,
  t4: TransformLike<D, E>,
  t5: TransformLike<E, F>,
): Compose<A, F>;
export function compose(...ts: TransformLike<never, unknown>[]): Compose<unknown, unknown> {
  return new Compose(ts);
}
