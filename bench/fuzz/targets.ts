// The fuzzer's op table: every public function of the engine (fl.*, fl.linalg/fft/special.*), every
// nn.functional op (F.*) and every Tensor method (T.*), with its declared arity, minus
// the few that change process-wide state or touch files, and the way to call each.
import * as fl from "flambeau";
import type { Target } from "./cases.js";

type Fn = (...args: unknown[]) => unknown;

// Process-wide state the run relies on (budget, threads, grad mode, RNG), files, scopes.
const SKIP = new Set([
  "setMemoryBudget",
  "setNumThreads",
  "manualSeed",
  "setRngState",
  "getRngState",
  "tidy",
  "noGrad",
  "enableGrad",
  "dispose",
  "save",
  "load",
  "memory",
  "getMemoryBudget",
  "defaultMemoryBudget",
  "parseBytes",
  "getNumThreads",
  "isGradEnabled",
  "FlambeauError",
  "Tensor",
]);
const SKIP_METHODS = new Set(["constructor", "dispose", "keep", "invalidate", "handle", "toString", "retainGrad"]);

/** Declared parameters (defaults included), read from the source; a rest parameter counts twice. */
export function arity(f: Fn): number {
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
  return Math.min(5, commas + 1 + (params.includes("...") ? 1 : 0));
}

const isClass = (v: unknown) => typeof v === "function" && /^class[\s{]/.test(Function.prototype.toString.call(v));

function build(): Map<string, { fn: Fn; arity: number }> {
  const out = new Map<string, { fn: Fn; arity: number }>();
  for (const [k, v] of Object.entries(fl))
    if (typeof v === "function" && !SKIP.has(k) && !isClass(v)) out.set(`fl.${k}`, { fn: v as Fn, arity: arity(v as Fn) });
  // The generated namespaces (torch.linalg, torch.fft, torch.special).
  for (const [ns, table] of [
    ["linalg", fl.linalg],
    ["fft", fl.fft],
    ["special", fl.special],
  ] as const)
    for (const [k, v] of Object.entries(table as Record<string, unknown>))
      if (typeof v === "function" && !isClass(v)) out.set(`fl.${ns}.${k}`, { fn: v as Fn, arity: arity(v as Fn) });
  for (const [k, v] of Object.entries(fl.nn.functional))
    if (typeof v === "function" && !isClass(v)) out.set(`F.${k}`, { fn: v as Fn, arity: arity(v as Fn) });
  const proto = fl.Tensor.prototype as unknown as Record<string, Fn>;
  for (const k of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, k);
    if (SKIP_METHODS.has(k) || typeof d?.value !== "function") continue;
    out.set(`T.${k}`, { fn: d.value as Fn, arity: arity(d.value as Fn) });
  }
  // The harness's own self-test: a target that dies like a libtorch kernel would, when its
  // first argument is a tensor of rank >= 2 (so that shrinking has something to remove).
  if (process.env.FLAMBEAU_FUZZ_SELFTEST === "1")
    out.set("test.segv", {
      fn: (t: unknown) => {
        if (t instanceof fl.Tensor && t.ndim >= 2) process.kill(process.pid, "SIGSEGV");
      },
      arity: 1,
    });
  return out;
}

export const TABLE = build();
/** Sorted, so that (seed, index) names the same case in every process. */
export const TARGETS: Target[] = [...TABLE.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, e]) => ({ name, arity: e.arity }));

/** Calls a target with materialised arguments (a method on its receiver). */
export function invoke(name: string, args: unknown[]): unknown {
  const e = TABLE.get(name);
  if (!e) throw new Error(`unknown fuzz target ${name}`);
  if (name.startsWith("T.")) {
    const recv = args[0];
    if (!(recv instanceof fl.Tensor)) return undefined; // a method needs a Tensor receiver
    return e.fn.apply(recv, args.slice(1));
  }
  return e.fn(...args);
}
