// A study's search space: named parameters, each a float or integer range (uniform or
// log-uniform, as Optuna's suggest_float / suggest_int) or a list of choices. Declared in
// code, read from a JSON file or inline JSON (`--space`), or from one flag per parameter
// (`--param lr=log:1e-4:1e-2`). A space with no valid point is an error naming the parameter.

import { FlambeauError } from "../../core/errors.js";

export type Choice = string | number | boolean;

export type Param =
  | { readonly type: "float"; readonly low: number; readonly high: number; readonly log?: boolean }
  | { readonly type: "int"; readonly low: number; readonly high: number; readonly log?: boolean }
  | { readonly type: "categorical"; readonly choices: readonly Choice[] };

export type SearchSpace = Readonly<Record<string, Param>>;

/** One point of a space: a value per parameter. */
export type Params = Record<string, Choice>;

const bad = (name: string, what: string): never => {
  throw new FlambeauError("E_ARG", `search space: parameter "${name}" ${what}`);
};

/** Checks one parameter: finite bounds with low ≤ high, low > 0 on a log scale, integers for int, at least one choice. */
export function checkParam(name: string, p: Param): Param {
  if (p === null || typeof p !== "object") return bad(name, `must be an object, got ${JSON.stringify(p)}`);
  if (p.type === "categorical") {
    if (!Array.isArray(p.choices) || p.choices.length === 0) return bad(name, "has an empty choice list");
    for (const c of p.choices)
      if (!["string", "number", "boolean"].includes(typeof c) || (typeof c === "number" && !Number.isFinite(c)))
        bad(name, `has a choice that is not a string, finite number or boolean: ${JSON.stringify(c)}`);
    if (new Set(p.choices).size !== p.choices.length) bad(name, `repeats a choice: ${JSON.stringify(p.choices)}`);
    return p;
  }
  if (p.type !== "float" && p.type !== "int")
    return bad(name, `has type ${JSON.stringify((p as { type: unknown }).type)}; types: float, int, categorical`);
  if (!Number.isFinite(p.low) || !Number.isFinite(p.high)) bad(name, `needs finite low and high, got low ${p.low}, high ${p.high}`);
  if (p.low > p.high) bad(name, `has low ${p.low} > high ${p.high}: no value fits`);
  if (p.log && p.low <= 0) bad(name, `is log-uniform with low ${p.low} ≤ 0 (a log range needs low > 0)`);
  if (p.type === "int" && (!Number.isSafeInteger(p.low) || !Number.isSafeInteger(p.high)))
    bad(name, `is an int range with non-integer bounds: low ${p.low}, high ${p.high}`);
  return p;
}

/** Checks every parameter; a space with no parameter at all has nothing to search. */
export function checkSpace(space: SearchSpace): SearchSpace {
  const names = Object.keys(space);
  if (names.length === 0) throw new FlambeauError("E_ARG", "search space: no parameter to search");
  for (const n of names) checkParam(n, space[n]!);
  return space;
}

/**
 * A space from JSON: `{"lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": true},
 * "depth": {"type": "int", "low": 1, "high": 3}, "model": ["small-cnn", "lenet5"]}` (a bare
 * array is a choice list).
 */
export function parseSpaceJson(text: string, source = "--space"): Record<string, Param> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FlambeauError("E_FORMAT", `${source}: not JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new FlambeauError("E_FORMAT", `${source}: a search space is a JSON object of parameter → range or choice list`);
  const out: Record<string, Param> = {};
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    const p = (Array.isArray(v) ? { type: "categorical", choices: v } : v) as Param;
    out[name] = checkParam(name, p);
  }
  return out;
}

/**
 * One parameter from a flag: `lr=log:1e-4:1e-2`, `dropout=float:0:0.5`, `width=int:8:64`,
 * `width=intlog:8:64`, `model=choice:small-cnn,lenet5`.
 */
export function parseParamFlag(flag: string): [string, Param] {
  const m = /^([A-Za-z][A-Za-z0-9]*)=(float|log|int|intlog|choice):(.*)$/.exec(flag);
  if (!m) throw new FlambeauError("E_ARG", `--param must be NAME=float|log|int|intlog:LOW:HIGH or NAME=choice:A,B,…, got "${flag}"`);
  const [, name, kind, rest] = m as unknown as [string, string, string, string];
  if (kind === "choice") {
    const choices = rest === "" ? [] : rest.split(",").map(choiceValue);
    return [name, checkParam(name, { type: "categorical", choices })];
  }
  const bounds = rest.split(":");
  if (bounds.length !== 2 || bounds.some((b) => b.trim() === ""))
    throw new FlambeauError("E_ARG", `--param ${name}: a range is ${kind}:LOW:HIGH, got "${rest}"`);
  const [low, high] = bounds.map(Number) as [number, number];
  const type = kind === "int" || kind === "intlog" ? "int" : "float";
  return [name, checkParam(name, { type, low, high, log: kind === "log" || kind === "intlog" })];
}

/** `true`/`false` and numbers as such, anything else as the string. */
function choiceValue(s: string): Choice {
  if (s === "true" || s === "false") return s === "true";
  const n = Number(s);
  return s.trim() !== "" && Number.isFinite(n) ? n : s;
}

/** Whether `v` is a value the parameter can take (a study file's recorded params are checked on resume). */
export function inSpace(p: Param, v: unknown): boolean {
  if (p.type === "categorical") return p.choices.includes(v as Choice);
  if (typeof v !== "number" || !(v >= p.low && v <= p.high)) return false;
  return p.type === "float" || Number.isSafeInteger(v);
}
