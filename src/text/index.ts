// text: tokenizers, vocabularies, readers, corpora, models and tasks.

export {
  type CiderOptions,
  type CiderScore,
  type CocoBleuScore,
  captionWords,
  ciderD,
  cocoBleu,
  cocoTokenize,
} from "../train/text-metrics/index.js";
export { brownEntities, brownPos, placeNames, simplifyBrownTag, UNIVERSAL_TAGS, universalTag } from "./datasets/brown.js";
export { fortunes, sotu, spamAssassin, type TextSplit } from "./datasets/corpora.js";
export { decodeHeaderWords, decodeQuotedPrintable, emailText, htmlToText, type ParsedEmail, parseEmail } from "./email.js";
export { bioSpans, type EntityScores, entityScores, type Span } from "./entities.js";
export * from "./features/tfidf.js";
export { type MaskOptions, maskTokens, mlmLoss, transferEncoder } from "./mlm.js";
export * from "./models/index.js";
export {
  formatConll,
  indexLabels,
  LABEL_LIST_SEPARATOR,
  type LabelledTexts,
  parseConll,
  readConll,
  readTaggedSentences,
  readTextRecords,
  type TaggedSentence,
  type TextColumns,
  type TextRecords,
} from "./readers.js";
export * from "./seq2seq/index.js";
export { embedTexts, featureExtraction, nearestNeighbourAccuracy } from "./tasks/feature-extraction.js";
export { type FillMaskPrediction, fillMask, loadFillMask, SMALL_BERT } from "./tasks/fill-mask.js";
export { labelSubset, type TextClassificationTrainOptions, textClassification, trainTextClassifier } from "./tasks/text-classification.js";
export { tokenClassification } from "./tasks/token-classification.js";
export {
  type BatchEncodeOptions,
  type BatchEncoding,
  type Corpus,
  type EncodedText,
  type EncodeOptions,
  padBatch,
  type SubwordKind,
  SubwordTokenizer,
  type TrainTokenizerOptions,
} from "./tokenizers/subword.js";
export { readUnlabelledTexts } from "./unlabelled.js";
export { charTokenize, Vocab, type VocabOptions, wordTokenize } from "./vocab.js";
