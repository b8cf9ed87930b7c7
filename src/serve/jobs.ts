// The worker-thread half of the server's pool (run by WorkerRunner): a batch of inputs through
// a model directory's cached Predictor. A task that decodes bytes itself (predictBytes) gets
// the uploads in memory; for the others uploaded bytes become files in the server's private
// scratch folder (the tasks read files by content), named by the server, removed after the
// batch; where a prediction repeats such a file's name, the client's name replaces it.
import { randomUUID } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { predictorOf, reloadPredictor } from "../worker/task-jobs.js";
import type { JobContext } from "../worker/worker-main.js";

/** One input as it crosses to the worker: text, or the bytes of an upload. */
export type WireInput = string | { bytes: Uint8Array; ext: string; name: string };

export interface BatchResult {
  /** One entry per group of inputs (one group per request), in order. */
  groups: ({ predictions: unknown[]; text: string[] } | { error: string; code?: string })[];
}

function replaceNames(value: unknown, names: Map<string, string>): unknown {
  if (typeof value === "string") return names.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => replaceNames(v, names));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceNames(v, names)]));
  return value;
}

/** A failure whose message names the client's inputs, not the scratch files they were written to. */
class GroupError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

async function predictGroup(dir: string, scratch: string, inputs: WireInput[], options: Record<string, unknown>) {
  const { task, predictor } = await predictorOf(dir);
  const uploads = inputs.filter((x) => typeof x !== "string");
  const names = new Map<string, string>();
  try {
    let raw: unknown[];
    // A task that decodes bytes itself gets the uploads in memory: no scratch file to write, read back and remove.
    if (predictor.predictBytes && uploads.length === inputs.length) raw = await predictor.predictBytes(uploads, options);
    else {
      const args: string[] = [];
      for (const x of inputs) {
        if (typeof x === "string") {
          args.push(x);
          continue;
        }
        const file = join(scratch, `${randomUUID()}${x.ext}`);
        // wx: never over an existing file; 0600: only this server's user reads it.
        writeFileSync(file, x.bytes, { flag: "wx", mode: 0o600 });
        names.set(file, x.name);
        args.push(file);
      }
      raw = await predictor.predict(args, options);
    }
    const predictions = names.size ? (raw.map((p) => replaceNames(p, names)) as unknown[]) : raw;
    return { predictions, text: predictions.map((p) => task.formatPrediction(p)) };
  } catch (e) {
    const err = e as Error & { code?: unknown };
    let message = err?.message ?? String(e);
    for (const [file, name] of names) message = message.split(file).join(name);
    throw new GroupError(message, typeof err?.code === "string" ? err.code : undefined);
  } finally {
    for (const f of names.keys()) rmSync(f, { force: true });
  }
}

const errorOf = (e: unknown) => {
  const err = e as Error & { code?: unknown };
  return { error: err?.message ?? String(e), ...(typeof err?.code === "string" ? { code: err.code } : {}) };
};

/**
 * Predicts a batch made of several requests' inputs (`sizes[i]` of them for request i) in one
 * call. If the batch fails, each request's inputs run alone, so one bad file fails only its
 * own request.
 */
export async function predictBatchJob(
  dir: string,
  scratch: string,
  inputs: WireInput[],
  sizes: number[],
  options: Record<string, unknown>,
): Promise<BatchResult> {
  const split = <T>(all: T[]): T[][] => {
    let at = 0;
    return sizes.map((n) => all.slice(at, (at += n)));
  };
  try {
    const all = await predictGroup(dir, scratch, inputs, options);
    const p = split(all.predictions);
    const t = split(all.text);
    return { groups: p.map((predictions, i) => ({ predictions, text: t[i]! })) };
  } catch (e) {
    if (sizes.length === 1) return { groups: [errorOf(e)] };
    const groups: BatchResult["groups"] = [];
    for (const g of split(inputs)) groups.push(await predictGroup(dir, scratch, g, options).catch(errorOf));
    return { groups };
  }
}

/**
 * One input with the task's text streamed back as log lines while it is generated. The
 * owner sets `cancel[0]` when the client leaves: the next piece of text then stops the job.
 */
export async function streamJob(
  dir: string,
  scratch: string,
  input: WireInput,
  options: Record<string, unknown>,
  cancel: Int32Array,
  ctx: JobContext,
): Promise<{ predictions: unknown[]; text: string[] }> {
  return predictGroup(dir, scratch, [input], {
    ...options,
    onText: (t: string) => {
      if (Atomics.load(cancel, 0) !== 0) throw new FlambeauError("E_STATE", "the client left; generation stopped", "serve");
      ctx.log(t);
    },
  });
}

/** Loads a model directory into this worker's cache (readiness waits for it). */
export async function loadJob(dir: string): Promise<string> {
  return (await predictorOf(dir)).task.name;
}

/** Swaps in a changed model directory (hot reload); the old model serves until this returns. */
export async function reloadJob(dir: string): Promise<void> {
  await reloadPredictor(dir);
}
