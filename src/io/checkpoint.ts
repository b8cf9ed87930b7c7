// A training checkpoint as ONE safetensors file, so it is as safe to open as weights are:
// tensors under "model.<key>", "optimizer.state.<i>.<name>" and "rng"; everything else
// (optimizer structure and scalars, scheduler, epoch, step, extra) as JSON strings in
// "__metadata__". Written atomically: a writer killed mid-write leaves the old checkpoint.
import { FlambeauError } from "../core/errors.js";
import { Tensor } from "../core/index.js";
import { loadWithMetadata, type Metadata, save } from "./safetensors.js";

/** Structurally PyTorch's optimizer state_dict (fl.optim's OptimizerStateDict). */
export interface OptimizerStateDictLike {
  state: Map<number, Map<string, Tensor | number>>;
  paramGroups: Array<Record<string, number | boolean | number[] | null> & { params: number[] }>;
}

export interface Checkpoint {
  /** The model's stateDict(). */
  model: Map<string, Tensor>;
  optimizer?: OptimizerStateDictLike;
  /** A scheduler's stateDict() (JSON). */
  scheduler?: Record<string, unknown>;
  epoch: number;
  step?: number;
  /** libtorch's generator state, from fl.getRngState(). */
  rng?: Tensor;
  /** Anything else JSON can hold (best metric, config …). */
  extra?: unknown;
}

export const CHECKPOINT_FORMAT = "flambeau.checkpoint/1";
const MODEL = "model.";
const OPT_STATE = "optimizer.state.";
const RNG = "rng";

// JSON has no NaN/Infinity; a scheduler's best metric may well be Infinity.
const FLOAT_TAG = "$float";

function argErr(message: string): never {
  throw new FlambeauError("E_ARG", `saveCheckpoint: ${message}`, "saveCheckpoint");
}

/** JSON text for `v`, rejecting what JSON would silently drop or mangle. */
function toJson(v: unknown, where: string): string {
  const check = (x: unknown, path: string): void => {
    if (x === null || typeof x === "string" || typeof x === "boolean" || typeof x === "number") return;
    if (x instanceof Tensor) argErr(`${path} is a Tensor; tensors go in model or optimizer.state (or convert with toArray())`);
    if (Array.isArray(x)) {
      for (const [k, y] of x.entries()) check(y, `${path}[${k}]`);
      return;
    }
    if (typeof x === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(x))) {
      for (const [k, y] of Object.entries(x)) check(y, `${path}.${k}`);
      return;
    }
    argErr(
      `${path} is ${x === undefined ? "undefined" : typeof x === "object" ? (x.constructor?.name ?? "an object") : typeof x}, which JSON cannot hold`,
    );
  };
  check(v, where);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "number" && !Number.isFinite(x) ? { [FLOAT_TAG]: String(x) } : x));
}

function fromJson(text: string | undefined, key: string, source: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text, (_k, x: unknown) => {
      if (x !== null && typeof x === "object" && !Array.isArray(x)) {
        const keys = Object.keys(x);
        if (keys.length === 1 && keys[0] === FLOAT_TAG) return Number((x as Record<string, unknown>)[FLOAT_TAG]);
      }
      return x;
    });
  } catch (e) {
    throw new FlambeauError(
      "E_FORMAT",
      `loadCheckpoint: ${source}: metadata "${key}" is not valid JSON (${(e as Error).message})`,
      "loadCheckpoint",
    );
  }
}

type StateEntryJson = [string, number | { $tensor: string }];
type OptimizerJson = { state: [number, StateEntryJson[]][]; paramGroups: OptimizerStateDictLike["paramGroups"] };

/** Saves a checkpoint to `path` (one safetensors file, written atomically). */
export async function saveCheckpoint(path: string, ckpt: Checkpoint): Promise<void> {
  if (ckpt === null || typeof ckpt !== "object") argErr("expects a checkpoint object { model, epoch, … }");
  if (!(ckpt.model instanceof Map)) argErr("model must be a Map<string, Tensor> (a module's stateDict())");
  if (typeof ckpt.epoch !== "number" || !Number.isSafeInteger(ckpt.epoch) || ckpt.epoch < 0)
    argErr(`epoch must be a non-negative integer, got ${String(ckpt.epoch)}`);
  if (ckpt.step !== undefined && (!Number.isSafeInteger(ckpt.step) || ckpt.step < 0))
    argErr(`step must be a non-negative integer, got ${String(ckpt.step)}`);
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of ckpt.model) tensors.set(MODEL + k, t);
  const meta: Metadata = { format: CHECKPOINT_FORMAT, epoch: String(ckpt.epoch) };
  if (ckpt.step !== undefined) meta.step = String(ckpt.step);
  if (ckpt.optimizer !== undefined) {
    const { state, paramGroups } = ckpt.optimizer;
    if (!(state instanceof Map) || !Array.isArray(paramGroups))
      argErr("optimizer must be { state: Map, paramGroups: [] } (an optimizer's stateDict())");
    const stateJson: OptimizerJson["state"] = [];
    for (const [i, entries] of state) {
      if (!Number.isSafeInteger(i) || i < 0) argErr(`optimizer.state key ${String(i)} is not a parameter index`);
      if (!(entries instanceof Map)) argErr(`optimizer.state[${i}] must be a Map<string, Tensor | number>`);
      const list: StateEntryJson[] = [];
      for (const [name, v] of entries) {
        if (v instanceof Tensor) {
          const key = `${OPT_STATE}${i}.${name}`;
          tensors.set(key, v);
          list.push([name, { $tensor: key }]);
        } else if (typeof v === "number") list.push([name, v]);
        else argErr(`optimizer.state[${i}].${name} must be a Tensor or a number, got ${typeof v}`);
      }
      stateJson.push([i, list]);
    }
    meta.optimizer = toJson({ state: stateJson, paramGroups }, "optimizer");
  }
  if (ckpt.scheduler !== undefined) meta.scheduler = toJson(ckpt.scheduler, "scheduler");
  if (ckpt.extra !== undefined) meta.extra = toJson(ckpt.extra, "extra");
  if (ckpt.rng !== undefined) {
    if (!(ckpt.rng instanceof Tensor)) argErr("rng must be the Tensor from fl.getRngState()");
    tensors.set(RNG, ckpt.rng);
  }
  await save(tensors, path, meta);
}

