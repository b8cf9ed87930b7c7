// Text to speech: the phoneme front end, the aligner, the length regulator, the acoustic model, the vocoder and MCD.
export { monotonicAlignment } from "./align.js";
export { type AlignInput, lookupMel, type PhonemeStats, phonemeStats, trainAligner } from "./aligner.js";
export { DEFAULT_SPEAKERS, melOf, melOfWave, TTS_DATA, type TtsCorpus, type TtsUtterance, ttsCorpus } from "./corpus.js";
export { FastSpeech, type FastSpeechOptions, type FastSpeechOutput } from "./fastspeech.js";
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
export { PhonemeVocab, parsePhonemes, phonemize, phonemizeAll, phonemizerVoice } from "./phonemes.js";
export { type MelLossSetup, melLoss, multiResolutionStftLoss, STFT_LOSS_RESOLUTIONS, type StftResolution } from "./stft-loss.js";
export { vocode, vocodeNeural } from "./vocode.js";
export { type TrainedVocoder, trainVocoder, type VocoderClip, type VocoderTrainOptions, vocoderMelL1 } from "./vocoder-train.js";
export { Vocos, type VocosOptions } from "./vocos.js";
