// nn.functional: the plain functions every layer is built on, under PyTorch's names.
export * from "../core/ops/nn.js";
export * from "../core/ops/loss.js";
export {
  relu,
  relu6,
  gelu,
  silu,
  sigmoid,
  tanh,
  mish,
  selu,
  celu,
  elu,
  leakyRelu,
  softplus,
  hardtanh,
  hardswish,
  hardsigmoid,
  logSigmoid,
  prelu,
} from "../core/ops/elementwise.js";
export { pad } from "../core/ops/shape.js";
