// The audio classifiers by name, for the tasks and the CLI.
import { type AudioClassifierOptions, KwsCNN } from "./kws-cnn.js";
import { TCResNet8 } from "./tc-resnet.js";

export const AUDIO_CLASSIFIERS = {
  "kws-cnn": (o: AudioClassifierOptions) => new KwsCNN(o),
  "tc-resnet8": (o: AudioClassifierOptions) => new TCResNet8(o),
} as const;
export type AudioClassifierName = keyof typeof AUDIO_CLASSIFIERS;
