// nn.functional: the plain functions every layer is built on, under PyTorch's names.

export {
  celu,
  elu,
  gelu,
  hardsigmoid,
  hardswish,
  hardtanh,
  leakyRelu,
  logSigmoid,
  mish,
  prelu,
  relu,
  relu6,
  selu,
  sigmoid,
  silu,
  softplus,
  tanh,
} from "../core/ops/elementwise.js";
export * from "../core/ops/loss.js";
export * from "../core/ops/nn.js";
export { pad } from "../core/ops/shape.js";
export {
  type AttentionForwardOptions,
  type AttentionParams,
  multiHeadAttentionForward,
} from "./functional-attention.js";
export {
  type GRUFunctionalOptions,
  gru,
  type LSTMFunctionalOptions,
  lstm,
  type RNNFunctionalOptions,
  type RNNMode,
  type RNNResult,
  rnnForward,
  rnnRelu,
  rnnTanh,
} from "./functional-rnn.js";
