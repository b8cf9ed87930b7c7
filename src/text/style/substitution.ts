// The word-substitution baseline: style markers found by salience ratio (Li et al. 2018,
// "Delete, Retrieve, Generate": s(u, a) = (count(u, a) + λ) / (count(u, a') + λ)), each paired
// with the other style's marker whose neighbours look most alike (cosine of position-tagged
// counts of the neutral words one and two places left and right), so "hath" meets "has" through
// "he _ given". Only mutual nearest neighbours above a cosine of 0.4 among the 100 most frequent
// markers of each side are kept. Transfer replaces every marker that has a partner and keeps
// every other word.
import type { Style, StyleSentence } from "./corpora.js";

export interface SalienceOptions {
  /** Smoothing λ (default 1). */
  smoothing?: number;
  /** A marker's salience ratio is at least this (default 5). */
  threshold?: number;
  /** A marker is seen at least this often in its style (default 5). */
  minCount?: number;
}

/** Word counts per style. */
export function styleCounts(sentences: readonly StyleSentence[]): Record<Style, Map<string, number>> {
  const out = { kjv: new Map<string, number>(), modern: new Map<string, number>() };
  for (const s of sentences) for (const w of s.tokens) out[s.style].set(w, (out[s.style].get(w) ?? 0) + 1);
  return out;
}

const other = (s: Style): Style => (s === "kjv" ? "modern" : "kjv");

/** (count(u, style) + λ) / (count(u, other) + λ). */
export function salience(counts: Record<Style, Map<string, number>>, word: string, style: Style, smoothing = 1): number {
  return ((counts[style].get(word) ?? 0) + smoothing) / ((counts[other(style)].get(word) ?? 0) + smoothing);
}

/** The markers of `style`, most frequent first. */
export function styleMarkers(counts: Record<Style, Map<string, number>>, style: Style, o: SalienceOptions = {}): string[] {
  const t = o.threshold ?? 5;
  const min = o.minCount ?? 5;
  return [...counts[style]]
    .filter(([w, c]) => c >= min && salience(counts, w, style, o.smoothing ?? 1) >= t)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([w]) => w);
}

type Vec = Map<string, number>;

function contexts(
  sentences: readonly StyleSentence[],
  style: Style,
  words: Set<string>,
  neutral: (w: string) => boolean,
): Map<string, Vec> {
  const out = new Map<string, Vec>();
  for (const s of sentences) {
    if (s.style !== style) continue;
    const t = s.tokens;
    t.forEach((w, i) => {
      if (!words.has(w)) return;
      let v = out.get(w);
      if (!v) out.set(w, (v = new Map()));
      for (const d of [-2, -1, 1, 2]) {
        const c = t[i + d] ?? (i + d === -1 ? "<s>" : i + d === t.length ? "</s>" : undefined);
        if (c !== undefined && (c === "<s>" || c === "</s>" || neutral(c))) v.set(`${d}:${c}`, (v.get(`${d}:${c}`) ?? 0) + 1);
      }
    });
  }
  return out;
}

function cosine(a: Vec, b: Vec): number {
  let dot = 0;
  for (const [k, x] of a) dot += x * (b.get(k) ?? 0);
  const n = (v: Vec) => Math.sqrt([...v.values()].reduce((s, x) => s + x * x, 0));
  return dot / (n(a) * n(b) || 1);
}

export interface Dictionary {
  /** kjv marker → modern word, and modern marker → kjv word. */
  toModern: Record<string, string>;
  toKjv: Record<string, string>;
}

/** Mines the two substitution dictionaries from training sentences of both styles. */
export function mineDictionary(
  sentences: readonly StyleSentence[],
  o: SalienceOptions & { markers?: number; minSimilarity?: number } = {},
): Dictionary {
  const counts = styleCounts(sentences);
  const max = o.markers ?? 100;
  const markers = { kjv: styleMarkers(counts, "kjv", o).slice(0, max), modern: styleMarkers(counts, "modern", o).slice(0, max) };
  // Neutral context words: seen in both styles, neither side more than 3 times as salient.
  const neutral = (w: string) =>
    counts.kjv.has(w) && counts.modern.has(w) && salience(counts, w, "kjv") < 3 && salience(counts, w, "modern") < 3;
  const vecs = {
    kjv: contexts(sentences, "kjv", new Set(markers.kjv), neutral),
    modern: contexts(sentences, "modern", new Set(markers.modern), neutral),
  };
  const pair = (from: Style): Record<string, string> => {
    const out: Record<string, string> = {};
    const to = other(from);
    for (const u of markers[from]) {
      const a = vecs[from].get(u);
      if (!a) continue;
      let best = "";
      let score = o.minSimilarity ?? 0.4;
      for (const v of markers[to]) {
        const c = cosine(a, vecs[to].get(v) ?? new Map());
        if (c > score) [best, score] = [v, c];
      }
      if (best) out[u] = best;
    }
    return out;
  };
  const toModern = pair("kjv");
  const toKjv = pair("modern");
  // Mutual nearest neighbours only: a pair both sides choose (far fewer topic words swapped for topic words).
  const mutual = (a: Record<string, string>, b: Record<string, string>) =>
    Object.fromEntries(Object.entries(a).filter(([u, v]) => b[v] === u));
  return { toModern: mutual(toModern, toKjv), toKjv: mutual(toKjv, toModern) };
}

/** Replaces each word that has an entry in the dictionary toward `to`. */
export function substitute(tokens: readonly string[], dict: Dictionary, to: Style): string[] {
  const d = to === "kjv" ? dict.toKjv : dict.toModern;
  return tokens.map((w) => (Object.hasOwn(d, w) ? d[w]! : w));
}
