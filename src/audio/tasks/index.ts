// The audio tasks the CLI registry lists.
import type { Task } from "../../tasks/task.js";
import { audioClassification } from "./audio-classification.js";
import { automaticSpeechRecognition } from "./automatic-speech-recognition.js";
import { textToSpeech } from "./text-to-speech.js";

export const AUDIO_TASKS = {
  "audio-classification": audioClassification,
  "automatic-speech-recognition": automaticSpeechRecognition,
  "text-to-speech": textToSpeech,
} satisfies Record<string, Task>;
