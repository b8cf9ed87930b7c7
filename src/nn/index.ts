// nn: modules, layers, losses, initialisations and the functional API.

export * from "./activation.js";
export { MultiheadAttention, type MultiheadAttentionOptions, NonDynamicallyQuantizableLinear } from "./attention.js";
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, type BatchNormOptions } from "./batchnorm.js";
export { ModuleDict, ModuleList, Sequential } from "./container.js";
export { Conv1d, Conv2d, Conv3d, type ConvOptions, ConvTranspose1d, ConvTranspose2d, type ConvTransposeOptions } from "./conv.js";
export { Dropout, Dropout2d } from "./dropout.js";
export { Embedding } from "./embedding.js";
export { Flatten, Unflatten } from "./flatten.js";
export * as functional from "./functional.js";
export { type AttentionForwardOptions, multiHeadAttentionForward } from "./functional-attention.js";
export type { Nonlinearity } from "./init.js";
export * as init from "./init.js";
export { Bilinear, Identity, Linear } from "./linear.js";
export * from "./loss.js";
export { type LoadResult, Module } from "./module.js";
export { GroupNorm, LayerNorm } from "./normalization.js";
export { Parameter } from "./parameter.js";
export {
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool2d,
  AvgPool1d,
  AvgPool2d,
  type AvgPoolOptions,
  MaxPool1d,
  MaxPool2d,
  type PoolOptions,
} from "./pooling.js";
export { GRU, LSTM, RNN, type RNNForwardOptions, type RNNOptions } from "./rnn.js";
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
