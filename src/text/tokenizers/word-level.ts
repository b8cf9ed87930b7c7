// Word- and character-level tokenizers whose tokenizer.json Hugging Face `tokenizers` loads and
// encodes to the same ids: a WordLevel model over our Vocab, a normalizer (per-character
// Lowercase, optionally digits folded to 0), a Split pre-tokenizer with our word regex (its
// matches kept, the whitespace between them removed), the special tokens as added tokens, an
// optional leading special token as a TemplateProcessing post-processor, and truncation.
// Our own encoding stays synchronous and in JS; it follows the same steps in the same order
// (cut out special tokens → normalize → split → look up → prefix → truncate), so the file is a
// faithful description rather than a second implementation. The one input where the two part:
// a text without any token is [<unk>] here (a model needs one position) and [] in `tokenizers`.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { writeTextAtomic } from "../../io/index.js";
import { readJsonFile } from "../../io/read-json.js";
import { Vocab, WORD_PATTERN } from "../vocab.js";

/** What happens to a text before it is split: nothing, lowercasing, or lowercasing with ASCII digits folded to 0. */
export type WordNormalization = "none" | "lowercase" | "lowercase-digits";
/** Words (the word regex) or single characters (Unicode code points). */
export type WordSplit = "words" | "chars";

export interface WordLevelSpec {
  normalize: WordNormalization;
  split: WordSplit;
  /** Special tokens (matched whole in the normalized text, as `tokenizers` matches added tokens). */
  specials: readonly string[];
  /** A special token put before every text (BERT's [CLS]). */
  prefix?: string;
  /** At most this many ids per text, the prefix included. */
  maxLength?: number;
}

const OP = "WordLevelTokenizer";
/** One code point: `[\s\S]` means the same in JavaScript's and Oniguruma's regex syntax. */
const CHAR_PATTERN = "[\\s\\S]";
const DIGIT_PATTERN = "[0-9]";

/**
 * Lowercases code point by code point, as `tokenizers`' Lowercase does (Rust's char::to_lowercase):
 * String.prototype.toLowerCase would apply the final-sigma rule, which the per-character one does not.
 */
export function lowercaseChars(text: string): string {
  let out = "";
  for (const c of text) out += c.toLowerCase();
  return out;
}

