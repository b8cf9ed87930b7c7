// Audio: WAV I/O, resampling, spectral features, augmentation, generated speech data, models and tasks.

export * from "./augment.js";
export * from "./data/audio-folder.js";
export * from "./data/clip-set.js";
export * from "./data/frontend.js";
export * from "./data/instrument-set.js";
export * from "./data/sentence-set.js";
export * from "./data/sources.js";
export * from "./data/speech-sets.js";
export * from "./features/db.js";
export * from "./features/delta.js";
export * from "./features/mel.js";
export * from "./features/mfcc.js";
export * from "./features/stft.js";
export * from "./features/window.js";
export * from "./models/kws-cnn.js";
export * from "./models/tc-resnet.js";
export * from "./models/zoo.js";
export * from "./resample.js";
export * from "./speech/cache.js";
export * from "./speech/generate.js";
export * from "./speech/samples.js";
export * from "./speech/synth.js";
export * from "./speech/voices.js";
export * from "./tasks/index.js";
export * from "./tasks/report.js";
export * from "./wav.js";
