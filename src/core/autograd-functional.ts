// autograd.functional (PyTorch's torch.autograd.functional): vjp, jvp, jacobian, hessian,
// vhp, hvp, all built on grad(); jvp and hvp by the double-vjp trick. Inputs given as one
// Tensor give Tensor results; inputs given as an array give arrays (per input, and per output
// then input for jacobian), as PyTorch does with tensors and tuples.
import { enableGrad, grad, noGrad } from "./autograd.js";
import { FlambeauError } from "./errors.js";
import { onesLike, zeros, zerosLike } from "./ops/creation.js";
import { stack } from "./ops/shape.js";
import type { Tensor } from "./tensor.js";
import { isTensor } from "./tensor-class.js";
import { checkFunction, optionsOf, show } from "./validate.js";

export type Tensors = Tensor | Tensor[];
type Like<I> = I extends Tensor ? Tensor : Tensor[];
/** jacobian's result: Tensor for one input and one output, arrays for arrays. */
export type Jacobian<I, O> = O extends Tensor ? (I extends Tensor ? Tensor : Tensor[]) : I extends Tensor ? Tensor[] : Tensor[][];
/** hessian's result: a Tensor for one input, Tensor[][] (input by input) for an array. */
export type Hessian<I> = I extends Tensor ? Tensor : Tensor[][];

export interface FunctionalOptions {
  /** Keep the graph of the results, so that they can be differentiated again (default false). */
  createGraph?: boolean;
}

function list(op: string, name: string, v: unknown): Tensor[] {
  const l = isTensor(v) ? [v] : v;
  if (!Array.isArray(l) || l.length === 0)
    throw new FlambeauError("E_ARG", `${op}: ${name} must be a Tensor or a non-empty array of Tensors, got ${show(v)}`, op);
  l.forEach((t, i) => {
    if (!isTensor(t)) throw new FlambeauError("E_ARG", `${op}: ${name}[${i}] must be a Tensor, got ${show(t)}`, op);
    if (t.disposed) throw new FlambeauError("E_DISPOSED", `${op}: ${name}[${i}] was disposed`, op);
  });
  return l as Tensor[];
}

function createGraphOf(op: string, opts: FunctionalOptions | undefined): boolean {
  const o = optionsOf(op, opts);
  const c = o.createGraph ?? false;
  if (typeof c !== "boolean") throw new FlambeauError("E_ARG", `${op}: createGraph must be a boolean, got ${show(c)}`, op);
  return c;
}

// Inputs the function is differentiated at: leaves requiring grad, or (createGraph) views
// that keep the link to the caller's graph.
function prepInputs(inputs: Tensor[], createGraph: boolean): Tensor[] {
  return inputs.map((x) => {
    if (!x.dtype.startsWith("float") && !x.dtype.startsWith("complex") && x.dtype !== "bfloat16")
      throw new FlambeauError("E_DTYPE", `autograd.functional: inputs must be floating point, got ${x.dtype}`, "autograd.functional");
    return createGraph && x.requiresGrad ? x.viewAs(x) : x.detach().requiresGrad_(true);
  });
}

function callFn(op: string, fn: (...xs: Tensor[]) => Tensors, xs: Tensor[]): { outs: Tensor[]; single: boolean } {
  const r = enableGrad(() => fn(...xs));
  return { outs: list(op, "the function's output", r), single: isTensor(r) };
}

function post(ts: Tensor[], createGraph: boolean): Tensor[] {
  return createGraph ? ts : ts.map((t) => t.detach());
}

function checkVs(op: string, vs: Tensor[], like: Tensor[], what: string): void {
  if (vs.length !== like.length) throw new FlambeauError("E_ARG", `${op}: v has ${vs.length} tensors, the ${what} ${like.length}`, op);
  vs.forEach((v, i) => {
    if (v.shape.join() !== like[i]!.shape.join())
      throw new FlambeauError(
        "E_SHAPE",
        `${op}: v[${i}] has shape [${v.shape.join(", ")}], the ${what}[${i}] has [${like[i]!.shape.join(", ")}]`,
        op,
      );
  });
}

function gradOrZeros(outs: Tensor[], wrt: Tensor[], gradOutputs: (Tensor | null)[], createGraph: boolean): Tensor[] {
  const anyGrad = outs.some((o) => o.requiresGrad);
  const gs = anyGrad
    ? grad(
        outs.filter((o) => o.requiresGrad),
        wrt,
        { gradOutputs: gradOutputs.filter((_, i) => outs[i]!.requiresGrad), createGraph, retainGraph: true, allowUnused: true },
      )
    : wrt.map(() => null);
  return gs.map((g, i) => g ?? zerosLike(wrt[i]!));
}

const shape = <I>(single: boolean, ts: Tensor[]): Like<I> => (single ? ts[0]! : ts) as Like<I>;

