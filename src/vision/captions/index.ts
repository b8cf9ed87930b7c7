// Image captioning: exact captions of generated scenes, COCO caption files, the captioner and its decoding.
export { type CaptionOptions, type CaptionScores, captionSet, nearestCaptions, scoreCaptions } from "./captioner.js";
export { CAPTION_SCENES, type CaptionSet, generatedCaptions, readCocoCaptions, writeCocoCaptions } from "./data.js";
export {
  beamCaption,
  type CaptionBeamOptions,
  type CaptionDecodeOptions,
  type Decoded,
  greedyCaptions,
  type NextTokenScorer,
} from "./decode.js";
export { CaptionModel, type CaptionModelOptions } from "./model.js";
export { classWords, namesEveryObject, objectPhrase, sceneCaptions } from "./scene-captions.js";
