// The text model zoo: names → constructors, for tasks and the CLI's --model.

export { BiLstmTagger, type TaggerOptions } from "./bilstm-tagger.js";
export { BowLogistic, type BowLogisticOptions } from "./bow-logistic.js";
export { CRF } from "./crf.js";
export { RnnClassifier, type RnnClassifierOptions } from "./rnn-classifier.js";
export { TextCnn, type TextCnnOptions } from "./text-cnn.js";
export { BertClassifier, BertEncoder, BertForMaskedLM, type BertOptions } from "./transformer-encoder.js";
export { type WideDeepOptions, WideDeepText } from "./wide-deep.js";
