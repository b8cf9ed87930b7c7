// Text metrics below the modalities (captions are scored in vision, translations in text): the
// COCO caption evaluation's BLEU and CIDEr-D, and the n-gram counts sacreBLEU's BLEU shares.
export { type CiderOptions, type CiderScore, ciderD } from "./cider.js";
export { type CocoBleuScore, cocoBleu } from "./coco-bleu.js";
export { captionWords, cocoTokenize } from "./coco-tokenize.js";
export { ngramCounts, ngramOrder } from "./ngrams.js";
