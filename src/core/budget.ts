// The default memory budget. Linux overcommits, so an oversized libtorch allocation
// "succeeds" and the process is OOM-killed later when the pages are touched; a cap in the
// addon's counting allocator turns such a request into an E_MEMORY error up front.
// Default: 80% of min(physical memory, the cgroup's limit); FLAMBEAU_MEMORY_BUDGET overrides.
import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { FlambeauError } from "./errors.js";

/** Share of the machine's (or container's) memory the default budget allows. */
export const DEFAULT_BUDGET_FRACTION = 0.8;

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * Parses a byte count: a non-negative safe integer, or a string such as "8GiB", "512 MB",
 * "1.5g" (k/m/g/t are decimal, KiB/MiB/GiB/TiB binary), or "0"/"off"/"none" for no budget.
 */
export function parseBytes(v: unknown): number {
  return toBytes(v, "parseBytes");
}

/** @internal parseBytes with the caller named in the error. */
export function toBytes(v: unknown, op: string): number {
  if (typeof v === "number") {
    if (Number.isSafeInteger(v) && v >= 0) return v;
  } else if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (s === "off" || s === "none") return 0;
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(s);
    const unit = m ? UNITS[m[2]!] : undefined;
    if (m && unit !== undefined) {
      const bytes = Math.floor(Number(m[1]) * unit);
      if (Number.isSafeInteger(bytes)) return bytes;
    }
  }
  throw new FlambeauError(
    "E_ARG",
    `${op}: expected a byte count (a non-negative safe integer or a string such as "8GiB"; 0 disables the budget), got ${typeof v === "string" ? JSON.stringify(v) : typeof v === "number" || v == null ? String(v) : "an object"}`,
    op,
  );
}

function readNumber(path: string): number | undefined {
  try {
    const s = readFileSync(path, "utf8").trim();
    if (!/^\d+$/.test(s)) return undefined; // "max": no limit
    const n = Number(s);
    // cgroup v1 reports "no limit" as a number near 2^63.
    return n > 0 && n < 2 ** 60 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The container's memory limit (cgroup v2, then v1), or undefined when there is none. */
export function cgroupMemoryLimit(): number | undefined {
  return readNumber("/sys/fs/cgroup/memory.max") ?? readNumber("/sys/fs/cgroup/memory/memory.limit_in_bytes");
}

/** The budget used when nothing is configured: a fraction of min(physical memory, cgroup limit). */
export function defaultMemoryBudget(): number {
  const limit = cgroupMemoryLimit();
  const total = limit === undefined ? totalmem() : Math.min(totalmem(), limit);
  return Math.floor(total * DEFAULT_BUDGET_FRACTION);
}

/** The budget at start-up: FLAMBEAU_MEMORY_BUDGET when set, else the default. */
export function initialMemoryBudget(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.FLAMBEAU_MEMORY_BUDGET;
  if (v === undefined || v.trim() === "") return defaultMemoryBudget();
  return toBytes(v, "FLAMBEAU_MEMORY_BUDGET");
}
