// Argument readers the nn op family shares with nn.functional (adaptive output sizes, the
// dropout family's p and training): internal, so they stay out of the public `F` namespace
// that re-exports ./nn.ts.

import { argError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, checkTuple, optArgs, show } from "../validate.js";

/** Kernel, stride, dilation, padding and output-size cap: far beyond any real model (nn.ts uses the same). */
export const PARAM_CAP = 2 ** 20;

/** An adaptive pool's output size; null in a dim keeps the input's size there (as PyTorch's None). */
export type AdaptiveSize = number | readonly (number | null)[];
export function adaptiveSize(op: string, x: Tensor, n: number, size: AdaptiveSize, cap = PARAM_CAP): number[] {
  checkTensor(op, "input", x);
  if (x.ndim !== n + 1 && x.ndim !== n + 2) argError(op, `input must have rank ${n + 1} or ${n + 2}, got [${x.shape.join(", ")}]`);
  const given = Array.isArray(size) ? size.map((d, i) => (d === null ? x.shape[x.ndim - n + i]! : d)) : (size as number);
  return checkTuple(op, "outputSize", given, n, 1, cap);
}

/** The dropout family's options: p, training (and PyTorch's inplace, false only), positionally or by name. */
export interface DropoutOptions {
  p?: number;
  training?: boolean;
  inplace?: boolean;
}
export type DropoutArg<T> = T | DropoutOptions;
/** p and training of a dropout call, checked; `trainingDefault` is PyTorch's default for that op. */
export function dropoutArgs(
  op: string,
  p: DropoutArg<number> | undefined,
  training: DropoutArg<boolean> | undefined,
  trainingDefault: boolean,
) {
  const o = optArgs<DropoutOptions>(op, ["p", "training", "inplace"], [p, training]);
  const prob = o.p ?? 0.5;
  if (typeof prob !== "number" || !(prob >= 0 && prob <= 1)) argError(op, `p must be in [0, 1], got ${show(prob)}`);
  if (o.inplace) argError(op, "inplace dropout is not supported; use the result");
  const train = o.training ?? trainingDefault;
  if (typeof train !== "boolean") argError(op, `training must be a boolean, got ${show(train)}`);
  return { p: prob, training: train };
}
