// A study's JSONL journal (Optuna's JournalStorage, one file): a header naming the study's
// settings, then one line per event — a trial started with its params, an intermediate value,
// a trial ended. Each line goes out in one write on an O_APPEND descriptor and is fsynced, so
// a process killed (even kill -9) loses at most the line it was writing; reading drops such a
// torn tail (and truncates it away) before appending again.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import type { FinishedTrial, TrialState } from "./sampler.js";
import type { Params } from "./space.js";

export type StudyRecord =
  | { type: "study"; settings: Record<string, unknown> }
  | { type: "trial"; number: number; params: Params; isDefault?: boolean }
  | { type: "report"; number: number; step: number; value: number }
  | {
      type: "done";
      number: number;
      state: TrialState;
      value?: number;
      seconds?: number;
      metrics?: Record<string, unknown>;
      error?: string;
    };

/** A trial as the journal holds it: finished, or started and interrupted (no "done" line). */
export interface TrialRecord {
  number: number;
  params: Params;
  /** The default-recipe trial (empty params: the objective's own defaults). */
  isDefault?: boolean;
  intermediate: Record<number, number>;
  state?: TrialState;
  value?: number;
  seconds?: number;
  metrics?: Record<string, unknown>;
  error?: string;
}

export interface StudyJournal {
  settings?: Record<string, unknown>;
  trials: TrialRecord[];
}

/** Reads a journal (an absent file is an empty study); a torn last line is dropped from the file. */
export function readStudyFile(path: string): StudyJournal {
  if (!existsSync(path)) return { trials: [] };
  const text = readFileSync(path, "utf8");
  const end = text.lastIndexOf("\n") + 1;
  // kill -9 mid-write: the partial line never counted; cut it so the next append starts clean.
  if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end)));
  const journal: StudyJournal = { trials: [] };
  const byNumber = new Map<number, TrialRecord>();
  const lines = text.slice(0, end).split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let r: StudyRecord;
    try {
      r = JSON.parse(line) as StudyRecord;
    } catch {
      throw new FlambeauError("E_FORMAT", `${path}:${i + 1}: not a JSON line of a study journal`);
    }
    const fail = (what: string): never => {
      throw new FlambeauError("E_FORMAT", `${path}:${i + 1}: ${what}`);
    };
    if (r.type === "study") {
      if (i !== 0) fail("a study header past the first line");
      journal.settings = r.settings;
      continue;
    }
    if (!Number.isSafeInteger((r as { number?: unknown }).number)) fail("a record without a trial number");
    const t = byNumber.get(r.number);
    if (r.type === "trial") {
      if (t?.state !== undefined) fail(`trial ${r.number} started again after it ended`);
      // A re-run of an interrupted trial starts its curve afresh.
      const rec: TrialRecord = { number: r.number, params: r.params, intermediate: {}, ...(r.isDefault ? { isDefault: true } : {}) };
      if (t) Object.assign(t, rec);
      else {
        byNumber.set(r.number, rec);
        journal.trials.push(rec);
      }
    } else if (r.type === "report") {
      if (!t || t.state !== undefined) fail(`a value for trial ${r.number}, which is not running`);
      if (typeof r.value === "number") t!.intermediate[r.step] = r.value;
    } else if (r.type === "done") {
      if (!t || t.state !== undefined) fail(`trial ${r.number} ended twice or never started`);
      Object.assign(t!, {
        state: r.state,
        ...(typeof r.value === "number" ? { value: r.value } : {}),
        ...(r.seconds !== undefined ? { seconds: r.seconds } : {}),
        ...(r.metrics !== undefined ? { metrics: r.metrics } : {}),
        ...(r.error !== undefined ? { error: r.error } : {}),
      });
    } else fail(`unknown record type ${JSON.stringify((r as { type: unknown }).type)}`);
  }
  return journal;
}

/** The finished trials of a journal, as samplers and pruners read them. */
export const finishedTrials = (j: StudyJournal): FinishedTrial[] =>
  j.trials.filter((t): t is TrialRecord & { state: TrialState } => t.state !== undefined);

/** Appends records to a journal, one fsynced line each. */
export class StudyWriter {
  readonly #fd: number;
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, "a");
  }
  append(r: StudyRecord): void {
    // NaN/Infinity are not JSON: a diverged value is recorded as null and read back as absent.
    writeSync(this.#fd, `${JSON.stringify(r)}\n`);
    fsyncSync(this.#fd);
  }
  close(): void {
    closeSync(this.#fd);
  }
}
