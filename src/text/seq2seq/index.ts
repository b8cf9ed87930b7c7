// Sequence to sequence: translation, summarization and generation, their data and metrics.
export { firstSentence, learnDictionary, translateWordByWord } from "./baselines.js";
export { type BleuOptions, type BleuScore, corpusBleu, tokenize13a } from "./bleu.js";
export { corpusChrf } from "./chrf.js";
export { type DdtpCorpus, loadDdtp, parseTranslation, type TextPair } from "./ddtp.js";
export { beamSearch, greedyDecode, sampleDecode, sampleFrom, streamDecode } from "./decode.js";
export { textGeneration } from "./generation-task.js";
export { CausalLM, type CausalLMOptions, generateTokens, startGeneration, streamTokens } from "./language-model.js";
export { loadPairs } from "./pairs.js";
export { corpusRouge, lcsLength, rouge } from "./rouge.js";
export { summarization, translation } from "./task.js";
export { type Seq2SeqOptions, Seq2SeqTransformer, sinusoidalPositions } from "./transformer.js";
