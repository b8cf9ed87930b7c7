// Turning labelled texts into batches: the built-in corpora or a CSV/TSV/JSONL/Parquet/Arrow file, a
// validation split carved by group (a speech or an e-mail never lands on both sides), word
// tokenization into a vocabulary, and padded int64 batches.
import { existsSync, statSync } from "node:fs";
import { FlambeauError } from "../core/errors.js";
import { type Tensor, tensor } from "../core/index.js";
import { epochBatches, lengthBuckets } from "../data/epoch-batches.js";
import { permutation } from "../data/random.js";
import type { Batch } from "../train/trainer.js";
import { BUILTIN_TEXT_SETS, fortunes, sotu, spamAssassin, type TextSplit } from "./datasets/corpora.js";
import { indexLabels, type LabelledTexts, readTextRecords, type TextColumns } from "./readers.js";
import { lowercaseChars } from "./tokenizers/word-level.js";
import { wordTokenize } from "./vocab.js";

/**
 * A built-in corpus name or a .csv/.tsv/.jsonl/.parquet/.arrow file (`columns` names its text
 * and label columns); `classes` (at evaluation) makes unseen labels an error.
 */
export async function loadTextData(
  data: string,
  split: TextSplit,
  classes?: readonly string[],
  columns: TextColumns = {},
): Promise<LabelledTexts> {
  let d: LabelledTexts;
  if (data === "spam-assassin") d = spamAssassin(split);
  else if (data === "sotu") d = sotu(split);
  else if (data === "fortunes") d = fortunes(split);
  else {
    if (!existsSync(data) || !statSync(data).isFile())
      throw new FlambeauError(
        "E_IO",
        `text data ${JSON.stringify(data)}: no such file, and not a built-in set (${BUILTIN_TEXT_SETS.join(", ")})`,
      );
    return indexLabels(await readTextRecords(data, columns), classes, data);
  }
  if (classes && classes.join("\n") !== d.classes.join("\n"))
    throw new FlambeauError("E_ARG", `${data}: its classes (${d.classes.join(", ")}) differ from the model's (${classes.join(", ")})`);
  return d;
}

export function subset(d: LabelledTexts, idx: readonly number[]): LabelledTexts {
  return {
    texts: idx.map((i) => d.texts[i]!),
    labels: idx.map((i) => d.labels[i]!),
    ...(d.targets ? { targets: idx.map((i) => d.targets![i]!) } : {}),
    ...(d.groups ? { groups: idx.map((i) => d.groups![i]!) } : {}),
    classes: d.classes,
    source: d.source,
  };
}

/** Splits off about `fraction` of the groups (or items) as validation, seeded. */
export function carveValidation(d: LabelledTexts, fraction: number, seed = 0): { train: LabelledTexts; val: LabelledTexts } {
  const keys = d.groups ?? d.texts.map((_, i) => String(i));
  const uniq = [...new Set(keys)];
  const perm = permutation(uniq.length, seed);
  const nVal = Math.max(1, Math.round(uniq.length * fraction));
  const valKeys = new Set(Array.from(perm.subarray(0, nVal), (i) => uniq[i]!));
  const tr: number[] = [];
  const va: number[] = [];
  keys.forEach((k, i) => (valKeys.has(k) ? va : tr).push(i));
  return { train: subset(d, tr), val: subset(d, va) };
}

/** The first `n` items of a seeded shuffle (demo budgets, labelled-fraction experiments). */
export function take(d: LabelledTexts, n: number, seed = 0): LabelledTexts {
  if (n >= d.texts.length) return d;
  return subset(d, Array.from(permutation(d.texts.length, seed).subarray(0, n)));
}

/** Lowercased word tokens, at most maxTokens of them. */
export const textTokens = (text: string, maxTokens: number): string[] => wordTokenize(lowercaseChars(text)).slice(0, maxTokens);

/** Right-padded [B, L] int64 ids (pad 0). */
export function padIds(seqs: readonly (readonly number[])[]): Tensor {
  const L = Math.max(1, ...seqs.map((s) => s.length));
  const data = new BigInt64Array(seqs.length * L);
  seqs.forEach((s, b) => {
    for (let t = 0; t < s.length; t++) data[b * L + t] = BigInt(s[t]!);
  });
  return tensor(data, { shape: [seqs.length, L] });
}

/** Multi-hot float32 targets [B, numClasses] of class lists. */
export function multiHot(sets: readonly (readonly number[])[], numClasses: number): Tensor {
  const y = new Float32Array(sets.length * numClasses);
  sets.forEach((s, b) => {
    for (const c of s) y[b * numClasses + c] = 1;
  });
  return tensor(y, { shape: [sets.length, numClasses] });
}

/**
 * Batches of (ids, label) that group texts of similar length (sorted within windows of 50
 * batches) so padding stays small; shuffled per epoch from (seed, epoch). Labels given as
 * class lists (multi-label) become multi-hot rows over `numClasses`.
 */
export function textBatches(
  ids: readonly number[][],
  labels: readonly number[] | readonly (readonly number[])[],
  o: { batchSize: number; shuffle: boolean; seed: number; numClasses?: number },
) {
  const lengths = ids.map((x) => x.length);
  const target = (b: readonly number[]): Tensor =>
    Array.isArray(labels[0])
      ? multiHot(
          b.map((i) => labels[i] as readonly number[]),
          o.numClasses ?? 0,
        )
      : tensor(BigInt64Array.from(b, (i) => BigInt(labels[i] as number)));
  return epochBatches(
    (e) =>
      lengthBuckets(lengths, o.batchSize, o.shuffle ? { examples: o.seed + 1000 * e, batches: o.seed + 7 + 1000 * (e + 1) } : undefined),
    (b): Batch => [padIds(b.map((i) => ids[i]!)), target(b)],
  );
}
