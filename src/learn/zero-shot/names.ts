// A character's Unicode name as the zero-shot text input. The script's own words are dropped
// ("GREEK CAPITAL LETTER ALPHA" → "CAPITAL LETTER ALPHA"): every candidate of an alphabet
// shares them, and a held-out script's name was never seen in training. What remains is
// hashed, as words and as character trigrams of each word (fastText's subwords), so "ALFA"
// of an unseen script lands near "ALPHA" of a seen one without a vocabulary file.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { fnv1a } from "../../text/char-ngrams.js";

/** The name without the words of its script's name ("Kayah_Li" drops KAYAH and LI). */
export function stripScript(name: string, alphabet: string): string {
  const drop = new Set(alphabet.toUpperCase().split(/[_\s]+/));
  const kept = name
    .toUpperCase()
    .split(/\s+/)
    .filter((w) => w && !drop.has(w));
  return kept.join(" ");
}

/** Words ("w:ALPHA") and boundary-marked character trigrams ("t:#AL", …) of a name. */
export function nameFeatures(name: string): string[] {
  const out: string[] = [];
  for (const w of name
    .toUpperCase()
    .split(/[\s-]+/)
    .filter(Boolean)) {
    out.push(`w:${w}`);
    const m = `#${w}#`;
    for (let i = 0; i + 3 <= m.length; i++) out.push(`t:${m.slice(i, i + 3)}`);
  }
  return out;
}

/** Hashed feature ids in 1 … buckets (0 pads), [names, maxTokens] int64; longer names are cut. */
export function nameIds(names: readonly string[], buckets: number, maxTokens: number): Tensor {
  if (names.length === 0) throw new FlambeauError("E_ARG", "zero-shot: no names to encode", "nameIds");
  if (!Number.isInteger(buckets) || buckets < 1)
    throw new FlambeauError("E_ARG", `zero-shot: buckets must be a positive integer, got ${buckets}`);
  const ids = new Array<number>(names.length * maxTokens).fill(0);
  names.forEach((n, r) => {
    const f = nameFeatures(n);
    if (f.length === 0) throw new FlambeauError("E_ARG", `zero-shot: name ${JSON.stringify(n)} has no words to encode`, "nameIds");
    f.slice(0, maxTokens).forEach((t, i) => {
      ids[r * maxTokens + i] = 1 + (fnv1a(t) % buckets);
    });
  });
  return tensor(ids, { shape: [names.length, maxTokens], dtype: "int64" });
}

/** Cosine similarity of two names' trigram counts: the baseline's string similarity. */
export function trigramCosine(a: string, b: string): number {
  const count = (s: string) => {
    const m = new Map<string, number>();
    for (const f of nameFeatures(s)) if (f.startsWith("t:")) m.set(f, (m.get(f) ?? 0) + 1);
    return m;
  };
  const [x, y] = [count(a), count(b)];
  let dot = 0;
  for (const [k, v] of x) dot += v * (y.get(k) ?? 0);
  const norm = (m: Map<string, number>) => Math.sqrt([...m.values()].reduce((s, v) => s + v * v, 0));
  const d = norm(x) * norm(y);
  return d === 0 ? 0 : dot / d;
}
