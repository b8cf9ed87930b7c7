// The bad-argument sweep, run by sweep.test.ts in a child process so that a crash kills
// this process and not the test runner. Every public function of src/core (the op
// families behind nn.functional included) and every Tensor method is called with each
// argument replaced in turn by a bad value; a call may return or throw a FlambeauError
// that names its op, nothing else. Before each case it prints "BEGIN <n> <name>", so the
// parent can name a case that killed the process and restart after it; it prints a JSON
// line only for a case that failed, and "DONE {counts}" at the end.
// Usage: node sweep-child.js [firstCase]
import { writeSync } from "node:fs";
import { join } from "node:path";
import * as fl from "flambeau";
import * as core from "../../src/core/index.js";
import * as loss from "../../src/core/ops/loss.js";
import * as nnOps from "../../src/core/ops/nn.js";
import { FIXTURES } from "../helpers/fixtures.js";

type Fn = (...args: unknown[]) => unknown;

// Left out, each for its reason: they change process-wide state the sweep relies on.
const SKIP = new Set([
  "setMemoryBudget", // the sweep runs under a budget so that huge requests fail fast
  "setGradEnabled", // the raw global switch; noGrad/enableGrad cover the scoped forms
]);
// Classes are left out too: Tensor's constructor wraps native handles (@internal), and
// FlambeauError and ScriptModule are not operations.
const isClass = (v: unknown) => typeof v === "function" && /^class[\s{]/.test(Function.prototype.toString.call(v));

const targets: [string, Fn][] = [];
const addAll = (prefix: string, mod: object) => {
  for (const [k, v] of Object.entries(mod)) if (typeof v === "function" && !SKIP.has(k) && !isClass(v)) targets.push([prefix + k, v as Fn]);
};
addAll("", core);
addAll("autograd.", core.autograd);
addAll("jit.", core.jit);
addAll("F.", nnOps);
addAll("F.", loss);

const disposed = fl.zeros([2]);
disposed.dispose();
// Bad values: wrong types, non-finite, fractional, unsafe and huge numbers, malformed
// lists, BigInts, and tensors of the wrong kind (disposed, INT_MIN int64, empty, 0-dim NaN).
const BAD: [string, () => unknown][] = [
  ['"x"', () => "x"],
  ['"constructor"', () => "constructor"], // a key every object inherits: enum tables must not accept it
  ["null", () => null],
  ["undefined", () => undefined],
  ["NaN", () => Number.NaN],
  ["Infinity", () => Number.POSITIVE_INFINITY],
  ["-1", () => -1],
  ["1.5", () => 1.5],
  ["2**40", () => 2 ** 40],
  ["-(2**62)", () => -(2 ** 62)],
  ["{}", () => ({})],
  ["[NaN]", () => [Number.NaN]],
  ["[-5, 2**40]", () => [-5, 2 ** 40]],
  ["[[1]]", () => [[1]]],
  ["-1n", () => -1n],
  ["disposed", () => disposed],
  ["int64[3]", () => fl.tensor([-(2n ** 63n), -1n, 5n])],
  ["float32[0,3]", () => fl.zeros([0, 3])],
  ["float32[]", () => fl.tensor(Number.NaN)],
  ["() => 1", () => () => 1],
];
// Fillers for the other positions: a small float tensor or a small integer.
const FILL: [string, () => unknown][] = [
  ["float32[2,3]", () => fl.randn([2, 3])],
  ["1", () => 1],
];
// Receivers for methods; the int64 one holds INT_MIN (integer division's crash class).
const RECEIVERS: [string, () => fl.Tensor][] = [
  ["float32[2,3]", () => fl.randn([2, 3])],
  ["int64[2]", () => fl.tensor([3n, -(2n ** 63n)])],
];
const SCALAR_RECEIVER: [string, () => fl.Tensor] = ["float32[]", () => fl.tensor(0.5)];

/** Declared parameters (defaults included, unlike Function.length), read from the source; a rest parameter counts twice. */
function argCount(f: Fn): number {
  const src = Function.prototype.toString.call(f);
  const open = src.indexOf("(");
  const arrow = src.indexOf("=>");
  if (arrow >= 0 && (open < 0 || arrow < open)) return 1;
  let depth = 0;
  let commas = 0;
  let params = "";
  for (let i = open + 1; i < src.length; i++) {
    const ch = src[i]!;
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) {
      if (depth === 0) break;
      depth--;
    } else if (ch === "," && depth === 0) commas++;
    params += ch;
  }
  if (params.trim() === "") return 0;
  return Math.min(4, commas + 1 + (params.includes("...") ? 1 : 0));
}

