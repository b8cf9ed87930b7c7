// n-gram counting shared by the BLEU and CIDEr metrics: one Map per sentence,
// keys prefixed with their order so every order lives in one map.

const SEP = "\u0001";

/** n-gram counts of a token list, orders minOrder..maxOrder (keys are `${n}\u0001${tokens joined by a space}`). */
export function ngramCounts(tokens: readonly string[], minOrder: number, maxOrder: number): Map<string, number> {
  const c = new Map<string, number>();
  for (let n = minOrder; n <= maxOrder; n++)
    for (let i = 0; i + n <= tokens.length; i++) {
      const k = `${n}${SEP}${tokens.slice(i, i + n).join(" ")}`;
      c.set(k, (c.get(k) ?? 0) + 1);
    }
  return c;
}

/** The order n of an `ngramCounts` key. */
export const ngramOrder = (key: string): number => Number(key.slice(0, key.indexOf(SEP)));
