// nn.utils: gradient clipping, parameters ⇄ vector, padded and packed sequences, and the
// re-parametrisations (weight norm, spectral norm, pruning, parametrize), freezing by name,
// and the inference path (optimizeForInference: oneDNN's layout where it measures faster).
export { type ClipGradNormOptions, clipGradNorm_, clipGradValue_ } from "./clip-grad.js";
export { parametersToVector, vectorToParameters } from "./convert-parameters.js";
export { freeze, frozenParameters, matchParameters, type NamePatterns, unfreeze } from "./freeze.js";
export { type InferenceLayout, type InferenceModel, type InferenceOptions, optimizeForInference } from "./inference.js";
export * as parametrize from "./parametrize.js";
export * as prune from "./prune.js";
export * as rnn from "./rnn.js";
export { PackedSequence } from "./rnn.js";
export { removeSpectralNorm, type SpectralNormOptions, spectralNorm } from "./spectral-norm.js";
export { removeWeightNorm, weightNorm } from "./weight-norm.js";
