// The API fuzzer (issue 12): property-based cases over the public op table (targets.ts),
// run in child processes in batches under a memory budget, `ulimit -v` and a timeout. A
// child that dies by a signal or times out is a failure: its case is confirmed alone (or
// the batch re-run one by one), shrunk to a minimal repro and written as a regression case
// under test/fixtures/core/fuzz-regressions/ (replayed by test/core/fuzz.test.ts).
// With --files it fuzzes the file readers instead (files.ts); a file that kills a reader is
// kept under test/io/fuzz-corpus/<format>/ (replayed by test/io/fuzz-files.test.ts).
// Usage: node dist/bench/fuzz/run.js [--files] [--cases 100000] [--seed 1] [--batch 500]
//                                    [--jobs 1] [--timeout 120] [--no-save]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ArgSpec, type CaseSpec, generateCase } from "./cases.js";
import { caseBytes, seedFiles } from "./files.js";
import { TARGETS } from "./targets.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD = join(HERE, "child.js");
export const FILES_CHILD = join(HERE, "files-child.js");
export const REGRESSIONS = join(HERE, "..", "..", "..", "test", "fixtures", "core", "fuzz-regressions");

/** Per-child limits: libtorch's allocator budget, the address-space cap, and wall time. */
export interface Limits {
  budget: string;
  vmemKiB: number;
  timeoutMs: number;
}
export const DEFAULT_LIMITS: Limits = { budget: "1GiB", vmemKiB: 16 * 2 ** 20, timeoutMs: 120_000 };

export interface ChildResult {
  /** Index (from "B <i>") of the last case started. */
  last: number;
  signal: string | null;
  status: number | null;
  timedOut: boolean;
  done: { counts: Record<string, number>; jsErrors: { i: number; op: string; outcome: string }[] } | null;
  stderr: string;
}
export const died = (r: ChildResult): boolean => r.done === null;

export function runChild(args: string[], limits: Limits = DEFAULT_LIMITS, script = CHILD): Promise<ChildResult> {
  return new Promise((resolve) => {
    const cmd = `ulimit -v ${limits.vmemKiB} && exec "${process.execPath}" "${script}" ${args.map((a) => `"${a}"`).join(" ")}`;
    const child = spawn("bash", ["-c", cmd], {
      env: { ...process.env, FLAMBEAU_MEMORY_BUDGET: limits.budget, FLAMBEAU_NUM_THREADS: "1", GLOG_minloglevel: "2" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, limits.timeoutMs);
    let buf = "";
    let last = -1;
    let done: ChildResult["done"] = null;
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith("B ")) last = Number(line.slice(2));
        else if (line.startsWith("DONE ")) done = JSON.parse(line.slice(5)) as ChildResult["done"];
        nl = buf.indexOf("\n");
      }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ last, signal, status, timedOut, done, stderr });
    });
  });
}

let tmp: string | undefined;
/** Runs explicit cases in one child. */
export function runSpecs(specs: CaseSpec[], limits: Limits = DEFAULT_LIMITS): Promise<ChildResult> {
  tmp ??= mkdtempSync(join(tmpdir(), "flambeau-fuzz-"));
  const file = join(tmp, `cases-${process.pid}-${Math.floor(Math.random() * 1e9)}.json`);
  writeFileSync(file, JSON.stringify(specs));
  return runChild(["--cases", file], limits);
}

const crashes = async (c: CaseSpec, limits: Limits) => died(await runSpecs([c], limits));

/** Simpler variants of a case: fewer arguments, smaller and plainer tensors, simpler values. */
function* simplifications(c: CaseSpec): Generator<CaseSpec> {
  for (let i = c.args.length - 1; i >= 0; i--) yield { op: c.op, args: c.args.slice(0, i) };
  for (let i = 0; i < c.args.length; i++)
    for (const s of simplerArg(c.args[i]!)) yield { op: c.op, args: c.args.map((a, j) => (j === i ? s : a)) };
}
function* simplerArg(a: ArgSpec): Generator<ArgSpec> {
  if (a.k === "t") {
    if (a.view !== "none") yield { ...a, view: "none" };
    if (a.fill !== "zeros") yield { ...a, fill: "zeros" };
    if (a.dtype !== "float32") yield { ...a, dtype: "float32" };
    for (let d = 0; d < a.shape.length; d++) {
      yield { ...a, shape: a.shape.filter((_, j) => j !== d) };
      if (a.shape[d]! > 1) yield { ...a, shape: a.shape.map((x, j) => (j === d ? 1 : x)) };
    }
  } else if (a.k === "arr") {
    for (let i = 0; i < a.items.length; i++) yield { k: "arr", items: a.items.filter((_, j) => j !== i) };
    for (let i = 0; i < a.items.length; i++)
      for (const s of simplerArg(a.items[i]!)) yield { k: "arr", items: a.items.map((x, j) => (j === i ? s : x)) };
  } else if (a.k === "obj") {
    for (let i = 0; i < a.entries.length; i++) yield { k: "obj", entries: a.entries.filter((_, j) => j !== i) };
    for (let i = 0; i < a.entries.length; i++)
      for (const s of simplerArg(a.entries[i]![1]))
        yield { k: "obj", entries: a.entries.map((e, j) => (j === i ? ([e[0], s] as [string, ArgSpec]) : e)) };
  } else if (a.k === "n" && a.v !== 0 && a.v !== 1) {
    yield { k: "n", v: 0 };
    yield { k: "n", v: 1 };
  } else if (a.k === "big") yield { k: "n", v: Number(a.v) > 0 ? 1 : 0 };
}

