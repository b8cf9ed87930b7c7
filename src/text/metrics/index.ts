// Text metrics shared by tasks: the COCO caption evaluation's BLEU and CIDEr-D.
export { type CiderOptions, type CiderScore, ciderD } from "./cider.js";
export { type CocoBleuScore, cocoBleu } from "./coco-bleu.js";
export { captionWords, cocoTokenize } from "./coco-tokenize.js";
export { ngramCounts, ngramOrder } from "./ngrams.js";
