// chrF (Popović 2015) as sacreBLEU computes it by default: character n-grams of orders
// 1–6 with whitespace removed, statistics summed over the corpus, precision and recall
// averaged over the orders present, then F-beta with beta = 2.

import { FlambeauError } from "../../core/errors.js";

function charNgrams(s: string, n: number): Map<string, number> {
  const chars = Array.from(s.split(/\s+/).join(""));
  const c = new Map<string, number>();
  for (let i = 0; i + n <= chars.length; i++) {
    const k = chars.slice(i, i + n).join("");
    c.set(k, (c.get(k) ?? 0) + 1);
  }
  return c;
}

/** [hypCount, refCount, matches] per order, for one sentence pair. */
function stats(hyp: string, ref: string, order: number): number[] {
  const out: number[] = [];
  for (let n = 1; n <= order; n++) {
    const h = charNgrams(hyp, n);
    const r = charNgrams(ref, n);
    let match = 0;
    let hc = 0;
    let rc = 0;
    for (const [k, v] of h) {
      hc += v;
      match += Math.min(v, r.get(k) ?? 0);
    }
    for (const v of r.values()) rc += v;
    out.push(hc, rc, match);
  }
  return out;
}

function fScore(s: readonly number[], order: number, beta: number): number {
  const eps = 1e-16;
  const factor = beta ** 2;
  let avgP = 0;
  let avgR = 0;
  let effective = 0;
  for (let i = 0; i < order; i++) {
    const [nh, nr, nm] = [s[3 * i]!, s[3 * i + 1]!, s[3 * i + 2]!];
    const p = nh > 0 ? nm / nh : eps;
    const r = nr > 0 ? nm / nr : eps;
    if (nh > 0 && nr > 0) {
      avgP += p;
      avgR += r;
      effective++;
    }
  }
  if (effective === 0) return 0;
  avgP /= effective;
  avgR /= effective;
  return avgP + avgR ? (100 * (1 + factor) * avgP * avgR) / (factor * avgP + avgR) : 0;
}

/** Corpus chrF (0–100); with several reference streams each sentence uses its best-scoring reference. */
export function corpusChrf(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  o: { order?: number; beta?: number } = {},
): number {
  const order = o.order ?? 6;
  const beta = o.beta ?? 2;
  if (references.length === 0) throw new FlambeauError("E_ARG", "corpusChrf: no reference streams");
  for (const [i, r] of references.entries())
    if (r.length !== hypotheses.length)
      throw new FlambeauError("E_ARG", `corpusChrf: reference stream ${i} has ${r.length} sentences, hypotheses ${hypotheses.length}`);
  const sum = new Array<number>(3 * order).fill(0);
  hypotheses.forEach((h, i) => {
    let best: number[] | undefined;
    let bestF = -1;
    for (const r of references) {
      const s = stats(h, r[i]!, order);
      const f = fScore(s, order, beta);
      if (f > bestF) {
        bestF = f;
        best = s;
      }
    }
    best!.forEach((v, k) => {
      sum[k]! += v;
    });
  });
  return fScore(sum, order, beta);
}
