// The op specification table (PyTorch's OpInfo, in small): each row names an op, how to
// call it in Flambeau and in PyTorch, its sample inputs and whether it is differentiable.
// Rows drive the PyTorch parity test (fixtures made by scripts/fixtures/ops.py from the
// spec this table exports), finite-difference gradient checks and dtype coverage, so
// adding a row adds its tests; rows may also list inputs the op must refuse (errors).
// The rows live in opinfo-math.ts and opinfo-nn.ts, the types and helpers in opinfo-spec.ts.
import { MATH_ROWS } from "./opinfo-math.js";
import { NN_ROWS } from "./opinfo-nn.js";
import type { OpRow } from "./opinfo-spec.js";

export type { ErrorSample, InputKind, InputSpec, OpRow } from "./opinfo-spec.js";

export const OPS: OpRow[] = [...MATH_ROWS, ...NN_ROWS];
