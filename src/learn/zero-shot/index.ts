// Zero-shot learning: glyphs named by their Unicode names, a CLIP-style dual encoder, the task.
export { loadZeroShotData, type NameBatch, type NamedAlphabet, nameBatches, type ZeroShotData, zeroShotData } from "./data.js";
export {
  type AlphabetScore,
  type AlphabetScores,
  classifyByName,
  perAlphabetScores,
  type ZeroShotScore,
  zeroShotAccuracy,
  zeroShotScores,
} from "./evaluate.js";
export { clipLoss, MAX_LOGIT_SCALE } from "./loss.js";
export { GlyphNameEncoder, type GlyphNameOptions, glyphNameOptions } from "./model.js";
export { nameFeatures, nameIds, stripScript, trigramCosine } from "./names.js";
export { parseWays, type ZeroShotPrediction, zeroShot } from "./task.js";
