// nn: modules, layers, losses, initialisations and the functional API.

export * from "./activation.js";
export {
  type AttentionForwardOptions,
  MultiheadAttention,
  type MultiheadAttentionOptions,
  multiHeadAttentionForward,
} from "./attention.js";
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from "./batchnorm.js";
export { ModuleDict, ModuleList, Sequential } from "./container.js";
export { Conv1d, Conv2d, type ConvOptions, ConvTranspose2d, type ConvTransposeOptions } from "./conv.js";
export { Dropout, Dropout2d } from "./dropout.js";
export { Embedding } from "./embedding.js";
export { Flatten, Unflatten } from "./flatten.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export { Bilinear, Identity, Linear } from "./linear.js";
export * from "./loss.js";
export { type LoadResult, Module } from "./module.js";
export { GroupNorm, LayerNorm } from "./normalization.js";
export { Parameter } from "./parameter.js";
export { AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool2d, MaxPool1d, MaxPool2d, type PoolOptions } from "./pooling.js";
export { GRU, LSTM, RNN, type RNNForwardOptions, type RNNOptions } from "./rnn.js";
export {
  generateSquareSubsequentMask,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
  type TransformerLayerOptions,
} from "./transformer.js";
