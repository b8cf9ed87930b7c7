// The tokenizer.json pieces for our two recipes: the untrained skeletons handed to the
// library's trainer, and the finishing step that cuts the trained vocabulary to size and adds
// special tokens, the template post-processor and the decoder the Node binding cannot build.
import { FlambeauError } from "../../core/errors.js";

type Json = Record<string, unknown>;

export const SPECIALS = {
  bpe: ["<pad>", "<unk>", "<s>", "</s>", "<mask>"],
  wordpiece: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
} as const;

/** GPT-2's map from the 256 byte values to printable characters (the byte-level alphabet). */
export function byteLevelAlphabet(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const out = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  return out;
}

const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };

export function byteLevelBpeJson(): Json {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: null,
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: {},
      merges: [],
    },
  };
}

export function wordPieceJson(lowercase: boolean): Json {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: lowercase ? null : false,
      lowercase,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: null,
    decoder: null,
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab: {} },
  };
}

const addedTokens = (specials: readonly string[]) =>
  specials.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));

function template(cls: string, sep: string, clsId: number, sepId: number): Json {
  return {
    type: "TemplateProcessing",
    single: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }],
    pair: [
      { SpecialToken: { id: cls, type_id: 0 } },
      { Sequence: { id: "A", type_id: 0 } },
      { SpecialToken: { id: sep, type_id: 0 } },
      { Sequence: { id: "B", type_id: 1 } },
      { SpecialToken: { id: sep, type_id: 1 } },
    ],
    special_tokens: {
      [cls]: { id: cls, ids: [clsId], tokens: [cls] },
      [sep]: { id: sep, ids: [sepId], tokens: [sep] },
    },
  };
}

/** The template wraps each text in the 3rd and 4th special tokens (<s> … </s>, [CLS] … [SEP]) when there are that many. */
function postProcessor(specials: readonly string[]): Json | null {
  return specials.length >= 4 ? template(specials[2]!, specials[3]!, 2, 3) : null;
}

function dedupe(op: string, specials: readonly string[]): void {
  if (new Set(specials).size !== specials.length)
    throw new FlambeauError("E_ARG", `${op}: special tokens repeat: ${specials.join(" ")}`, op);
}

/** Specials, then all 256 byte symbols, then merge results in learned order up to vocabSize. */
export function finishBpe(trained: Json, specials: readonly string[], vocabSize: number): Json {
  dedupe("SubwordTokenizer.train", specials);
  const model = trained.model as { merges: (string | [string, string])[] };
  const vocab: Record<string, number> = {};
  let next = 0;
  const add = (t: string) => {
    if (!Object.hasOwn(vocab, t)) vocab[t] = next++;
  };
  for (const s of specials) add(s);
  for (const c of byteLevelAlphabet()) add(c);
  const merges: [string, string][] = [];
  for (const m of model.merges) {
    if (next >= vocabSize) break;
    const [a, b] = typeof m === "string" ? (m.split(" ") as [string, string]) : m;
    if (!Object.hasOwn(vocab, a) || !Object.hasOwn(vocab, b)) continue;
    merges.push([a, b]);
    add(a + b);
  }
  return {
    ...byteLevelBpeJson(),
    added_tokens: addedTokens(specials),
    post_processor: postProcessor(specials),
    decoder: byteLevel,
    model: { ...(byteLevelBpeJson().model as Json), vocab, merges },
  };
}

/** Specials, then the trained vocabulary in id order (alphabet first, then merges) up to vocabSize. */
export function finishWordPiece(trained: Json, specials: readonly string[], vocabSize: number): Json {
  dedupe("SubwordTokenizer.train", specials);
  const model = trained.model as Json & { vocab: Record<string, number> };
  const unk = specials.find((s) => /unk/i.test(s)) ?? specials[0] ?? "[UNK]";
  const vocab: Record<string, number> = {};
  let next = 0;
  const add = (t: string) => {
    if (!Object.hasOwn(vocab, t)) vocab[t] = next++;
  };
  for (const s of specials) add(s);
  for (const [t] of Object.entries(model.vocab).sort((a, b) => a[1] - b[1])) {
    if (next >= vocabSize) break;
    add(t);
  }
  if (!Object.hasOwn(vocab, unk)) add(unk);
  const normalizer = trained.normalizer;
  return {
    ...wordPieceJson(true),
    normalizer,
    added_tokens: addedTokens(specials),
    post_processor: postProcessor(specials),
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: unk, continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
  };
}