/** Vector-Jacobian product: [fn(inputs), vᵀ·J]. v may be omitted when fn returns one element. */
export function vjp<I extends Tensors, O extends Tensors>(
  fn: (...xs: Tensor[]) => O,
  inputs: I,
  v?: O | null,
  opts?: FunctionalOptions,
): [O, Like<I>] {
  return enableGrad(() => {
    checkFunction("vjp", fn);
    const ins = list("vjp", "inputs", inputs);
    const cg = createGraphOf("vjp", opts);
    const xs = prepInputs(ins, cg);
    const { outs, single } = callFn("vjp", fn, xs);
    let vs: Tensor[];
    if (v == null) {
      if (outs.length !== 1 || outs[0]!.numel !== 1)
        throw new FlambeauError("E_ARG", "vjp: v may be omitted only when the function returns a single element", "vjp");
      vs = [onesLike(outs[0]!)];
    } else {
      vs = list("vjp", "v", v);
      checkVs("vjp", vs, outs, "output");
    }
    const res = gradOrZeros(outs, xs, vs, cg);
    return [shape<O>(single, post(outs, cg)) as unknown as O, shape<I>(isTensor(inputs), post(res, cg))];
  });
}

/** Jacobian-vector product: [fn(inputs), J·v], computed by two vector-Jacobian products. */
export function jvp<I extends Tensors, O extends Tensors>(
  fn: (...xs: Tensor[]) => O,
  inputs: I,
  v?: I | null,
  opts?: FunctionalOptions,
): [O, Like<O>] {
  return enableGrad(() => {
    checkFunction("jvp", fn);
    const ins = list("jvp", "inputs", inputs);
    const cg = createGraphOf("jvp", opts);
    let vs: Tensor[];
    if (v == null) {
      if (ins.length !== 1 || ins[0]!.numel !== 1)
        throw new FlambeauError("E_ARG", "jvp: v may be omitted only when there is a single one-element input", "jvp");
      vs = [onesLike(ins[0]!)];
    } else {
      vs = list("jvp", "v", v);
      checkVs("jvp", vs, ins, "input");
    }
    const xs = prepInputs(ins, cg);
    const { outs, single } = callFn("jvp", fn, xs);
    // g(u) = Jᵀu is linear in u; d<g(u), v>/du = J v.
    const us = outs.map((o) => enableGrad(() => zerosLike(o).requiresGrad_(true)));
    const gIn = enableGrad(() => gradOrZeros(outs, xs, us, true));
    const pairs = gIn.map((g, i) => [g, vs[i]!] as const).filter(([g]) => g.requiresGrad);
    let res: Tensor[];
    if (pairs.length === 0) res = outs.map((o) => zerosLike(o));
    else
      res = grad(
        pairs.map(([g]) => g),
        us,
        { gradOutputs: pairs.map(([, w]) => w), createGraph: cg, retainGraph: true, allowUnused: true },
      ).map((g, i) => g ?? zerosLike(outs[i]!));
    return [shape<O>(single, post(outs, cg)) as unknown as O, shape<O>(single, post(res, cg))];
  });
}

function jacobianOf(
  op: string,
  fn: (...xs: Tensor[]) => Tensors,
  ins: Tensor[],
  cg: boolean,
): { outs: Tensor[]; single: boolean; jac: Tensor[][] } {
  const xs = prepInputs(ins, cg);
  const { outs, single } = callFn(op, fn, xs);
  const jac = outs.map((o) => {
    const rows: Tensor[][] = xs.map(() => []);
    const n = o.numel;
    const flat = o.reshape([-1]);
    for (let k = 0; k < n; k++) {
      const e = noGrad(() => zeros([n], { dtype: o.dtype }));
      noGrad(() => e.narrow(0, k, 1).fill_(1));
      const g = o.requiresGrad
        ? grad([flat], xs, { gradOutputs: [e], createGraph: cg, retainGraph: true, allowUnused: true })
        : xs.map(() => null);
      g.forEach((gi, j) => rows[j]!.push(gi ?? zerosLike(xs[j]!)));
    }
    return xs.map((x, j) =>
      n === 0 ? zeros([...o.shape, ...x.shape], { dtype: x.dtype }) : stack(rows[j]!, 0).reshape([...o.shape, ...x.shape]),
    );
  });
  return { outs, single, jac: jac.map((row) => post(row, cg)) };
}

/** The Jacobian of fn at inputs: shape output.shape ++ input.shape, per (output, input). */
export function jacobian<I extends Tensors, O extends Tensors>(
  fn: (...xs: Tensor[]) => O,
  inputs: I,
  opts?: FunctionalOptions,
): Jacobian<I, O> {
  return enableGrad(() => {
    checkFunction("jacobian", fn);
    const ins = list("jacobian", "inputs", inputs);
    const { single, jac } = jacobianOf("jacobian", fn, ins, createGraphOf("jacobian", opts));
    const oneIn = isTensor(inputs);
    const rows = jac.map((r) => (oneIn ? r[0]! : r));
    return (single ? rows[0]! : rows) as Jacobian<I, O>;
  });
}

