// Process-wide engine settings: intra-op threads and the RNG state.
import { availableParallelism } from "node:os";
import { isMainThread } from "node:worker_threads";
import { FlambeauError } from "./errors.js";
import { native, whenNativeLoaded } from "./native.js";
import type { Tensor } from "./tensor.js";
import { wrapHandle } from "./tensor-class.js";
import { checkInt, checkTensor } from "./validate.js";

/** Sets libtorch's intra-op thread count (default: the machine's cores). */
export function setNumThreads(n: number): void {
  native.setNumThreads(checkInt("setNumThreads", "n", n, 1, 1024));
}
export const getNumThreads = (): number => native.getNumThreads();

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
