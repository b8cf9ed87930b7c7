// A study (Optuna's Study): trials drawn one after another by a sampler, each run by an
// objective that reports a value per epoch and may be stopped early by a pruner, every event
// journalled (./study-file.ts). Opening a journal that already holds trials resumes it: the
// finished trials are kept, an interrupted one runs again with its recorded params, and the
// sampler, a function of (seed, trial number, finished trials), continues where it stopped.

import { FlambeauError } from "../../core/errors.js";
import type { Pruner } from "./pruner.js";
import { NopPruner } from "./pruner.js";
import type { Direction, FinishedTrial, Sampler } from "./sampler.js";
import { checkSpace, inSpace, type Params, type SearchSpace } from "./space.js";
import { finishedTrials, readStudyFile, type StudyJournal, StudyWriter, type TrialRecord } from "./study-file.js";

/** Thrown by an objective whose trial the pruner stopped (Optuna's TrialPruned). */
export class TrialPruned extends Error {
  constructor(readonly step: number) {
    super(`trial pruned at step ${step}`);
  }
}

/** What an objective sees of its trial. */
export interface Trial {
  readonly number: number;
  readonly params: Params;
  /** Records the value after `step` epochs (journalled). */
  report(step: number, value: number): void;
  /** Whether the pruner stops the trial after its last report. */
  shouldPrune(): boolean;
}

export type ObjectiveResult = number | { value: number; metrics?: Record<string, unknown> };
export type Objective = (trial: Trial) => Promise<ObjectiveResult>;

export interface StudyOptions {
  /** The JSONL journal: created, or resumed when it exists. */
  file: string;
  space: SearchSpace;
  sampler: Sampler;
  pruner?: Pruner;
  direction?: Direction;
  /** What else must match for a journal to be resumed (task, data, budgets). */
  settings?: Record<string, unknown>;
  log?: (line: string) => void;
}

const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );

export class Study {
  readonly space: SearchSpace;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  readonly direction: Direction;
  readonly file: string;
  readonly #journal: StudyJournal;
  readonly #log: (line: string) => void;

