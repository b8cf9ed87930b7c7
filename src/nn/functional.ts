// nn.functional: the plain functions every layer is built on, under PyTorch's names.

export { convTbc } from "../core/generated/index.js";
export {
  celu,
  elu,
  gelu,
  hardsigmoid,
  hardswish,
  hardtanh,
  leakyRelu,
  logSigmoid,
  /** PyTorch's spelling (F.logsigmoid). */
  logSigmoid as logsigmoid,
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
// The rest of PyTorch 1.13's nn.functional. Named exports take precedence over the
// `export *` above, so these stay authoritative if core grows a function of the same name.
export {
  type GumbelSoftmaxOptions,
  gumbelSoftmax,
  hardshrink,
  type RReLUOptions,
  rrelu,
  softmin,
  softshrink,
  softsign,
  tanhshrink,
  threshold,
} from "./functional-activation.js";
export {
  type AttentionForwardOptions,
  type AttentionParams,
  multiHeadAttentionForward,
} from "./functional-attention.js";
export {
  type GaussianNLLLossOptions,
  gaussianNllLoss,
  hingeEmbeddingLoss,
  type MultiMarginLossOptions,
  multilabelMarginLoss,
  multilabelSoftMarginLoss,
  multiMarginLoss,
  type PoissonNLLLossOptions,
  poissonNllLoss,
  type ReductionOptions,
  softMarginLoss,
  type TripletMarginLossOptions,
  type TripletMarginWithDistanceLossOptions,
  tripletMarginLoss,
  tripletMarginWithDistanceLoss,
} from "./functional-loss.js";
export {
  type InstanceNormOptions,
  instanceNorm,
  type LocalResponseNormOptions,
  localResponseNorm,
  type NormalizeOptions,
  normalize,
} from "./functional-norm.js";
export {
  type AvgPool3dOptions,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool1dWithIndices,
  adaptiveMaxPool2dWithIndices,
  adaptiveMaxPool3d,
  adaptiveMaxPool3dWithIndices,
  alphaDropout,
  avgPool3d,
  type ConvTranspose3dOptions,
  convTranspose3d,
  dropout1d,
  dropout3d,
  type FractionalMaxPoolOptions,
  featureAlphaDropout,
  fractionalMaxPool2d,
  fractionalMaxPool3d,
  type LPPoolOptions,
  lpPool1d,
  lpPool2d,
  type MaxUnpoolOptions,
  maxPool1dWithIndices,
  maxPool3d,
  maxPool3dWithIndices,
  maxUnpool1d,
  maxUnpool2d,
  maxUnpool3d,
} from "./functional-pool.js";
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
export {
  affineGrid,
  channelShuffle,
  type EmbeddingBagOptions,
  embeddingBag,
  fold,
  type GridSampleOptions,
  gridSample,
  type InterpolateMode,
  type InterpolateOptions,
  interpolate,
  oneHot,
  pairwiseDistance,
  pdist,
  type UnfoldOptions,
  type UpsampleOptions,
  unfold,
  upsample,
  upsampleBilinear,
  upsampleNearest,
} from "./functional-spatial.js";
export { type CellWeights, gruCell, lstmCell, rnnReluCell, rnnTanhCell } from "./rnn-cell.js";
