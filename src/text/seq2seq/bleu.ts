// Corpus BLEU exactly as sacreBLEU computes it by default (Post 2018): the 13a tokenizer
// of mteval-v13a.pl, clipped n-gram counts up to 4 against one or more references, the
// closest reference length for the brevity penalty, and 'exp' smoothing of zero counts.

import { FlambeauError } from "../../core/errors.js";
import { ngramCounts } from "../../train/text-metrics/ngrams.js";

export { ngramCounts };

/** mteval-v13a tokenization, as sacreBLEU's `tokenize="13a"`. */
export function tokenize13a(line: string): string {
  let s = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  if (s.includes("&")) s = s.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">");
  s = ` ${s} `;
  s = s.replace(/([{-~[-` -&(-+:-@/])/g, " $1 ");
  s = s.replace(/([^0-9])([.,])/g, "$1 $2 ");
  s = s.replace(/([.,])([^0-9])/g, " $1 $2");
  s = s.replace(/([0-9])(-)/g, "$1 $2 ");
  return s.split(/\s+/).filter(Boolean).join(" ");
}

export interface BleuScore {
  /** 0–100. */
  score: number;
  /** n-gram precisions, 0–100. */
  precisions: number[];
  bp: number;
  sysLen: number;
  refLen: number;
}

export interface BleuOptions {
  lowercase?: boolean;
  tokenize?: "13a" | "none";
  maxOrder?: number;
}

const LOG_ZERO = -9999999999;

/**
 * Corpus BLEU of `hypotheses` against `references` — one array of reference sentences per
 * reference stream, each as long as `hypotheses` (sacreBLEU's layout).
 */
export function corpusBleu(hypotheses: readonly string[], references: readonly (readonly string[])[], o: BleuOptions = {}): BleuScore {
  const order = o.maxOrder ?? 4;
  if (references.length === 0) throw new FlambeauError("E_ARG", "corpusBleu: no reference streams");
  for (const [i, r] of references.entries())
    if (r.length !== hypotheses.length)
      throw new FlambeauError("E_ARG", `corpusBleu: reference stream ${i} has ${r.length} sentences, hypotheses ${hypotheses.length}`);
  const prep = (s: string) => {
    const t = o.tokenize === "none" ? s.trim() : tokenize13a(s.trim());
    return (o.lowercase ? t.toLowerCase() : t).split(" ").filter(Boolean);
  };
  const correct = new Array<number>(order).fill(0);
  const total = new Array<number>(order).fill(0);
  let sysLen = 0;
  let refLen = 0;
  hypotheses.forEach((h, i) => {
    const hyp = prep(h);
    const refs = references.map((r) => prep(r[i]!));
    // The closest reference length; ties go to the shorter one.
    let closest = refs[0]!.length;
    for (const r of refs) {
      const d = Math.abs(r.length - hyp.length);
      const best = Math.abs(closest - hyp.length);
      if (d < best || (d === best && r.length < closest)) closest = r.length;
    }
    sysLen += hyp.length;
    refLen += closest;
    const maxRef = new Map<string, number>();
    for (const r of refs) for (const [k, v] of ngramCounts(r, 1, order)) maxRef.set(k, Math.max(maxRef.get(k) ?? 0, v));
    for (const [k, v] of ngramCounts(hyp, 1, order)) {
      const n = Number(k.slice(0, k.indexOf("\u0001"))) - 1;
      total[n]! += v;
      correct[n]! += Math.min(v, maxRef.get(k) ?? 0);
    }
  });
  const precisions = new Array<number>(order).fill(0);
  let smooth = 1;
  for (let n = 0; n < order; n++) {
    if (total[n] === 0) break;
    if (correct[n] === 0) {
      smooth *= 2;
      precisions[n] = 100 / (smooth * total[n]!);
    } else precisions[n] = (100 * correct[n]!) / total[n]!;
  }
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const logs = precisions.map((p) => (p === 0 ? LOG_ZERO : Math.log(p)));
  const score = bp * Math.exp(logs.reduce((a, b) => a + b, 0) / order);
  return { score, precisions, bp, sysLen, refLen };
}
