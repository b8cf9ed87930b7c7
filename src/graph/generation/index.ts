// Molecule generation: SMILES tokens and the grammar/valence sampling mask, the conditional
// SMILES LSTM, its training and sampling, and the generation metrics. The corpus and the
// property functions take openchemlib molecules and stay internal, so that the public
// declarations never import openchemlib's types (an optional peer).

export { askFor, type Calibration, calibrateCondition, IDENTITY_CALIBRATION } from "./calibrate.js";
export { fitSmilesLm, type LmFitOptions, type LmFitResult, type Standardizer, standardizer } from "./fit.js";
export { grammarAccepts, SmilesGrammar } from "./grammar.js";
export { type GenerationMetrics, generationMetrics, type ScoredSample, wasserstein1 } from "./metrics.js";
export { type LmState, SmilesLM, type SmilesLmHyper } from "./model.js";
export { type SampleOptions, sampleSmiles, targetValues } from "./sample.js";
export { type ScoredSmiles, scoreAll, scoreSmiles } from "./score.js";
export { formatTarget, inRange, parseTarget, type TargetRange } from "./target.js";
export { BOS, EOS, PAD, SmilesVocabulary, type Token, tokenInfo, tokenizeSmiles } from "./tokens.js";
