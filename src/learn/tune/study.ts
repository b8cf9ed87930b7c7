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
  /** Whether the pruner stops the trial after its last report (a promise when the study runs in another process). */
  shouldPrune(): boolean | Promise<boolean>;
  /** The default-recipe trial: its params are empty and the objective trains with its own defaults. */
  readonly isDefault?: boolean;
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
  /**
   * Trial 0 runs the objective with no params (its own defaults) and is never pruned: a
   * study's best is then never worse than the default recipe at the same budget.
   */
  defaultTrial?: boolean;
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
  readonly defaultTrial: boolean;
  readonly #journal: StudyJournal;
  readonly #log: (line: string) => void;
  /** The trials being run now. */
  readonly #running = new Set<number>();

  constructor(o: StudyOptions) {
    this.space = checkSpace(o.space);
    this.sampler = o.sampler;
    this.pruner = o.pruner ?? new NopPruner();
    this.direction = o.direction ?? "maximize";
    this.file = o.file;
    this.defaultTrial = o.defaultTrial ?? false;
    this.#log = o.log ?? (() => {});
    const settings = {
      ...o.settings,
      space: this.space,
      sampler: this.sampler.name,
      pruner: this.pruner.name,
      direction: this.direction,
      ...(this.defaultTrial ? { defaultTrial: true } : {}),
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
   * Runs trials until `trials` have finished (those of an earlier run count), up to
   * `concurrency` at a time (the objective then runs them elsewhere: ./trial-pool.ts). The
   * params are drawn here, in trial-number order, from the trials finished at that moment;
   * interrupted trials run again first. An objective's FlambeauError about its arguments
   * (E_ARG) ends the study; other errors fail that trial only.
   */
  async optimize(
    objective: Objective,
    o: { trials: number; concurrency?: number; onTrialEnd?: (t: TrialRecord) => void | Promise<void> },
  ): Promise<void> {
    if (!Number.isSafeInteger(o.trials) || o.trials < 1)
      throw new FlambeauError("E_ARG", `tune: trials must be a positive integer, got ${o.trials}`);
    const concurrency = o.concurrency ?? 1;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1)
      throw new FlambeauError("E_ARG", `tune: parallel must be a positive integer, got ${concurrency}`);
    const writer = new StudyWriter(this.file);
    const running = new Map<number, Promise<void>>();
    // Trial ends are handled one at a time: onTrialEnd deletes folders by the best so far.
    let ends: Promise<void> = Promise.resolve();
    try {
      for (;;) {
        while (running.size < concurrency) {
          const finished = finishedTrials(this.#journal);
          if (finished.length + running.size >= o.trials) break;
          const rec = this.#next(finished, running, writer);
          this.#running.add(rec.number);
          const done = this.#run(objective, rec, writer).then(() => {
            ends = ends.then(() => o.onTrialEnd?.(rec));
            return ends;
          });
          running.set(
            rec.number,
            done.finally(() => {
              running.delete(rec.number);
              this.#running.delete(rec.number);
            }),
          );
        }
        if (running.size === 0) break;
        await Promise.race(running.values());
      }
    } finally {
      // A trial that ended the study (E_ARG) leaves the others to end before the journal closes.
      await Promise.allSettled(running.values());
      writer.close();
    }
  }

  /** The next trial to run: an interrupted one, else the default trial, else a new sample. */
  #next(finished: readonly FinishedTrial[], running: ReadonlyMap<number, unknown>, writer: StudyWriter): TrialRecord {
    const interrupted = this.#journal.trials.find((t) => t.state === undefined && !running.has(t.number));
    const number = interrupted?.number ?? this.#journal.trials.length;
    const isDefault = interrupted ? interrupted.isDefault === true : this.defaultTrial && number === 0;
    const params = interrupted?.params ?? (isDefault ? {} : this.sampler.sample(this.space, number, finished, this.direction));
    if (!isDefault)
      for (const [name, p] of Object.entries(this.space))
        if (!inSpace(p, params[name])) throw new FlambeauError("E_STATE", `${this.file}: trial ${number}'s ${name} is outside the space`);
    // An interrupted trial's record is reused (its curve starts afresh): the journal holds one record per number.
    const rec: TrialRecord = interrupted
      ? Object.assign(interrupted, { intermediate: {} })
      : { number, params, intermediate: {}, ...(isDefault ? { isDefault: true } : {}) };
    if (!interrupted) this.#journal.trials.push(rec);
    writer.append({ type: "trial", number, params, ...(isDefault ? { isDefault: true } : {}) });
    this.#log(
      `trial ${number}${interrupted ? " (again: it was interrupted)" : ""}: ${isDefault ? "the task's default recipe" : JSON.stringify(params)}`,
    );
    return rec;
  }

  /**
   * What the pruner compares a trial with: the values every other trial has reported, the
   * running ones' included (asynchronous successive halving), the interrupted ones' not.
   */
  #others(number: number): FinishedTrial[] {
    return this.#journal.trials.filter(
      (t) => t.number !== number && (t.state !== undefined || this.#running.has(t.number)),
    ) as FinishedTrial[];
  }

  async #run(objective: Objective, rec: TrialRecord, writer: StudyWriter): Promise<void> {
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
      shouldPrune: () =>
        !rec.isDefault &&
        last !== undefined &&
        this.pruner.shouldPrune(last[0], last[1], this.#others(rec.number), this.direction, rec.number),
      ...(rec.isDefault ? { isDefault: true } : {}),
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
