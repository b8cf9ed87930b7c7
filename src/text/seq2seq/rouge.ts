// ROUGE-1/2/L F-measures (Lin 2004) as Google's rouge-score computes them by default:
// lower-cased, non-alphanumerics replaced by spaces, no stemming; the corpus figure is the
// mean over pairs.

const tokens = (s: string): string[] =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .split(" ")
    .filter(Boolean);

function f1(overlap: number, hyp: number, ref: number): number {
  const p = hyp ? overlap / hyp : 0;
  const r = ref ? overlap / ref : 0;
  return p + r ? (2 * p * r) / (p + r) : 0;
}

function rougeN(h: string[], r: string[], n: number): number {
  const grams = (t: string[]) => {
    const c = new Map<string, number>();
    for (let i = 0; i + n <= t.length; i++) {
      const k = t.slice(i, i + n).join(" ");
      c.set(k, (c.get(k) ?? 0) + 1);
    }
    return c;
  };
  const hc = grams(h);
  const rc = grams(r);
  let overlap = 0;
  for (const [k, v] of hc) overlap += Math.min(v, rc.get(k) ?? 0);
  return f1(overlap, Math.max(0, h.length - n + 1), Math.max(0, r.length - n + 1));
}

/** Length of the longest common subsequence (two-row dynamic programme). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

export interface RougeScores {
  rouge1: number;
  rouge2: number;
  rougeL: number;
}

export function rouge(hypothesis: string, reference: string): RougeScores {
  const h = tokens(hypothesis);
  const r = tokens(reference);
  return { rouge1: rougeN(h, r, 1), rouge2: rougeN(h, r, 2), rougeL: f1(lcsLength(h, r), h.length, r.length) };
}

/** Mean F-measures over hypothesis/reference pairs. */
export function corpusRouge(hypotheses: readonly string[], references: readonly string[]): RougeScores {
  const all = hypotheses.map((h, i) => rouge(h, references[i] ?? ""));
  const mean = (k: keyof RougeScores) => all.reduce((a, s) => a + s[k], 0) / Math.max(1, all.length);
  return { rouge1: mean("rouge1"), rouge2: mean("rouge2"), rougeL: mean("rougeL") };
}
