// The objective a parallel study's worker process builds (src/learn/tune/trial-pool.ts): the
// task found by name in the registry, which the study's own layer cannot import.
import type { Objective } from "../learn/tune/study.js";
import { type TaskObjectiveArgs, taskObjective } from "../learn/tune/task-objective.js";
import { getTask } from "../tasks/registry.js";

export async function taskObjectiveOf(a: TaskObjectiveArgs, log: (line: string) => void): Promise<Objective> {
  return taskObjective({ ...a, task: getTask(a.task), log });
}