/** Greedy shrinking: keep any simplification that still kills the child, up to `budget` tries. */
export async function shrink(
  c: CaseSpec,
  limits: Limits,
  budget = 60,
  stillCrashes: (c: CaseSpec, limits: Limits) => Promise<boolean> = crashes,
): Promise<CaseSpec> {
  let best = c;
  let tries = 0;
  let improved = true;
  const survived = new Set<string>(); // variants already seen not to crash
  while (improved && tries < budget) {
    improved = false;
    for (const s of simplifications(best)) {
      const key = JSON.stringify(s);
      if (survived.has(key)) continue;
      if (++tries > budget) break;
      if (!(await stillCrashes(s, limits))) survived.add(key);
      else {
        best = s;
        improved = true;
        break;
      }
    }
  }
  return best;
}

export function saveRegression(c: CaseSpec, how: string, seed: number, index: number): string {
  mkdirSync(REGRESSIONS, { recursive: true });
  const name = `${c.op.replace(/[^A-Za-z0-9_]/g, "_")}-s${seed}-i${index}.json`;
  writeFileSync(join(REGRESSIONS, name), `${JSON.stringify({ found: how, seed, index, case: c }, null, 1)}\n`);
  return name;
}

interface Failure {
  index: number;
  how: string;
  shrunk?: CaseSpec;
  format?: string;
  file?: string;
}

export const CORPUS = join(HERE, "..", "..", "..", "test", "io", "fuzz-corpus");
/** Keeps a file that killed a reader, replayed by test/io/fuzz-files.test.ts. */
export function saveCorpusFile(format: string, name: string, bytes: Uint8Array): string {
  mkdirSync(join(CORPUS, format), { recursive: true });
  writeFileSync(join(CORPUS, format, name), bytes);
  return `${format}/${name}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (k: string, d: number) => {
    const i = argv.indexOf(k);
    return i >= 0 ? Number(argv[i + 1]) : d;
  };
  const total = opt("--cases", 100_000);
  const seed = opt("--seed", 1);
  const batch = opt("--batch", 500);
  const jobs = opt("--jobs", 1);
  const limits: Limits = { ...DEFAULT_LIMITS, timeoutMs: opt("--timeout", 120) * 1000 };
  const save = !argv.includes("--no-save");
  const files = argv.includes("--files");
  const t0 = Date.now();
  const counts: Record<string, number> = {};
  const jsErrors = new Map<string, { i: number; op: string; outcome: string }>();
  const failures: Failure[] = [];
  let ran = 0;
  let next = 0;
  const log = (s: string) => process.stderr.write(`[fuzz] ${s}\n`);
  log(
    `seed ${seed}, ${total} ${files ? "file cases" : `cases over ${TARGETS.length} ops`}, batches of ${batch}, ${jobs} job(s), budget ${limits.budget}`,
  );

  const script = files ? FILES_CHILD : CHILD;
  const seeds = files ? await seedFiles() : undefined;
  const aloneDies = async (i: number) =>
    files
      ? died(await runChild(["--seed", String(seed), "--from", String(i), "--to", String(i + 1)], limits, FILES_CHILD))
      : crashes(generateCase(seed, i, TARGETS), limits);
  const handleDeath = async (from: number, to: number, r: ChildResult) => {
    const how = r.timedOut ? "timeout" : (r.signal ?? `exit ${r.status}`);
    let culprit = -1;
    if (r.last >= from && (await aloneDies(r.last))) culprit = r.last;
    else for (let i = from; i < to && culprit < 0; i++) if (await aloneDies(i)) culprit = i;
    if (culprit < 0) {
      log(`batch ${from}-${to} died (${how}) but no case reproduces alone: ${r.stderr.slice(-300)}`);
      failures.push({ index: r.last, how: `${how} (not reproducible alone)` });
      return r.last + 1;
    }
    const f: Failure = { index: culprit, how };
    if (seeds) {
      const c = caseBytes(seeds, seed, culprit);
      f.format = c.format;
      if (save) f.file = saveCorpusFile(c.format, `s${seed}-i${culprit}.bin`, c.bytes);
    } else {
      f.shrunk = await shrink(generateCase(seed, culprit, TARGETS), limits);
      if (save) f.file = saveRegression(f.shrunk, how, seed, culprit);
    }
    failures.push(f);
    log(`case ${culprit} kills the child (${how}): ${f.file ?? JSON.stringify(f.shrunk)}`);
    return culprit + 1;
  };

  const worker = async () => {
    while (next < total) {
      let from = next;
      const to = Math.min(total, from + batch);
      next = to;
      while (from < to) {
        const r = await runChild(["--seed", String(seed), "--from", String(from), "--to", String(to)], limits, script);
        if (r.done) {
          for (const [k, v] of Object.entries(r.done.counts)) counts[k] = (counts[k] ?? 0) + v;
          for (const e of r.done.jsErrors) if (!jsErrors.has(e.op)) jsErrors.set(e.op, e);
          ran += to - from;
          break;
        }
        // The cases before the culprit passed; resume after it.
        const resume = await handleDeath(from, to, r);
        ran += resume - from;
        from = resume;
      }
      if (Math.floor(ran / 10_000) !== Math.floor((ran - batch) / 10_000) || ran === total)
        log(`${ran}/${total} cases, ${((Date.now() - t0) / 1000).toFixed(0)} s, ${failures.length} failure(s)`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  const wall = (Date.now() - t0) / 1000;
  const summary = {
    seed,
    cases: ran,
    kind: files ? "file readers" : "ops",
    ops: files ? undefined : TARGETS.length,
    wallSeconds: Math.round(wall),
    crashesOrHangs: failures.length,
    outcomes: counts,
    failures,
    nonFlambeauErrors: [...jsErrors.values()],
  };
  console.log(JSON.stringify(summary, null, 1));
  process.exitCode = failures.length > 0 ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
