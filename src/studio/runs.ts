// The runs folder the studio shows: each subfolder is a run — a model directory written by
// `flambeau train --out runs/x` (config.json, model.safetensors; or the same under runs/x/model),
// the trainer's event log runs/x/events.jsonl (`--event-log`), and its evaluation: the
// validation split's confusion matrix that `flambeau train` of a classifier writes beside the
// model (validation.json, src/train/model-dir.ts), or runs/x/eval.json when there is one
// (`flambeau eval … --json > runs/x/eval.json`: on data the user chose). A run is found by
// its name among the folder's entries, never by joining what a client sent to a path.
import { closeSync, type Dirent, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { badRequest, HttpError } from "../http/errors.js";
import { VALIDATION_REPORT } from "../train/model-dir.js";
import type { RunDetail, RunEvent, RunSummary } from "./api-types.js";
import { parseEventLines } from "./events.js";

export type { RunDetail, RunEvent, RunSummary };

/** A run's name as a URL segment: no dots first (no `..`, no hidden folders), no slashes. */
export const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Largest config.json or eval.json read (a model's config is a few kB). */
const JSON_BYTES = 4 << 20;
/** Most of an event log read for a run's history (its end, when longer). */
export const LOG_BYTES = 16 << 20;

export interface RunFiles {
  /** The run folder (absolute). */
  dir: string;
  /** Its model directory, when one is saved. */
  model?: string;
  events: string;
  /** The user's `flambeau eval --json` output, which wins over `validation`. */
  eval: string;
  /** The model's validation report from training, when a model is saved. */
  validation?: string;
}

const mtime = (p: string): number => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
};

/** A small JSON file's object, undefined when absent; a file too large or not an object is an HttpError. */
function readSmallJson(path: string, what: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  const size = statSync(path).size;
  if (size > JSON_BYTES) throw new HttpError(500, "bad_run", `${what} is ${size} bytes; the studio reads at most ${JSON_BYTES}`);
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new HttpError(500, "bad_run", `${what} is not JSON (${(e as Error).message.slice(0, 200)})`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new HttpError(500, "bad_run", `${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** The files of the run folder `dir`. */
export function runFiles(dir: string): RunFiles {
  const saved = (d: string) => existsSync(join(d, "config.json")) && existsSync(join(d, "model.safetensors"));
  const model = saved(dir) ? dir : saved(join(dir, "model")) ? join(dir, "model") : undefined;
  return {
    dir,
    model,
    events: join(dir, "events.jsonl"),
    eval: join(dir, "eval.json"),
    ...(model ? { validation: join(model, VALIDATION_REPORT) } : {}),
  };
}

/** Whether a folder entry is a run: a directory holding an event log or a saved model. */
function isRun(root: string, e: Dirent): boolean {
  if (!e.isDirectory() || !RUN_NAME.test(e.name)) return false;
  const f = runFiles(join(root, e.name));
  return f.model !== undefined || existsSync(f.events);
}

/** The run folders under `root`, by name. */
export function runNames(root: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => isRun(root, e))
    .map((e) => e.name)
    .sort();
}

/**
 * The folder of the run a client named: the name must be a run name and one of the
 * folder's entries (so `..`, `/etc`, `a/b` and encoded slashes never reach the disk).
 */
export function findRun(root: string, name: string): RunFiles {
  if (!RUN_NAME.test(name))
    throw badRequest(`"${name.slice(0, 80)}" is not a run name (letters, digits, . _ -, up to 64, not starting with a dot)`);
  const found = runNames(root).find((n) => n === name);
  if (found === undefined) throw new HttpError(404, "no_run", `no run "${name}" in the runs folder`);
  return runFiles(join(root, found));
}

// The runs page asks for every run every few seconds: a log unchanged since (same size and
// time) is not read again. Bounded: the oldest entries go first.
const parsed = new Map<string, { key: string; events: RunEvent[]; end: number }>();
const CACHED_LOGS = 256;

/** A run's event log: its last LOG_BYTES, parsed (lines that are not JSON objects skipped). */
export function readEvents(path: string): { events: RunEvent[]; end: number } {
  if (!existsSync(path)) return { events: [], end: 0 };
  const st = statSync(path);
  const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
  const hit = parsed.get(path);
  if (hit?.key === key) return hit;
  const read = readLogEnd(path, st.size);
  parsed.delete(path);
  if (parsed.size >= CACHED_LOGS) parsed.delete(parsed.keys().next().value!);
  parsed.set(path, { key, ...read });
  return read;
}

function readLogEnd(path: string, size: number): { events: RunEvent[]; end: number } {
  const start = Math.max(0, size - LOG_BYTES);
  const buf = Buffer.alloc(size - start);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  let text = buf.toString("utf8");
  // Starting inside the file: the first line is a fragment.
  if (start > 0) text = text.slice(text.indexOf("\n") + 1);
  const cut = text.lastIndexOf("\n");
  return { events: parseEventLines(cut < 0 ? "" : text.slice(0, cut)), end: start + Buffer.byteLength(text.slice(0, cut + 1)) };
}

function summarize(name: string, f: RunFiles, config: Record<string, unknown> | undefined, events: RunEvent[], problem?: string) {
  const s: RunSummary = {
    name,
    epochs: events.length,
    hasModel: f.model !== undefined,
    hasEval: existsSync(f.eval) || (f.validation !== undefined && existsSync(f.validation)),
    updated: new Date(Math.max(mtime(f.dir), mtime(f.events), f.model ? mtime(join(f.model, "config.json")) : 0)).toISOString(),
  };
  if (config) {
    if (typeof config.task === "string") s.task = config.task;
    if (typeof config.architecture === "string") s.architecture = config.architecture;
    if (Array.isArray(config.labels)) s.labels = config.labels.filter((l): l is string => typeof l === "string");
    if (config.metrics && typeof config.metrics === "object") s.metrics = config.metrics as Record<string, unknown>;
  }
  const last = events.at(-1);
  if (last) s.last = last;
  if (problem) s.problem = problem;
  return s;
}

const problemOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Everything the studio shows of one run; a file that cannot be read is named in `problem`, the rest still shows. */
export function runDetail(root: string, name: string): RunDetail {
  const f = findRun(root, name);
  const problems: string[] = [];
  const read = (path: string, what: string) => {
    try {
      return readSmallJson(path, what);
    } catch (e) {
      problems.push(problemOf(e));
      return undefined;
    }
  };
  const config = f.model ? read(join(f.model, "config.json"), `${name}'s config.json`) : undefined;
  const { events } = readEvents(f.events);
  const evaluation =
    read(f.eval, `${name}'s eval.json`) ?? (f.validation ? read(f.validation, `${name}'s ${VALIDATION_REPORT}`) : undefined);
  return {
    ...summarize(name, f, config, events, problems.join("; ") || undefined),
    ...(config ? { config } : {}),
    events,
    ...(evaluation ? { evaluation } : {}),
  };
}

/** Every run's summary; a run whose files cannot be read says so instead of hiding the others. */
export function listRuns(root: string): RunSummary[] {
  return runNames(root).map((name) => {
    const f = runFiles(join(root, name));
    let config: Record<string, unknown> | undefined;
    let problem: string | undefined;
    try {
      config = f.model ? readSmallJson(join(f.model, "config.json"), `${name}'s config.json`) : undefined;
    } catch (e) {
      problem = problemOf(e);
    }
    return summarize(name, f, config, readEvents(f.events).events, problem);
  });
}
