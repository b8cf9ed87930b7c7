// Types and sample-input helpers of the op specification table (opinfo.ts).
import * as fl from "flambeau";

/** Sample values: standard normal, in (0.2, 2.2), in (-0.9, 0.9), probabilities, int64 indices in [0, n), or int64 all equal to v. */
export type InputKind = "normal" | "positive" | "unit" | `index:${number}` | `value:${number}` | "probs";
export interface InputSpec {
  shape: number[];
  kind?: InputKind;
}
export interface OpRow {
  name: string;
  fl: (...xs: fl.Tensor[]) => fl.Tensor | fl.Tensor[];
  /** Python expression over inputs a, b, c (torch, F = torch.nn.functional); absent: no parity fixture. */
  torch?: string;
  inputs: InputSpec[];
  /** Whether to check gradients (of every float input). */
  differentiable: boolean;
  /** Other dtypes the op must accept (run and checked for a result of the right shape). */
  dtypes?: fl.DType[];
  rtol?: number;
  atol?: number;
  /** Why the finite-difference check does not apply (the PyTorch gradient parity still runs). */
  gradcheckSkip?: string;
  /** Inputs the op must refuse, with a pattern its FlambeauError's message must match. */
  errors?: ErrorSample[];
}
export interface ErrorSample {
  inputs: InputSpec[];
  message: RegExp;
}

export const S = (...shape: number[]): InputSpec => ({ shape });
export const P = (...shape: number[]): InputSpec => ({ shape, kind: "positive" });
export const I = (n: number, ...shape: number[]): InputSpec => ({ shape, kind: `index:${n}` });
export const V = (v: number, ...shape: number[]): InputSpec => ({ shape, kind: `value:${v}` });
export const fails = (message: RegExp, ...inputs: InputSpec[]): ErrorSample => ({ inputs, message });
export const MISMATCH = /The size of tensor a \(\d+\) must match the size of tensor b \(\d+\)/;
export const F = fl.nn.functional;
export const unary = (name: string, fn: (a: fl.Tensor) => fl.Tensor, torch: string, kind: InputKind = "normal"): OpRow => ({
  name,
  fl: fn,
  torch,
  inputs: [{ shape: [3, 4], kind }],
  differentiable: true,
  dtypes: ["float64"],
});
