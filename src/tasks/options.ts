// Task options are declared once, with their type, help text, default and the commands
// (train / eval / predict) they apply to; the CLI builds its flags from these declarations,
// `flambeau tasks` prints them and the task receives the parsed, typed values.

import { FlambeauError } from "../core/errors.js";

export type Phase = "train" | "eval" | "predict";

/**
 * How `flambeau tune` searches a train option by default: a range for a number (log-uniform
 * with `log`), `true` for every value of a choice or flag. Options without one keep their
 * default unless a study's --space names them.
 */
export type SearchHint = { readonly low: number; readonly high: number; readonly log?: boolean } | true;

/** One declared option: how to read it from a command line, and what it means. */
export interface OptionSpec<T> {
  readonly type: "int" | "count" | "number" | "fraction" | "string" | "path" | "flag" | "choice";
  readonly help: string;
  readonly phases: readonly Phase[];
  readonly default?: T;
  readonly choices?: readonly string[];
  readonly search?: SearchHint;
  /** The value of a command-line string, or an Error's message naming the allowed values. */
  parse(raw: string, flag: string): T;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec<unknown>>>;

/** The values of a task's options, typed by their declarations (all optional: the task applies defaults). */
export type OptionValues<O extends OptionSpecs> = { -readonly [K in keyof O]?: O[K] extends OptionSpec<infer T> ? T : never };

interface Declare<T> {
  phases: readonly Phase[];
  default?: T;
  search?: SearchHint;
}

const bad = (flag: string, what: string, raw: string): never => {
  throw new FlambeauError("E_ARG", `${flag} must be ${what}, got "${raw}"`);
};

/** Option constructors: `opt.int("beam width", { phases: ["eval", "predict"] })`. */
export const opt = {
  /** An integer ≥ 1. */
  int: (help: string, d: Declare<number>): OptionSpec<number> => ({
    type: "int",
    help,
    ...d,
    parse: (raw, flag) => {
      const n = Number(raw);
      return Number.isSafeInteger(n) && n >= 1 ? n : bad(flag, "a positive integer", raw);
    },
  }),
  /** An integer ≥ 0. */
  count: (help: string, d: Declare<number>): OptionSpec<number> => ({
    type: "count",
    help,
    ...d,
    parse: (raw, flag) => {
      const n = Number(raw);
      return Number.isSafeInteger(n) && n >= 0 ? n : bad(flag, "a non-negative integer", raw);
    },
  }),
  /** A finite number ≥ 0 (positive with `positive`). */
  number: (help: string, d: Declare<number> & { positive?: boolean }): OptionSpec<number> => ({
    type: "number",
    help,
    phases: d.phases,
    ...(d.default !== undefined ? { default: d.default } : {}),
    ...(d.search !== undefined ? { search: d.search } : {}),
    parse: (raw, flag) => {
      const n = Number(raw);
      const ok = raw.trim() !== "" && Number.isFinite(n) && (d.positive ? n > 0 : n >= 0);
      return ok ? n : bad(flag, d.positive ? "a positive number" : "a number ≥ 0", raw);
    },
  }),
  /** A number in (0, 1]. */
  fraction: (help: string, d: Declare<number>): OptionSpec<number> => ({
    type: "fraction",
    help,
    ...d,
    parse: (raw, flag) => {
      const n = Number(raw);
      return n > 0 && n <= 1 ? n : bad(flag, "a number in (0, 1]", raw);
    },
  }),
  string: (help: string, d: Declare<string>): OptionSpec<string> => ({
    type: "string",
    help,
    ...d,
    parse: (raw, flag) => (raw.length > 0 ? raw : bad(flag, "a non-empty string", raw)),
  }),
  /** A file the command reads or writes: never taken from a server's clients. */
  path: (help: string, d: Declare<string>): OptionSpec<string> => ({
    type: "path",
    help,
    ...d,
    parse: (raw, flag) => (raw.length > 0 ? raw : bad(flag, "a file path", raw)),
  }),
  /** A boolean switch (present: true). */
  flag: (help: string, d: Declare<boolean>): OptionSpec<boolean> => ({ type: "flag", help, ...d, parse: () => true }),
  /** One of a fixed set of names. */
  choice: <C extends string>(choices: readonly C[], help: string, d: Declare<C>): OptionSpec<C> => ({
    type: "choice",
    help,
    choices,
    ...d,
    parse: (raw, flag) => (choices.includes(raw as C) ? (raw as C) : bad(flag, `one of ${choices.join(", ")}`, raw)),
  }),
};

/** `labelFraction` → `--label-fraction`. */
export const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Checks plain values (from code, a worker message or a config file) against the
 * declarations of one phase: unknown keys and values of the wrong type are errors that
 * name the task and the option.
 */
export function checkOptionValues(task: string, specs: OptionSpecs, phase: Phase, values: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    const s = specs[k];
    if (!s) continue; // common options are checked by the runtime
    if (!s.phases.includes(phase))
      throw new FlambeauError("E_ARG", `${task}: option ${k} (${flagOf(k)}) applies to ${s.phases.join("/")}, not ${phase}`);
    const ok =
      s.type === "flag"
        ? typeof v === "boolean"
        : s.type === "string" || s.type === "path" || s.type === "choice"
          ? typeof v === "string" && (!s.choices || s.choices.includes(v))
          : typeof v === "number" && Number.isFinite(v);
    if (!ok)
      throw new FlambeauError(
        "E_ARG",
        `${task}: option ${k} must be ${s.type}${s.choices ? ` (${s.choices.join(", ")})` : ""}, got ${JSON.stringify(v)}`,
      );
    if (s.type !== "flag" && s.type !== "string" && s.type !== "path" && s.type !== "choice") s.parse(String(v), `${task}: ${k}`);
  }
}

/**
 * Batches in an epoch of freshly sampled data (patches, windows, generated sequences): `perEpoch`
 * batches, or with --limit just enough batches for `limit` examples (at least one, never more
 * than `perEpoch`).
 */
export function sampledSteps(limit: number | undefined, batch: number, perEpoch: number): number {
  return limit !== undefined ? Math.max(1, Math.ceil(Math.min(limit, perEpoch * batch) / batch)) : perEpoch;
}
