// What eval and compare score when the model folder has a split record: the examples of the
// given data whose content keys the model was not trained on, unless the caller asks for
// everything (then the overlap is reported as a warning). Data with no overlap, and models
// without a record, are scored whole as before.
import { FlambeauError } from "../core/errors.js";
import { readSplitRecord } from "./split-record.js";

export { hasSplitRecord } from "./split-record.js";

export interface TrainingOverlap {
  /** Examples in the data given. */
  examples: number;
  /** Of those, examples the model was trained on. */
  trained: number;
  /** Examples scored. */
  scored: number;
  /** True when the trained-on examples were scored too (--include-training-data). */
  included: boolean;
}

export interface Selection {
  /** Indices to score in order, or undefined for all of them. */
  keep?: number[];
  /** Set when the data overlaps the training examples. */
  overlap?: TrainingOverlap;
}

/**
 * Chooses the examples of `data` to score, from their content keys (computed only when the
 * model folder has a split record) and that record; data made only of training examples is an
 * error unless they are asked for.
 */
export function selectUntrained(
  dir: string,
  data: string,
  keysOf: () => readonly string[],
  o: { includeTrainingData?: boolean } = {},
): Selection {
  const record = readSplitRecord(dir);
  if (!record) return {};
  const keys = keysOf();
  const trained = new Set(record.train);
  const keep: number[] = [];
  keys.forEach((k, i) => {
    if (!trained.has(k)) keep.push(i);
  });
  const nTrained = keys.length - keep.length;
  if (nTrained === 0) return {};
  const included = o.includeTrainingData === true;
  if (keep.length === 0 && !included)
    throw new FlambeauError(
      "E_ARG",
      `eval: all ${keys.length} examples of ${data} were used in training ${dir}'s model; give held-out data, or --include-training-data to score them anyway`,
      "eval",
    );
  return {
    ...(included ? {} : { keep }),
    overlap: { examples: keys.length, trained: nTrained, scored: included ? keys.length : keep.length, included },
  };
}

/**
 * For `compare`'s shallow side: the indices of `keys` not among `trainKeys`, or undefined when
 * none is (a separate test set), so it scores what the deep side's eval scores.
 */
export function untrainedIndices(trainKeys: readonly string[], keys: readonly string[]): number[] | undefined {
  const trained = new Set(trainKeys);
  const keep = keys.flatMap((k, i) => (trained.has(k) ? [] : [i]));
  return keep.length === keys.length ? undefined : keep;
}

/** The one line eval prints about an overlap. */
export function overlapLine(o: TrainingOverlap): string {
  return o.included
    ? `warning: scoring all ${o.examples} examples, ${o.trained} of which were used in training (--include-training-data)`
    : `scoring the ${o.scored} held-out examples of ${o.examples}; ${o.trained} were used in training (--include-training-data scores all)`;
}
