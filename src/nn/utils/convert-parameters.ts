// parametersToVector / vectorToParameters (PyTorch's nn.utils.convert_parameters).
import { noGrad } from "../../core/autograd.js";
import { argError } from "../../core/errors.js";
import { tidy } from "../../core/memory.js";
import { cat } from "../../core/ops/shape.js";
import { Tensor } from "../../core/tensor.js";

function check(op: string, params: Iterable<Tensor>): Tensor[] {
  const list = [...params];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) argError(op, `parameters[${i}] is not a Tensor`);
  });
  return list;
}

/** The parameters flattened and concatenated into one vector (differentiable, as PyTorch's). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const list = check("parametersToVector", parameters);
  if (list.length === 0) argError("parametersToVector", "got no parameters");
  return tidy(() => cat(list.map((p) => p.reshape([-1]))));
}

/** Copies consecutive slices of `vec` into the parameters, in order. */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  const op = "vectorToParameters";
  if (!(vec instanceof Tensor)) argError(op, "vec must be a Tensor");
  if (vec.ndim !== 1) argError(op, `expected a 1-D vector, got [${vec.shape.join(", ")}]`);
  const list = check(op, parameters);
  const total = list.reduce((a, p) => a + p.numel, 0);
  if (total !== vec.numel) argError(op, `the vector has ${vec.numel} elements, the parameters ${total}`);
  let at = 0;
  noGrad(() =>
    tidy(() => {
      for (const p of list) {
        p.copy_(vec.narrow(0, at, p.numel).view(p.shape));
        at += p.numel;
      }
    }),
  );
}
