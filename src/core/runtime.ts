// Process-wide engine settings: intra-op and inter-op threads, the RNG state and
// deterministic algorithms (named as PyTorch names them).
import { randomInt } from "node:crypto";
import { availableParallelism } from "node:os";
import { isMainThread } from "node:worker_threads";
import { argError, FlambeauError } from "./errors.js";
import { native, whenNativeLoaded } from "./native.js";
import type { Tensor } from "./tensor.js";
import { wrapHandle } from "./tensor-class.js";
import { checkInt, checkTensor } from "./validate.js";

/** Sets libtorch's intra-op thread count (default: the machine's cores). */
export function setNumThreads(n: number): void {
  native.setNumThreads(checkInt("setNumThreads", "n", n, 1, 1024));
}
export const getNumThreads = (): number => native.getNumThreads();

/** Sets libtorch's inter-op thread count; libtorch allows it once, before any inter-op work starts. */
export function setNumInteropThreads(n: number): void {
  checkInt("setNumInteropThreads", "n", n, 1, 1024);
  try {
    native.setNumInteropThreads(n);
  } catch (e) {
    throw new FlambeauError(
      "E_STATE",
      `setNumInteropThreads(${n}): ${(e as Error).message.replace(/^setNumInteropThreads: (Error: )?/, "")}`,
      "setNumInteropThreads",
    );
  }
}
export const getNumInteropThreads = (): number => native.getNumInteropThreads();

/**
 * torch.use_deterministic_algorithms: ops with a deterministic implementation use it, and ops
 * without one throw (or, with warnOnly, warn) instead of running nondeterministically.
 */
export function useDeterministicAlgorithms(mode: boolean, o: { warnOnly?: boolean } = {}): void {
  if (typeof mode !== "boolean") argError("useDeterministicAlgorithms", `mode must be a boolean, got ${String(mode)}`);
  const warnOnly = o.warnOnly ?? false;
  if (typeof warnOnly !== "boolean") argError("useDeterministicAlgorithms", `warnOnly must be a boolean, got ${String(warnOnly)}`);
  native.useDeterministicAlgorithms(mode, warnOnly);
}
export const areDeterministicAlgorithmsEnabled = (): boolean => native.areDeterministicAlgorithmsEnabled();
export const isDeterministicAlgorithmsWarnOnlyEnabled = (): boolean => native.isDeterministicAlgorithmsWarnOnlyEnabled();

const DEBUG_MODES = { default: 0, warn: 1, error: 2 } as const;
/** torch.set_deterministic_debug_mode: "default" (0) off, "warn" (1) warnOnly, "error" (2) on. */
// A rejected value in an error message (JSON.stringify throws on a BigInt, String on some objects).
const shown = (v: unknown): string =>
  typeof v === "string"
    ? JSON.stringify(v)
    : typeof v === "bigint"
      ? `${v}n`
      : typeof v === "number" || typeof v === "boolean"
        ? String(v)
        : typeof v;
export function setDeterministicDebugMode(mode: "default" | "warn" | "error" | 0 | 1 | 2): void {
  const level = typeof mode === "string" && Object.hasOwn(DEBUG_MODES, mode) ? DEBUG_MODES[mode] : mode;
  if (level !== 0 && level !== 1 && level !== 2)
    argError("setDeterministicDebugMode", `mode must be "default", "warn", "error", 0, 1 or 2, got ${shown(mode)}`);
  useDeterministicAlgorithms(level !== 0, { warnOnly: level === 1 });
}
/** torch.get_deterministic_debug_mode: 0 off, 1 warn only, 2 error. */
export const getDeterministicDebugMode = (): 0 | 1 | 2 =>
  !areDeterministicAlgorithmsEnabled() ? 0 : isDeterministicAlgorithmsWarnOnlyEnabled() ? 1 : 2;

/** torch.initial_seed: the seed libtorch's default generator was last seeded with (a number when it is a safe integer). */
export function initialSeed(): number | bigint {
  const s = native.initialSeed();
  return s <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s) : s;
}

/** torch.seed: seeds the default generator from the OS's entropy and returns that seed (for a run to log and replay). */
export function seed(): number {
  const s = randomInt(2 ** 48 - 1);
  native.manualSeed(s);
  return s;
}

/**
 * torch.set_flush_denormal: flush denormal floats to zero on this thread's CPU (SSE3); returns
 * false, changing nothing, on a CPU without it.
 */
export function setFlushDenormal(mode: boolean): boolean {
  if (typeof mode !== "boolean") argError("setFlushDenormal", `mode must be a boolean, got ${String(mode)}`);
  return native.setFlushDenormal(mode);
}

/** The default generator's state (a uint8 tensor), for checkpoints. */
export const getRngState = (): Tensor => wrapHandle(native.getRngState());
export function setRngState(state: Tensor): void {
  checkTensor("setRngState", "state", state);
  try {
    native.setRngState(state.handle);
  } catch (e) {
    throw new FlambeauError("E_ARG", `setRngState: ${(e as Error).message.replace(/^setRngState: /, "")}`, "setRngState");
  }
}

// Debian's libtorch starts with one thread; use the machine's cores unless told otherwise.
// The count is process-wide: only the main thread sets it, so a worker thread importing
// Flambeau does not undo what its owner chose.
// Applied when the engine loads (on the first tensor op, not at import).
whenNativeLoaded(() => {
  const envThreads = Number(process.env.FLAMBEAU_NUM_THREADS);
  if (isMainThread) native.setNumThreads(Number.isInteger(envThreads) && envThreads > 0 ? envThreads : Math.max(1, availableParallelism()));
});
