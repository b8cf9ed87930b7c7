// The audio tasks the CLI registry lists.
import type { Task } from "../../train/task.js";
import { audioClassification } from "./audio-classification.js";

export const AUDIO_TASKS = { "audio-classification": audioClassification } satisfies Record<string, Task>;