/** Loads a checkpoint written by saveCheckpoint; tensors are bit-equal, JSON parts deep-equal. */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  const { tensors, metadata } = await loadWithMetadata(path);
  const bad: (message: string) => never = (message) => {
    for (const t of tensors.values()) t.dispose();
    throw new FlambeauError("E_FORMAT", `loadCheckpoint: ${path}: ${message}`, "loadCheckpoint");
  };
  if (metadata.format !== CHECKPOINT_FORMAT)
    bad(
      `not a Flambeau checkpoint (metadata "format" is ${JSON.stringify(metadata.format ?? null)}, expected "${CHECKPOINT_FORMAT}"); plain weights load with io.load`,
    );
  const epoch = Number(metadata.epoch);
  if (!Number.isSafeInteger(epoch) || epoch < 0)
    bad(`metadata "epoch" is ${JSON.stringify(metadata.epoch)}, expected a non-negative integer`);
  const ckpt: Checkpoint = { model: new Map(), epoch };
  if (metadata.step !== undefined) {
    const step = Number(metadata.step);
    if (!Number.isSafeInteger(step) || step < 0)
      bad(`metadata "step" is ${JSON.stringify(metadata.step)}, expected a non-negative integer`);
    ckpt.step = step;
  }
  const used = new Set<string>();
  for (const [k, t] of tensors)
    if (k.startsWith(MODEL)) {
      ckpt.model.set(k.slice(MODEL.length), t);
      used.add(k);
    }
  const opt = fromJson(metadata.optimizer, "optimizer", path) as OptimizerJson | undefined;
  if (opt !== undefined) {
    if (opt === null || typeof opt !== "object" || !Array.isArray(opt.state) || !Array.isArray(opt.paramGroups))
      bad('metadata "optimizer" must be {state: [...], paramGroups: [...]}');
    const state = new Map<number, Map<string, Tensor | number>>();
    for (const item of opt.state) {
      if (!Array.isArray(item) || !Number.isSafeInteger(item[0]) || !Array.isArray(item[1]))
        bad(`optimizer state entry ${JSON.stringify(item)} is malformed`);
      const entries = new Map<string, Tensor | number>();
      for (const pair of item[1]) {
        const [name, v] = Array.isArray(pair) ? pair : [undefined, undefined];
        if (typeof name !== "string") bad(`optimizer state entry ${JSON.stringify(pair)} is malformed`);
        if (typeof v === "number") entries.set(name, v);
        else {
          const key = v !== null && typeof v === "object" ? v.$tensor : undefined;
          const t = typeof key === "string" && key.startsWith(OPT_STATE) ? tensors.get(key) : undefined;
          if (t === undefined)
            bad(`optimizer state ${item[0]}.${name} refers to tensor ${JSON.stringify(key)}, which the file does not hold`);
          entries.set(name, t);
          used.add(key!);
        }
      }
      state.set(item[0], entries);
    }
    ckpt.optimizer = { state, paramGroups: opt.paramGroups };
  }
  const scheduler = fromJson(metadata.scheduler, "scheduler", path);
  if (scheduler !== undefined) {
    if (scheduler === null || typeof scheduler !== "object" || Array.isArray(scheduler)) bad('metadata "scheduler" must be a JSON object');
    ckpt.scheduler = scheduler as Record<string, unknown>;
  }
  const extra = fromJson(metadata.extra, "extra", path);
  if (extra !== undefined) ckpt.extra = extra;
  const rng = tensors.get(RNG);
  if (rng !== undefined) {
    ckpt.rng = rng;
    used.add(RNG);
  }
  // Tensors no field refers to (a newer writer's additions) are not returned; free them now.
  for (const [k, t] of tensors) if (!used.has(k)) t.dispose();
  return ckpt;
}