function scalarFn(op: string, fn: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => Tensor {
  return (...xs) => {
    const r = fn(...xs);
    if (!isTensor(r) || r.numel !== 1)
      throw new FlambeauError("E_ARG", `${op}: the function must return a Tensor with a single element, got ${show(r)}`, op);
    return r;
  };
}

/** The Hessian of a scalar function: shape input_i.shape ++ input_j.shape, per (i, j). */
export function hessian<I extends Tensors>(fn: (...xs: Tensor[]) => Tensor, inputs: I, opts?: FunctionalOptions): Hessian<I> {
  return enableGrad(() => {
    checkFunction("hessian", fn);
    const ins = list("hessian", "inputs", inputs);
    const cg = createGraphOf("hessian", opts);
    const f = scalarFn("hessian", fn);
    const gradFn = (...xs: Tensor[]): Tensor[] => {
      const out = f(...xs).reshape([]);
      const g = out.requiresGrad ? grad([out], xs, { createGraph: true, retainGraph: true, allowUnused: true }) : xs.map(() => null);
      return g.map((gi, i) => gi ?? zerosLike(xs[i]!));
    };
    // d(grad_i)/d(x_j): rows are the gradient's parts (outputs), columns the inputs.
    const { jac } = jacobianOf("hessian", gradFn, ins, cg);
    return (isTensor(inputs) ? jac[0]![0]! : jac) as Hessian<I>;
  });
}

function secondOrder(
  op: string,
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Tensors,
  v: Tensors,
  opts: FunctionalOptions | undefined,
  hvpForm: boolean,
): [Tensor, Tensor[]] {
  return enableGrad(() => {
    checkFunction(op, fn);
    const ins = list(op, "inputs", inputs);
    const vs = list(op, "v", v);
    checkVs(op, vs, ins, "input");
    const cg = createGraphOf(op, opts);
    const xs = prepInputs(ins, cg);
    const out = enableGrad(() => scalarFn(op, fn)(...xs));
    if (!out.requiresGrad) return [post([out], cg)[0]!, xs.map((x) => zerosLike(x))];
    const jac = enableGrad(() => gradOrZeros([out], xs, [null], true));
    const live = jac.map((g, i) => [g, i] as const).filter(([g]) => g.requiresGrad);
    let res: Tensor[];
    if (live.length === 0) res = xs.map((x) => zerosLike(x));
    else if (!hvpForm) {
      // vᵀH: one more vector-Jacobian product of the gradient.
      res = grad(
        live.map(([g]) => g),
        xs,
        { gradOutputs: live.map(([, i]) => vs[i]!), createGraph: cg, retainGraph: true, allowUnused: true },
      ).map((g, i) => g ?? zerosLike(xs[i]!));
    } else {
      // H v by the double-vjp trick: w ↦ Hᵀw is linear in w, and its vjp with v is H v.
      const ws = live.map(([g]) => enableGrad(() => zerosLike(g).requiresGrad_(true)));
      const back = enableGrad(() =>
        grad(
          live.map(([g]) => g),
          xs,
          { gradOutputs: ws, createGraph: true, retainGraph: true, allowUnused: true },
        ),
      );
      const pairs = back.map((b, i) => [b, vs[i]!] as const).filter(([b]) => b?.requiresGrad) as [Tensor, Tensor][];
      const hw =
        pairs.length === 0
          ? ws.map(() => null)
          : grad(
              pairs.map(([b]) => b),
              ws,
              { gradOutputs: pairs.map(([, w]) => w), createGraph: cg, retainGraph: true, allowUnused: true },
            );
      res = xs.map((x) => zerosLike(x));
      live.forEach(([, i], k) => {
        if (hw[k] != null) res[i] = hw[k]!;
      });
    }
    return [post([out], cg)[0]!, post(res, cg)];
  });
}

/** [fn(inputs), vᵀ·H] for a scalar function. */
export function vhp<I extends Tensors>(fn: (...xs: Tensor[]) => Tensor, inputs: I, v: I, opts?: FunctionalOptions): [Tensor, Like<I>] {
  const [out, r] = secondOrder("vhp", fn, inputs, v, opts, false);
  return [out, shape<I>(isTensor(inputs), r)];
}

/** [fn(inputs), H·v] for a scalar function (by the double-vjp trick). */
export function hvp<I extends Tensors>(fn: (...xs: Tensor[]) => Tensor, inputs: I, v: I, opts?: FunctionalOptions): [Tensor, Like<I>] {
  const [out, r] = secondOrder("hvp", fn, inputs, v, opts, true);
  return [out, shape<I>(isTensor(inputs), r)];
}
