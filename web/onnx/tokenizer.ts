// Encodes text with a Hugging Face tokenizer.json of the kind Flambeau's word- and character-
// level tokenizers write (src/text/tokenizers/word-level.ts): special tokens cut out whole,
// Lowercase / Replace normalizers, one regex Split pre-tokenizer, a WordLevel vocabulary, an
// optional leading special token, truncation. The regexes come from the file, so the page
// follows the tokenizer the model was trained with rather than a copy of it; anything else in
// a tokenizer.json is refused by name.

export interface JsonTokenizer {
  /** Token ids as Flambeau's encode gives them: a text without tokens is [<unk>]. */
  encode(text: string): number[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function regexOf(pattern: unknown, where: string): RegExp {
  const re = obj(pattern).Regex;
  if (typeof re !== "string") throw new Error(`tokenizer.json: ${where} has no Regex pattern`);
  return new RegExp(re, "gu");
}

function normalizer(n: unknown): (s: string) => string {
  if (n === null || n === undefined) return (s) => s;
  const o = obj(n);
  if (o.type === "Sequence" && Array.isArray(o.normalizers)) {
    const steps = o.normalizers.map(normalizer);
    return (s) => steps.reduce((acc, f) => f(acc), s);
  }
  // Per code point, as the Rust Lowercase does (no final-sigma rule).
  if (o.type === "Lowercase") return (s) => Array.from(s, (c) => c.toLowerCase()).join("");
  if (o.type === "Replace") {
    const re = regexOf(o.pattern, "the Replace normalizer");
    const content = String(o.content ?? "");
    return (s) => s.replace(re, () => content);
  }
  throw new Error(`tokenizer.json: normalizer ${JSON.stringify(o.type)} is not supported here`);
}

function preTokenizer(p: unknown): (s: string) => string[] {
  const o = obj(p);
  if (o.type !== "Split") throw new Error(`tokenizer.json: pre_tokenizer ${JSON.stringify(o.type)} is not supported here`);
  const re = regexOf(o.pattern, "the Split pre-tokenizer");
  if (o.behavior === "Removed" && o.invert === true) return (s) => Array.from(s.matchAll(re), (m) => m[0]);
  if (o.behavior === "Isolated" && o.invert === false)
    return (s) => {
      const out: string[] = [];
      let at = 0;
      for (const m of s.matchAll(re)) {
        if (m.index > at) out.push(s.slice(at, m.index));
        out.push(m[0]);
        at = m.index + m[0].length;
      }
      if (at < s.length) out.push(s.slice(at));
      return out;
    };
  throw new Error(`tokenizer.json: Split with behavior ${JSON.stringify(o.behavior)}, invert ${String(o.invert)} is not supported here`);
}

export function jsonTokenizer(json: unknown): JsonTokenizer {
  const root = obj(json);
  const model = obj(root.model);
  if (model.type !== "WordLevel")
    throw new Error(`tokenizer.json: model ${JSON.stringify(model.type)} is not supported here (WordLevel is)`);
  const vocab = new Map<string, number>(Object.entries(obj(model.vocab)).filter((e): e is [string, number] => typeof e[1] === "number"));
  const unk = vocab.get(String(model.unk_token));
  if (unk === undefined) throw new Error("tokenizer.json: the unk_token is not in the vocabulary");
  const specials = (Array.isArray(root.added_tokens) ? root.added_tokens : [])
    .map((a) => obj(a).content)
    .filter((c): c is string => typeof c === "string")
    .sort((a, b) => b.length - a.length);
  const specialRe = specials.length ? new RegExp(specials.map(escapeRe).join("|"), "g") : null;
  const normalize = normalizer(root.normalizer);
  const split = preTokenizer(root.pre_tokenizer);
  const prefixToken = obj(obj((obj(root.post_processor).single as unknown[] | undefined)?.[0]).SpecialToken).id;
  const prefix = typeof prefixToken === "string" ? vocab.get(prefixToken) : undefined;
  if (typeof prefixToken === "string" && prefix === undefined) throw new Error(`tokenizer.json: ${prefixToken} is not in the vocabulary`);
  const maxLength = obj(root.truncation).max_length;
  const max = typeof maxLength === "number" ? maxLength : Number.POSITIVE_INFINITY;

  const tokenize = (text: string): string[] => {
    const out: string[] = [];
    let at = 0;
    // Special tokens are matched in the text as written, the pieces between them normalized.
    for (const m of specialRe ? text.matchAll(specialRe) : []) {
      out.push(...split(normalize(text.slice(at, m.index))), m[0]);
      at = m.index + m[0].length;
    }
    out.push(...split(normalize(text.slice(at))));
    return out;
  };
  return {
    encode(text) {
      const pre = prefix === undefined ? [] : [prefix];
      const ids = tokenize(text)
        .slice(0, max - pre.length)
        .map((t) => vocab.get(t) ?? unk);
      return [...pre, ...(ids.length ? ids : [unk])];
    },
  };
}

/** Ids cut or padded to the model's fixed length (the exported graph's sequence length). */
export function padIds(ids: readonly number[], length: number, padId: number): BigInt64Array {
  const out = new BigInt64Array(length).fill(BigInt(padId));
  ids.slice(0, length).forEach((id, i) => {
    out[i] = BigInt(id);
  });
  return out;
}
