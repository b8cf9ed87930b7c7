// The split record: when `train` carves its validation part out of the one file or folder it
// was given, the model folder keeps split.json beside config.json: the source (split-keys.ts),
// the seed, and the content key of every training and every held-out example. `eval` and
// `compare` read it to leave out what the model was trained on (split-overlap.ts). Content keys
// (not indices) so the record still holds when the file is copied, renamed or re-ordered.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { writeTextAtomic } from "../io/atomic.js";
import { readJsonFile } from "../io/read-json.js";
import { type SourceFingerprint, sourceFingerprint } from "./split-keys.js";

export const SPLIT_FILE = "split.json";
const FORMAT = "flambeau-split/1";

export interface SplitRecord {
  format: typeof FORMAT;
  task: string;
  source: SourceFingerprint;
  seed: number;
  /** Examples the source held (training + held out + any left out by --limit). */
  examples: number;
  /** What an example's key hashes (e.g. "decoded pixels", "text"). */
  keyOf: string;
  /** Keys of the examples the model was trained on. */
  train: string[];
  /** Keys of the carved validation part. */
  heldOut: string[];
}

export interface SplitRecordInput {
  task: string;
  data: string;
  seed: number;
  examples: number;
  keyOf: string;
  train: readonly string[];
  heldOut: readonly string[];
}

/**
 * Writes split.json for a carved split (atomically), or removes a stale one when `input` is
 * undefined (trained with --val or on a built-in set), so a retrained folder never keeps the
 * record of an earlier run.
 */
export async function saveSplitRecord(dir: string, input: SplitRecordInput | undefined): Promise<void> {
  const path = join(dir, SPLIT_FILE);
  if (input === undefined) {
    rmSync(path, { force: true });
    return;
  }
  const record: SplitRecord = {
    format: FORMAT,
    task: input.task,
    source: sourceFingerprint(input.data),
    seed: input.seed,
    examples: input.examples,
    keyOf: input.keyOf,
    train: [...input.train],
    heldOut: [...input.heldOut],
  };
  await writeTextAtomic("saveSplitRecord", path, `${JSON.stringify(record)}\n`);
}

const isKeys = (v: unknown): v is string[] => Array.isArray(v) && v.every((k) => typeof k === "string");

/** Whether the model folder has a split record (eval then applies --limit after leaving out training examples). */
export const hasSplitRecord = (dir: string): boolean => existsSync(join(dir, SPLIT_FILE));

/** The model folder's split record, or undefined for models trained before it existed or with --val. */
export function readSplitRecord(dir: string): SplitRecord | undefined {
  const path = join(dir, SPLIT_FILE);
  if (!existsSync(path)) return undefined;
  const r = readJsonFile("readSplitRecord", path) as Partial<SplitRecord> | null;
  if (!r || r.format !== FORMAT || !isKeys(r.train) || !isKeys(r.heldOut) || typeof r.examples !== "number")
    throw new FlambeauError(
      "E_FORMAT",
      `readSplitRecord: ${path} is not a ${FORMAT} record (format ${JSON.stringify(r?.format)}); delete it to evaluate on everything`,
      "readSplitRecord",
    );
  return r as SplitRecord;
}