  constructor(o: StudyOptions) {
    this.space = checkSpace(o.space);
    this.sampler = o.sampler;
    this.pruner = o.pruner ?? new NopPruner();
    this.direction = o.direction ?? "maximize";
    this.file = o.file;
    this.#log = o.log ?? (() => {});
    const settings = {
      ...o.settings,
      space: this.space,
      sampler: this.sampler.name,
      pruner: this.pruner.name,
      direction: this.direction,
    };
    this.#journal = readStudyFile(o.file);
    if (this.#journal.settings === undefined) {
      if (this.#journal.trials.length > 0) throw new FlambeauError("E_FORMAT", `${o.file}: a study journal without its header line`);
      const w = new StudyWriter(o.file);
      w.append({ type: "study", settings });
      w.close();
      this.#journal.settings = settings;
    } else {
      // Resuming under other settings would mix trials of different studies.
      const was = this.#journal.settings;
      const differ = Object.keys({ ...was, ...settings }).filter(
        (k) => stable(was[k]) !== stable((settings as Record<string, unknown>)[k]),
      );
      if (differ.length)
        throw new FlambeauError(
          "E_STATE",
          `${o.file} holds a study with other settings (${differ.map((k) => `${k}: ${stable(was[k])} there, ${stable((settings as Record<string, unknown>)[k])} now`).join("; ")}); use another --out or the same options`,
        );
    }
  }

  /** Every trial of the journal, interrupted ones included. */
  get trials(): readonly TrialRecord[] {
    return this.#journal.trials;
  }

  /** The best complete trial (the first one on ties). */
  best(): TrialRecord | undefined {
    let best: TrialRecord | undefined;
    for (const t of this.#journal.trials) {
      if (t.state !== "complete" || !Number.isFinite(t.value)) continue;
      if (!best || (this.direction === "maximize" ? t.value! > best.value! : t.value! < best.value!)) best = t;
    }
    return best;
  }

  /**
   * Runs trials until `trials` have finished (those of an earlier run count). An objective's
   * FlambeauError about its arguments (E_ARG) ends the study; other errors fail that trial only.
   */
  async optimize(objective: Objective, o: { trials: number; onTrialEnd?: (t: TrialRecord) => void | Promise<void> }): Promise<void> {
    if (!Number.isSafeInteger(o.trials) || o.trials < 1)
      throw new FlambeauError("E_ARG", `tune: trials must be a positive integer, got ${o.trials}`);
    const writer = new StudyWriter(this.file);
    try {
      for (;;) {
        const finished = finishedTrials(this.#journal);
        if (finished.length >= o.trials) break;
        const interrupted = this.#journal.trials.find((t) => t.state === undefined);
        const number = interrupted?.number ?? this.#journal.trials.length;
        const params = interrupted?.params ?? this.sampler.sample(this.space, number, finished, this.direction);
        for (const [name, p] of Object.entries(this.space))
          if (!inSpace(p, params[name])) throw new FlambeauError("E_STATE", `${this.file}: trial ${number}'s ${name} is outside the space`);
        // An interrupted trial's record is reused (its curve starts afresh): the journal holds one record per number.
        const rec: TrialRecord = interrupted ? Object.assign(interrupted, { intermediate: {} }) : { number, params, intermediate: {} };
        if (!interrupted) this.#journal.trials.push(rec);
        writer.append({ type: "trial", number, params });
        this.#log(`trial ${number}${interrupted ? " (again: it was interrupted)" : ""}: ${JSON.stringify(params)}`);
        await this.#run(objective, rec, finished, writer);
        await o.onTrialEnd?.(rec);
      }
    } finally {
      writer.close();
    }
  }

  async #run(objective: Objective, rec: TrialRecord, others: readonly FinishedTrial[], writer: StudyWriter): Promise<void> {
    let last: [number, number] | undefined;
    const trial: Trial = {
      number: rec.number,
      params: rec.params,
      report: (step, value) => {
        if (!Number.isSafeInteger(step) || step < 0)
          throw new FlambeauError("E_ARG", `Trial.report: step must be an integer ≥ 0, got ${step}`);
        rec.intermediate[step] = value;
        last = [step, value];
        writer.append({ type: "report", number: rec.number, step, value });
      },
      shouldPrune: () => last !== undefined && this.pruner.shouldPrune(last[0], last[1], others, this.direction),
    };
    const t0 = performance.now();
    const seconds = () => Number(((performance.now() - t0) / 1000).toFixed(3));
    let end: Omit<TrialRecord, "number" | "params" | "intermediate">;
    try {
      const r = await objective(trial);
      const { value, metrics } = typeof r === "number" ? { value: r, metrics: undefined } : r;
      end = Number.isFinite(value)
        ? { state: "complete", value, seconds: seconds(), ...(metrics ? { metrics } : {}) }
        : { state: "failed", seconds: seconds(), error: `the objective returned ${value}` };
    } catch (e) {
      if (e instanceof TrialPruned) end = { state: "pruned", ...(last ? { value: last[1] } : {}), seconds: seconds() };
      else {
        end = { state: "failed", seconds: seconds(), error: e instanceof Error ? e.message : String(e) };
        Object.assign(rec, end);
        writer.append({ type: "done", number: rec.number, ...end } as Parameters<StudyWriter["append"]>[0]);
        if (e instanceof FlambeauError && e.code === "E_ARG") throw e;
        this.#log(`trial ${rec.number} failed: ${end.error}`);
        return;
      }
    }
    Object.assign(rec, end);
    writer.append({ type: "done", number: rec.number, ...end } as Parameters<StudyWriter["append"]>[0]);
    this.#log(`trial ${rec.number} ${end.state}${end.value !== undefined ? `: ${end.value.toFixed(4)}` : ""} (${end.seconds}s)`);
  }
}
