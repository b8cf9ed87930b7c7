// randomSplit: disjoint random subsets of given lengths or fractions (PyTorch's random_split),
// fixed by a seed and independent of libtorch's generator.
import { argError } from "../core/errors.js";
import { type Dataset, Subset } from "./dataset.js";
import { permutation } from "./random.js";

/** Split lengths from fractions that sum to 1: floors, then the remainder one by one to the first splits. */
function lengthsFor(op: string, n: number, sizes: readonly number[]): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) <= 1e-9 && total <= 1 + 1e-9) {
    sizes.forEach((f, k) => {
      if (!(f >= 0 && f <= 1)) argError(op, `fraction ${k} is ${f}, expected a value in [0, 1]`);
    });
    const out = sizes.map((f) => Math.floor(n * f));
    let rest = n - out.reduce((a, b) => a + b, 0);
    for (let k = 0; rest > 0; k = (k + 1) % out.length, rest--) out[k]!++;
    return out;
  }
  sizes.forEach((l, k) => {
    if (!Number.isSafeInteger(l) || l < 0) argError(op, `length ${k} is ${l}, expected a non-negative integer (or fractions summing to 1)`);
  });
  if (total !== n) argError(op, `lengths [${sizes.join(", ")}] sum to ${total}, the dataset has ${n} samples`);
  return [...sizes];
}

/**
 * Splits `dataset` into non-overlapping Subsets of the given lengths, or of fractions that
 * sum to 1. The same seed gives the same split on every run and machine.
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], seed: number): Subset<T>[] {
  const op = "randomSplit";
  if (!Array.isArray(lengths) || lengths.length === 0) argError(op, "lengths must be a non-empty array");
  const sizes = lengthsFor(op, dataset.length, lengths);
  const perm = permutation(dataset.length, seed);
  let at = 0;
  return sizes.map((len) => {
    const s = new Subset(dataset, perm.subarray(at, at + len));
    at += len;
    return s;
  });
}
