// Hot reload: a model directory that changes (a new training run saved over it) is loaded
// again in every worker and swapped in whole — each worker keeps answering with the old model
// until the new one is loaded, and keeps the old one if the new one does not load (files
// still being written: the next change tries again). A change of task needs a restart: the
// routes and their schemas are the task's.
import { type FSWatcher, watch } from "node:fs";
import { readModelConfig } from "../train/model-dir.js";
import type { ServedModel } from "./models.js";

export interface ReloadEvents {
  reload(m: ServedModel): Promise<void>;
  log(level: "info" | "error", m: ServedModel, message: string): void;
}

/** Watches each model directory; returns a function that stops watching. */
export function watchModels(models: readonly ServedModel[], on: ReloadEvents, debounceMs = 300): () => void {
  const watchers: FSWatcher[] = [];
  const timers = new Map<string, NodeJS.Timeout>();
  // One reload at a time per model; a change during a reload triggers one more after it.
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const run = (m: ServedModel): void => {
    if (running.has(m.name)) {
      again.add(m.name);
      return;
    }
    const p = (async () => {
      try {
        const task = readModelConfig(m.dir).task;
        if (task !== m.task.name) {
          on.log("error", m, `${m.dir} now holds a ${task} model; restart the server to serve it (still serving the ${m.task.name} model)`);
          return;
        }
        await on.reload(m);
        on.log("info", m, `reloaded ${m.dir}`);
      } catch (e) {
        on.log("error", m, `reloading ${m.dir} failed, still serving the previous model: ${(e as Error).message}`);
      }
    })().finally(() => {
      running.delete(m.name);
      if (again.delete(m.name)) schedule(m);
    });
    running.set(m.name, p);
  };
  const schedule = (m: ServedModel): void => {
    clearTimeout(timers.get(m.name));
    timers.set(
      m.name,
      setTimeout(() => run(m), debounceMs),
    );
  };
  for (const m of models) {
    // predictions/ is where some tasks write their outputs: not a change of the model.
    const w = watch(m.dir, { persistent: false }, (_event, file) => {
      if (file !== "predictions") schedule(m);
    });
    w.on("error", (e) => on.log("error", m, `watching ${m.dir} failed: ${e.message}`));
    watchers.push(w);
  }
  return () => {
    for (const w of watchers) w.close();
    for (const t of timers.values()) clearTimeout(t);
  };
}
