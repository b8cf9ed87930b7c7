// The audio tasks the CLI registry lists.
import type { Task } from "../../tasks/task.js";
import { audioClassification } from "./audio-classification.js";
import { audioFingerprinting } from "./audio-fingerprinting.js";
import { automaticSpeechRecognition } from "./automatic-speech-recognition.js";
import { musicGeneration } from "./music-generation.js";
import { speakerDiarization } from "./speaker-diarization.js";
import { textToSpeech } from "./text-to-speech.js";

export const AUDIO_TASKS = {
  "audio-classification": audioClassification,
  "audio-fingerprinting": audioFingerprinting,
  "automatic-speech-recognition": automaticSpeechRecognition,
  "music-generation": musicGeneration,
  "speaker-diarization": speakerDiarization,
  "text-to-speech": textToSpeech,
} satisfies Record<string, Task>;
