// Prompt freeing of tensors that JS code dropped without dispose().
//
// A tensor nobody disposes is freed when V8 collects its wrapper. V8 sizes its collections by
// its own heap: a wrapper is a few hundred bytes of JS, so V8 sees little reason to scavenge
// while the native memory behind thousands of dead wrappers piles up, and napi's external
// memory report only forces a (full, costly) collection once 64 MiB have accumulated. A loop
// of 100,000 small ops without dispose grew RSS by ~90 MiB that way.
//
// The engine therefore asks V8 for a young-generation collection (a scavenge: it visits only
// live young objects, tens of microseconds here) once enough tensors or native bytes have
// appeared since the last one. Wrappers that died young are finalized in that pass. When a
// scavenge frees little — the program keeps what it makes — the interval doubles, so code
// that holds its tensors pays almost nothing; when it frees most, the interval shrinks back.
// FLAMBEAU_PROMPT_GC=0 turns this off.
import v8 from "node:v8";
import vm from "node:vm";
import { native } from "./native.js";

type Gc = (options: { type: "minor"; execution?: "sync" }) => void;

/** Tensors created between looks at the native counters (a look is one N-API call). */
const LOOK_EVERY = 256;
const MIN_TENSORS = 2048;
const MAX_TENSORS = 1 << 17;
/** Native bytes grown since the last scavenge that trigger one regardless of the tensor count. */
const BYTES = 8 << 20;

let gc: Gc | null | undefined;
let untilLook = LOOK_EVERY;
let threshold = MIN_TENSORS;
let liveAfter = -1;
let bytesAfter = 0;

function obtainGc(): Gc | null {
  if (process.env.FLAMBEAU_PROMPT_GC === "0") return null;
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === "function") return own as Gc;
  try {
    // The documented way to reach V8's gc() without the command-line flag: the flag only
    // decides whether contexts created afterwards get a `gc` global; nothing else changes.
    v8.setFlagsFromString("--expose-gc");
    const fn = vm.runInNewContext("gc") as unknown;
    return typeof fn === "function" ? (fn as Gc) : null;
  } catch {
    return null;
  }
}

/** @internal Counts a new tensor wrapper; every LOOK_EVERY of them, maybe scavenges. */
export function noteNewTensor(): void {
  if (--untilLook > 0) return;
  untilLook = LOOK_EVERY;
  look();
}

function look(): void {
  if (gc === undefined) gc = obtainGc();
  if (gc === null) return;
  const before = native.memory();
  if (liveAfter < 0) {
    liveAfter = before.liveTensors;
    bytesAfter = before.bytes;
    return;
  }
  // Disposed tensors lower the baseline: growth counts from the lowest point since the last look.
  liveAfter = Math.min(liveAfter, before.liveTensors);
  bytesAfter = Math.min(bytesAfter, before.bytes);
  const made = before.liveTensors - liveAfter;
  if (made < threshold && before.bytes - bytesAfter < BYTES) return;
  gc({ type: "minor", execution: "sync" });
  const after = native.memory();
  const freed = before.liveTensors - after.liveTensors;
  // Freed under a quarter of the growth: the program holds its tensors, look less often.
  if (freed * 4 < made) threshold = Math.min(MAX_TENSORS, threshold * 2);
  else if (freed * 2 > made) threshold = Math.max(MIN_TENSORS, threshold >> 1);
  liveAfter = after.liveTensors;
  bytesAfter = after.bytes;
}
