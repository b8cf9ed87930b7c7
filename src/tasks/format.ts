// How numbers read in the CLI's and reports' text: counts as integers ("examples: 48", not
// 48.0000), fractions and losses to 4 decimals, and "1 epoch" but "2 epochs".

/** "1 epoch", "3 epochs" (an English plural by adding s). */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A metric value: integers as they are, other numbers to 4 decimals (or 4 significant digits when large). */
export function formatMetric(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toPrecision(6).replace(/\.?0+$/, "") : v.toFixed(4);
}