interface Case {
  name: string;
  run: () => unknown;
}
const cases: Case[] = [];
const label = (n: number, pos: number, bad: string, fill: string) =>
  Array.from({ length: n }, (_, i) => (i === pos ? bad : fill)).join(", ");
const argsFor = (n: number, pos: number, bad: () => unknown, fill: () => unknown) =>
  Array.from({ length: n }, (_, i) => (i === pos ? bad() : fill()));

for (const [name, f] of targets) {
  const n = argCount(f);
  cases.push({ name: `${name}()`, run: () => f() });
  for (let pos = 0; pos < n; pos++)
    for (const [bn, bad] of BAD)
      for (const [fn, fill] of n === 1 ? FILL.slice(0, 1) : FILL)
        cases.push({ name: `${name}(${label(n, pos, bn, fn)})`, run: () => f(...argsFor(n, pos, bad, fill)) });
}
const proto = fl.Tensor.prototype as unknown as Record<string, Fn>;
const methods = Object.getOwnPropertyNames(proto).filter(
  (k) => k !== "constructor" && typeof Object.getOwnPropertyDescriptor(proto, k)?.value === "function",
);
for (const m of methods) {
  const n = argCount(proto[m]!);
  const call = (recv: () => fl.Tensor, args: () => unknown[]) => () => (recv() as unknown as Record<string, Fn>)[m]!(...args());
  for (const [rn, recv] of [...RECEIVERS, SCALAR_RECEIVER]) {
    cases.push({ name: `${rn}.${m}()`, run: call(recv, () => []) });
    for (const [fn, fill] of FILL)
      cases.push({ name: `${rn}.${m}(${label(n, -1, "", fn)})`, run: call(recv, () => argsFor(n, -1, fill, fill)) });
  }
  for (const [rn, recv] of RECEIVERS)
    for (let pos = 0; pos < n; pos++)
      for (const [bn, bad] of BAD)
        for (const [fn, fill] of n === 1 ? FILL.slice(0, 1) : FILL)
          cases.push({ name: `${rn}.${m}(${label(n, pos, bn, fn)})`, run: call(recv, () => argsFor(n, pos, bad, fill)) });
}
// A TorchScript module's methods (Python's torch.jit.save output, test/fixtures/core).
const script = fl.jit.load(join(FIXTURES, "core", "tiny_module.pt"));
const scriptProto = Object.getPrototypeOf(script) as Record<string, Fn>;
for (const m of Object.getOwnPropertyNames(scriptProto).filter((k) => k !== "constructor")) {
  const n = argCount(scriptProto[m]!);
  const call = (args: () => unknown[]) => () => (script as unknown as Record<string, Fn>)[m]!(...args());
  cases.push({ name: `module.${m}()`, run: call(() => []) });
  for (let pos = 0; pos < n; pos++)
    for (const [bn, bad] of BAD)
      for (const [fn, fill] of n === 1 ? FILL.slice(0, 1) : FILL)
        cases.push({ name: `module.${m}(${label(n, pos, bn, fn)})`, run: call(() => argsFor(n, pos, bad, fill)) });
}
for (const setter of ["requiresGrad", "grad"])
  for (const [bn, bad] of BAD)
    cases.push({
      name: `t.${setter} = ${bn}`,
      run: () => {
        (fl.randn([2]) as unknown as Record<string, unknown>)[setter] = bad();
      },
    });

const out = (s: string) => writeSync(1, `${s}\n`);
out(`TOTAL ${cases.length}`);
fl.setMemoryBudget(fl.memory().bytes + 256 * 2 ** 20);
const threads = fl.getNumThreads();
const counts: Record<string, number> = {};
for (let i = Number(process.argv[2] ?? 0); i < cases.length; i++) {
  const c = cases[i]!;
  out(`BEGIN ${i} ${c.name}`);
  let outcome = "ok";
  try {
    fl.tidy(() => void c.run());
  } catch (e) {
    if (e instanceof fl.FlambeauError) outcome = e.op ? e.code : `${e.code} without an op name: ${e.message}`;
    else outcome = `${(e as Error)?.name}: ${String((e as Error)?.message).split("\n")[0]}`;
  }
  counts[outcome.split(" ")[0]!] = (counts[outcome.split(" ")[0]!] ?? 0) + 1;
  if (outcome !== "ok" && !outcome.startsWith("E_")) out(JSON.stringify({ i, name: c.name, outcome }));
  else if (outcome.includes("without an op name")) out(JSON.stringify({ i, name: c.name, outcome }));
  if (!fl.isGradEnabled()) core.autograd.setGradEnabled(true);
  if (fl.getNumThreads() !== threads) fl.setNumThreads(threads);
}
out(`DONE ${JSON.stringify(counts)}`);
