// nn: modules, layers, losses, initialisations and the functional API.
export { Parameter } from "./parameter.js";
export { Module, type LoadResult } from "./module.js";
export { Sequential, ModuleList, ModuleDict } from "./container.js";
export { Linear, Identity } from "./linear.js";
export { Conv1d, Conv2d, ConvTranspose2d, type ConvOptions, type ConvTransposeOptions } from "./conv.js";
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from "./batchnorm.js";
export { LayerNorm, GroupNorm } from "./normalization.js";
export { MaxPool1d, MaxPool2d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d, type PoolOptions } from "./pooling.js";
export { Dropout, Dropout2d } from "./dropout.js";
export * from "./activation.js";
export { Flatten, Unflatten } from "./flatten.js";
export { Embedding } from "./embedding.js";
export * from "./loss.js";
export * as init from "./init.js";
export * as functional from "./functional.js";
export { LSTM, GRU, RNN, type RNNOptions, type RNNForwardOptions } from "./rnn.js";
export { MultiheadAttention, multiHeadAttentionForward, type MultiheadAttentionOptions, type AttentionForwardOptions } from "./attention.js";
export {
  TransformerEncoderLayer,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerDecoder,
  generateSquareSubsequentMask,
  type TransformerLayerOptions,
} from "./transformer.js";
