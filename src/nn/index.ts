// nn: modules, layers, losses, initialisations and the functional API.

export * from "./activation.js";
export { MultiheadAttention, type MultiheadAttentionOptions, NonDynamicallyQuantizableLinear } from "./attention.js";
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, type BatchNormOptions } from "./batchnorm.js";
export { ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential } from "./container.js";
export {
  Conv1d,
  Conv2d,
  Conv3d,
  type ConvOptions,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  type ConvTransposeOptions,
  LazyConv1d,
  LazyConv2d,
  LazyConv3d,
  LazyConvTranspose1d,
  LazyConvTranspose2d,
  LazyConvTranspose3d,
} from "./conv.js";
export {
  alphasCumprod,
  type DiffusionOptions,
  GaussianDiffusion,
  type NoiseSchedule,
  type SampleOptions,
  type VelocityModel,
} from "./diffusion.js";
export { AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout } from "./dropout.js";
export { Embedding, EmbeddingBag, type EmbeddingBagModuleOptions } from "./embedding.js";
export { Flatten, Unflatten } from "./flatten.js";
export * as functional from "./functional.js";
export { type AttentionForwardOptions, multiHeadAttentionForward } from "./functional-attention.js";
export type { Nonlinearity } from "./init.js";
export * as init from "./init.js";
export {
  InstanceNorm1d,
  InstanceNorm2d,
  InstanceNorm3d,
  type InstanceNormModuleOptions,
  LocalResponseNorm,
} from "./instancenorm.js";
export { Bilinear, Identity, Linear } from "./linear.js";
export * from "./loss.js";
export { type ForwardHook, type ForwardPreHook, type FullBackwardHook, type HookHandle, type LoadResult, Module } from "./module.js";
export { GroupNorm, LayerNorm } from "./normalization.js";
export {
  ConstantPad1d,
  ConstantPad2d,
  ConstantPad3d,
  ReflectionPad1d,
  ReflectionPad2d,
  ReflectionPad3d,
  ReplicationPad1d,
  ReplicationPad2d,
  ReplicationPad3d,
  ZeroPad2d,
} from "./padding.js";
export { Parameter } from "./parameter.js";
export {
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveAvgPool3d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  AdaptiveMaxPool3d,
  AvgPool1d,
  AvgPool2d,
  AvgPool3d,
  type AvgPoolOptions,
  FractionalMaxPool2d,
  FractionalMaxPool3d,
  LPPool1d,
  LPPool2d,
  MaxPool1d,
  MaxPool2d,
  MaxPool3d,
  type MaxPoolOptions,
  MaxUnpool1d,
  MaxUnpool2d,
  MaxUnpool3d,
  type PoolOptions,
} from "./pooling.js";
export { GRU, LSTM, type LSTMOptions, RNN, type RNNForwardOptions, type RNNOptions } from "./rnn.js";
export { type CellWeights, GRUCell, LSTMCell, RNNCell } from "./rnn-cell.js";
export {
  ChannelShuffle,
  CosineSimilarity,
  Fold,
  PairwiseDistance,
  PixelShuffle,
  PixelUnshuffle,
  Unfold,
  Upsample,
  type UpsampleOptions,
  UpsamplingBilinear2d,
  UpsamplingNearest2d,
} from "./spatial.js";
export {
  type DecoderMasks,
  type EncoderMasks,
  generateSquareSubsequentMask,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
  type TransformerLayerOptions,
} from "./transformer.js";
export { Transformer, type TransformerMasks, type TransformerOptions } from "./transformer-model.js";
export * as utils from "./utils/index.js";