export function normalizeText(text: string, n: WordNormalization): string {
  if (n === "none") return text;
  const lower = lowercaseChars(text);
  return n === "lowercase" ? lower : lower.replace(/[0-9]/g, "0");
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export class WordLevelTokenizer {
  readonly #specialRe: RegExp | null;
  readonly #splitRe: RegExp;
  readonly #prefixId: number | undefined;

  constructor(
    readonly vocab: Vocab,
    readonly spec: WordLevelSpec,
  ) {
    for (const s of spec.specials)
      if (!vocab.has(s)) throw new FlambeauError("E_ARG", `${OP}: special token ${JSON.stringify(s)} is not in the vocabulary`, OP);
    if (spec.prefix !== undefined && !spec.specials.includes(spec.prefix))
      throw new FlambeauError("E_ARG", `${OP}: prefix ${JSON.stringify(spec.prefix)} is not one of the special tokens`, OP);
    if (spec.maxLength !== undefined && (!Number.isSafeInteger(spec.maxLength) || spec.maxLength < (spec.prefix ? 2 : 1)))
      throw new FlambeauError("E_ARG", `${OP}: maxLength must be an integer ≥ ${spec.prefix ? 2 : 1}, got ${spec.maxLength}`, OP);
    // Longest first: `tokenizers` matches added tokens leftmost-longest.
    const sorted = [...spec.specials].sort((a, b) => b.length - a.length).map(escapeRe);
    this.#specialRe = sorted.length ? new RegExp(sorted.join("|"), "g") : null;
    this.#splitRe = new RegExp(spec.split === "words" ? WORD_PATTERN : CHAR_PATTERN, "gu");
    this.#prefixId = spec.prefix === undefined ? undefined : vocab.id(spec.prefix);
  }

  /**
   * The tokens of a text, special tokens whole; no prefix, no truncation. As in `tokenizers`
   * (added tokens not normalized), special tokens are cut out of the text as written and the
   * pieces between them normalized and split; `asWritten` skips the normalization (the words as
   * the user wrote them, one for each normalized token: the normalizations keep letters, marks,
   * digits, symbols and spaces in their classes).
   */
  tokenize(text: string, o: { asWritten?: boolean } = {}): string[] {
    const out: string[] = [];
    const split = (piece: string) => {
      const t = o.asWritten ? piece : normalizeText(piece, this.spec.normalize);
      for (const m of t.matchAll(this.#splitRe)) out.push(m[0]);
    };
    if (!this.#specialRe) {
      split(text);
      return out;
    }
    let at = 0;
    for (const m of text.matchAll(this.#specialRe)) {
      split(text.slice(at, m.index));
      out.push(m[0]);
      at = m.index + m[0].length;
    }
    split(text.slice(at));
    return out;
  }

  /** Ids as `tokenizers` gives them (prefix added, truncated to maxLength), except [<unk>] for a text without tokens. */
  encode(text: string, o: { maxLength?: number } = {}): number[] {
    const max = o.maxLength ?? this.spec.maxLength ?? Number.POSITIVE_INFINITY;
    const pre = this.#prefixId === undefined ? [] : [this.#prefixId];
    const ids = this.vocab.encode(this.tokenize(text).slice(0, max - pre.length));
    return [...pre, ...(ids.length ? ids : [this.vocab.unkId])];
  }

  /** The tokenizer.json `tokenizers` (Rust, Python, Node) and transformers' PreTrainedTokenizerFast load. */
  toJson(): Record<string, unknown> {
    const { vocab, spec } = this;
    const normalizers = spec.normalize === "none" ? [] : [{ type: "Lowercase" }];
    if (spec.normalize === "lowercase-digits")
      normalizers.push({ type: "Replace", pattern: { Regex: DIGIT_PATTERN }, content: "0" } as never);
    const model: Record<string, number> = {};
    vocab.itos.forEach((t, i) => {
      model[t] = i;
    });
    return {
      version: "1.0",
      truncation:
        spec.maxLength === undefined ? null : { direction: "Right", max_length: spec.maxLength, strategy: "LongestFirst", stride: 0 },
      padding: {
        strategy: "BatchLongest",
        direction: "Right",
        pad_to_multiple_of: null,
        pad_id: vocab.padId,
        pad_type_id: 0,
        pad_token: vocab.padToken,
      },
      added_tokens: spec.specials.map((content) => ({
        id: vocab.id(content),
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: normalizers.length === 0 ? null : normalizers.length === 1 ? normalizers[0] : { type: "Sequence", normalizers },
      pre_tokenizer:
        spec.split === "words"
          ? { type: "Split", pattern: { Regex: WORD_PATTERN }, behavior: "Removed", invert: true }
          : { type: "Split", pattern: { Regex: CHAR_PATTERN }, behavior: "Isolated", invert: false },
      post_processor: spec.prefix === undefined ? null : prefixTemplate(spec.prefix, vocab.id(spec.prefix)),
      decoder: null,
      model: { type: "WordLevel", vocab: model, unk_token: vocab.unkToken },
    };
  }

  async save(path: string): Promise<void> {
    await writeTextAtomic(`${OP}.save`, path, `${JSON.stringify(this.toJson(), null, 1)}\n`);
  }

  /**
   * Reads a tokenizer.json this class wrote. Its normalizer and pre-tokenizer must be ours: a
   * file edited to tokenize otherwise would encode one way here and another in `tokenizers`.
   */
  static fromJson(j: unknown, source = "tokenizer.json"): WordLevelTokenizer {
    const bad = (field: string, want: string): never => {
      throw new FlambeauError("E_FORMAT", `${source}: ${field}: expected ${want}`, OP);
    };
    if (!j || typeof j !== "object") bad("(root)", "an object");
    const o = j as Record<string, unknown>;
    const model = (o.model ?? {}) as { type?: unknown; vocab?: unknown; unk_token?: unknown };
    if (model.type !== "WordLevel") bad("model.type", '"WordLevel"');
    const vocabJson = model.vocab;
    if (!vocabJson || typeof vocabJson !== "object" || Array.isArray(vocabJson)) return bad("model.vocab", "an object of token → id");
    const unk = typeof model.unk_token === "string" ? model.unk_token : bad("model.unk_token", "a string");
    const entries = Object.entries(vocabJson as Record<string, unknown>);
    const itos = new Array<string>(entries.length);
    for (const [t, id] of entries) {
      if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0 || id >= entries.length || itos[id] !== undefined)
        bad(`model.vocab[${JSON.stringify(t)}]`, `a distinct integer id in [0, ${entries.length})`);
      itos[id as number] = t;
    }
    const padToken = (o.padding as { pad_token?: unknown } | null)?.pad_token;
    if (typeof padToken !== "string") return bad("padding.pad_token", "a string");
    const added = o.added_tokens;
    if (!Array.isArray(added)) bad("added_tokens", "an array");
    const specials = (added as { content?: unknown; special?: unknown }[]).map((a, i) =>
      typeof a?.content === "string" ? a.content : bad(`added_tokens[${i}].content`, "a string"),
    );
    let vocab: Vocab;
    try {
      vocab = new Vocab(itos, { unkToken: unk, padToken });
    } catch (e) {
      throw new FlambeauError("E_FORMAT", `${source}: ${(e as Error).message}`, OP);
    }
    const normalize = (["none", "lowercase", "lowercase-digits"] as const).find((n) => sameJson(o.normalizer, normalizerJson(n)));
    if (!normalize) return bad("normalizer", "null, Lowercase, or Lowercase then Replace [0-9] → 0 (as Flambeau writes them)");
    const split = (["words", "chars"] as const).find((s) => sameJson(o.pre_tokenizer, preTokenizerJson(s)));
    if (!split) return bad("pre_tokenizer", "Flambeau's word or character Split");
    const trunc = o.truncation as { max_length?: unknown } | null;
    if (trunc !== null && trunc !== undefined && (!Number.isSafeInteger(trunc.max_length) || (trunc.max_length as number) < 1))
      bad("truncation.max_length", "a positive integer");
    const post = o.post_processor as { single?: { SpecialToken?: { id?: unknown } }[] } | null;
    const prefix = post?.single?.[0]?.SpecialToken?.id;
    if (post && typeof prefix !== "string") bad("post_processor", "null or a template that puts one special token first");
    return new WordLevelTokenizer(vocab, {
      normalize,
      split,
      specials,
      ...(typeof prefix === "string" ? { prefix } : {}),
      ...(trunc ? { maxLength: trunc.max_length as number } : {}),
    });
  }

  static load(path: string): WordLevelTokenizer {
    return WordLevelTokenizer.fromJson(readJsonFile(`${OP}.load`, path), path);
  }
}

function prefixTemplate(token: string, id: number): Record<string, unknown> {
  return {
    type: "TemplateProcessing",
    single: [{ SpecialToken: { id: token, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
    pair: [{ SpecialToken: { id: token, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }],
    special_tokens: { [token]: { id: token, ids: [id], tokens: [token] } },
  };
}

const PROBE = new Vocab(["<pad>", "<unk>"]);
const normalizerJson = (n: WordNormalization) =>
  new WordLevelTokenizer(PROBE, { normalize: n, split: "words", specials: [] }).toJson().normalizer;
const preTokenizerJson = (s: WordSplit) =>
  new WordLevelTokenizer(PROBE, { normalize: "none", split: s, specials: [] }).toJson().pre_tokenizer;

/** Key order aside (files pass through other writers), the same JSON value. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return (a ?? null) === (b ?? null);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * A model directory's tokenizer: its tokenizer.json, or for a directory saved before those
 * were written, the old vocabulary file read under the spec the task used then.
 */
export function loadDirTokenizer(
  dir: string,
  file: string,
  legacy: { vocabFile: string; spec: Omit<WordLevelSpec, "specials"> },
): WordLevelTokenizer {
  const path = join(dir, file);
  if (existsSync(path)) return WordLevelTokenizer.load(path);
  const old = join(dir, legacy.vocabFile);
  if (!existsSync(old))
    throw new FlambeauError("E_IO", `${dir}: no ${file} (nor the ${legacy.vocabFile} of older versions); retrain the model`, OP);
  const vocab = Vocab.load(old);
  // Older vocabularies begin with their special tokens (<pad>, <unk>, …), and no word looks like one.
  const specials: string[] = [];
  for (const t of vocab.itos) {
    if (!/^<[^<>\s]+>$/.test(t)) break;
    specials.push(t);
  }
  return new WordLevelTokenizer(vocab, { ...legacy.spec, specials });
}
