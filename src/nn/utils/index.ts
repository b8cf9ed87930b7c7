// nn.utils: gradient clipping, parameters ⇄ vector, padded and packed sequences, and the
// re-parametrisations (weight norm, spectral norm, pruning, parametrize), freezing by name.
export { type ClipGradNormOptions, clipGradNorm_, clipGradValue_ } from "./clip-grad.js";
export { parametersToVector, vectorToParameters } from "./convert-parameters.js";
export { freeze, frozenParameters, matchParameters, type NamePatterns, unfreeze } from "./freeze.js";
export * as parametrize from "./parametrize.js";
export * as prune from "./prune.js";
export * as rnn from "./rnn.js";
export { PackedSequence } from "./rnn.js";
export { removeSpectralNorm, type SpectralNormOptions, spectralNorm } from "./spectral-norm.js";
export { removeWeightNorm, weightNorm } from "./weight-norm.js";
