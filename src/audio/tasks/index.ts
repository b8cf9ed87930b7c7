// The audio tasks the CLI registry lists.
import { legacyTask } from "../../tasks/legacy.js";
import { opt } from "../../tasks/options.js";
import type { Task } from "../../tasks/task.js";
import { audioClassification } from "./audio-classification.js";
import { automaticSpeechRecognition } from "./automatic-speech-recognition.js";

export const AUDIO_TASKS = {
  "audio-classification": audioClassification,
  "automatic-speech-recognition": legacyTask(automaticSpeechRecognition, {
    beam: opt.int("beam width of the decoder", { phases: ["eval", "predict"] }),
    lmWeight: opt.number("weight of the character language model (0: none)", { phases: ["eval", "predict"] }),
  }),
} satisfies Record<string, Task>;
