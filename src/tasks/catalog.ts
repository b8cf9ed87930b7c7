// The task catalog: what `flambeau tasks` and the CLI's help print about each task (its
// description, data formats, models and option declarations) without importing the tasks:
// the registry pulls in every model and ~370 modules, most of a second before any work.
// The catalog is derived from the registry, written beside the compiled code
// (dist/src/tasks/catalog.json, by the build and shipped in the npm package) and trusted
// while no compiled file is newer; otherwise the registry is imported and the file rewritten.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeTextAtomic } from "../io/atomic.js";
import type { Phase } from "./options.js";
import type { Task } from "./task.js";

/** One declared option as printed (its parser stays with the task). */
export interface OptionInfo {
  readonly type: string;
  readonly help: string;
  readonly phases: readonly Phase[];
  readonly default?: unknown;
  readonly choices?: readonly string[];
}

/** A task as listed: everything but its code. */
export interface TaskInfo {
  readonly name: string;
  readonly description: string;
  readonly dataFormat: string;
  readonly models: readonly string[];
  readonly defaultModel: string;
  readonly options: Readonly<Record<string, OptionInfo>>;
}

const CATALOG = fileURLToPath(new URL("./catalog.json", import.meta.url));
const COMPILED = fileURLToPath(new URL("../", import.meta.url));

/** The listed part of a registered task. */
export function taskInfo(t: Task): TaskInfo {
  const options: Record<string, OptionInfo> = {};
  for (const [k, s] of Object.entries(t.options))
    options[k] = {
      type: s.type,
      help: s.help,
      phases: s.phases,
      ...(s.default !== undefined ? { default: s.default } : {}),
      ...(s.choices ? { choices: s.choices } : {}),
    };
  return { name: t.name, description: t.description, dataFormat: t.dataFormat, models: t.models, defaultModel: t.defaultModel, options };
}

/** The newest modification time of the compiled modules (a few ms for ~400 files). */
function newestCompiled(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestCompiled(p));
    else if (e.name.endsWith(".js")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** The written catalog, or undefined when it is missing, unreadable or older than the code. */
export function readCatalog(): TaskInfo[] | undefined {
  try {
    // ≥, not >: npm gives every file of an installed package the same mtime.
    if (statSync(CATALOG).mtimeMs < newestCompiled(COMPILED)) return undefined;
    const list: unknown = JSON.parse(readFileSync(CATALOG, "utf8"));
    return Array.isArray(list) ? (list as TaskInfo[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Every task's listing: from the catalog when it is current, else from the registry (then written for next time). */
export async function taskCatalog(): Promise<TaskInfo[]> {
  const cached = readCatalog();
  if (cached) return cached;
  const { TASKS } = await import("./registry.js");
  const list = (Object.values(TASKS) as Task[]).map(taskInfo);
  // A read-only install keeps working, only without the shortcut.
  await writeTextAtomic("taskCatalog", CATALOG, `${JSON.stringify(list, null, 1)}\n`).catch(() => {});
  return list;
}
