// torch.gradient: central differences of sampled values. The binding carries no Scalar[]
// argument, so a list of per-dim spacings is one call per dim (each dim's result depends on
// its own spacing only).
import { aten } from "../aten.js";
import { callTs } from "../dispatch.js";
import { argError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { isTensor } from "../tensor-class.js";
import { checkInt, checkTensor, normDim, normDims, optionsOf, rankOf, show } from "../validate.js";

export interface GradientOptions {
  /** The sample spacing: one number for every dim, one per dim, or per dim the coordinates as a 1-D tensor (default 1). */
  spacing?: number | readonly number[] | readonly Tensor[] | null;
  /** The dims to differentiate along (default all). */
  dim?: number | readonly number[] | null;
  /** 1 or 2: the order of the one-sided differences at the edges (default 1). */
  edgeOrder?: number;
}
const BY_SCALAR = aten("gradient.scalararray");
const BY_TENSORS = aten("gradient.tensorarray");

/** The derivative estimate along each dim in `dim`, one tensor per dim (PyTorch's tuple). */
export function gradient(input: Tensor, options?: GradientOptions): Tensor[] {
  const op = "gradient";
  const r = rankOf(op, checkTensor(op, "input", input));
  const o = optionsOf(op, options, ["spacing", "dim", "edgeOrder"]);
  if (r === 0) argError(op, "input must have at least one dim");
  const edge = checkInt(op, "edgeOrder", o.edgeOrder ?? 1, 1, 2);
  const dims =
    o.dim == null ? Array.from({ length: r }, (_, i) => i) : typeof o.dim === "number" ? [normDim(op, o.dim, r)] : normDims(op, o.dim, r);
  for (const d of dims)
    if (input.shape[d]! < edge + 1)
      argError(op, `each differentiated dim needs at least edgeOrder + 1 = ${edge + 1} samples, dim ${d} has ${input.shape[d]}`);
  const sp = o.spacing ?? 1;
  if (typeof sp === "number") return callTs(BY_SCALAR, input, sp, dims, edge);
  if (!Array.isArray(sp) || sp.length !== dims.length)
    argError(op, `spacing must be a number or a list of ${dims.length} (one per dim), got ${show(sp)}`);
  if (sp.every(isTensor)) {
    sp.forEach((t, i) => {
      if (t.ndim !== 1 || t.shape[0] !== input.shape[dims[i]!])
        argError(op, `spacing[${i}] must be 1-D with ${input.shape[dims[i]!]} coordinates, got [${t.shape.join(", ")}]`);
    });
    return callTs(BY_TENSORS, input, sp, dims, edge);
  }
  if (!sp.every((s) => typeof s === "number")) argError(op, `spacing must hold only numbers or only tensors, got ${show(sp)}`);
  return dims.map((d, i) => callTs(BY_SCALAR, input, sp[i], [d], edge)[0]!);
}
