// Text to speech: the phoneme front end, the aligner, the length regulator, the acoustic model, the vocoder and MCD.
export { monotonicAlignment } from "./align.js";
export {
  type GriffinLimOptions,
  type GriffinLimResult,
  griffinLim,
  istftReal,
  melToLinearPower,
  type StftSetup,
  spectralConvergence,
  stftReal,
} from "./griffin-lim.js";
export { lengthRegulate } from "./length-regulator.js";
export { dtwPath, MCD_CONSTANT, melCepstra, melCepstralDistortion } from "./mcd.js";
export { PhonemeVocab, parsePhonemes, phonemize, phonemizerVoice } from "./phonemes.js";
