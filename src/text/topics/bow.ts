// Bag-of-words documents for topic models: lowercased alphabetic words of ≥ 3 letters, an
// English stop list, and a vocabulary of the most document-frequent words that are in at
// least `minDf` documents and at most `maxDf` of them (very common words make no topic).
import { FlambeauError } from "../../core/errors.js";

const STOP = new Set(
  "the and for that this with you are was not but have had his her she him they them their there what when where which who whom why how all any can could would should will shall may might must been being were does did doing done from into onto upon about above after again against before below between both down during each few further here more most other out over own same some such than then these those through too under until very just also only its it's our ours your yours yourself myself himself herself itself ourselves themselves one two now off once because while nor let get got say said see like well even much many make made know way come came take took thing things don't can't won't i'm you're it's that's isn't didn't doesn't i've i'll you'll he's she's we're they're".split(
    " ",
  ),
);

/** A text's topic-model tokens. */
export function topicTokens(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}+(?:'\p{L}+)?/gu) ?? []).filter((w) => w.length >= 3 && !STOP.has(w) && !w.includes("'"));
}

export interface TopicVocabOptions {
  maxSize?: number;
  minDf?: number;
  /** Fraction of documents a word may be in at most. */
  maxDf?: number;
}

/** The vocabulary (most document-frequent first; ties alphabetical). */
export function topicVocabulary(docs: readonly (readonly string[])[], o: TopicVocabOptions = {}): string[] {
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  const minDf = o.minDf ?? 5;
  const maxDf = (o.maxDf ?? 0.5) * docs.length;
  const vocab = [...df]
    .filter(([, n]) => n >= minDf && n <= maxDf)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, o.maxSize ?? 2000)
    .map(([w]) => w);
  if (vocab.length < 2)
    throw new FlambeauError("E_FORMAT", `topic vocabulary: only ${vocab.length} words appear in ≥ ${minDf} documents`, "topics");
  return vocab;
}

/** Each document as word ids of the vocabulary (out-of-vocabulary words dropped). */
export function toIds(docs: readonly (readonly string[])[], vocab: readonly string[]): number[][] {
  const id = new Map(vocab.map((w, i) => [w, i]));
  return docs.map((d) => d.map((w) => id.get(w)).filter((i): i is number => i !== undefined));
}
