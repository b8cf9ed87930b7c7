// Subword tokenizers (byte-level BPE, WordPiece) on Hugging Face's `tokenizers` Rust library
// through its Node binding: training, encoding and the tokenizer.json format are theirs, so a
// file saved here loads in Python's `tokenizers`/`transformers` and the reverse. The binding
// trains only with its default trainer (no vocabulary size or special tokens), so we train
// once and then cut the merge list to the requested size: BPE merges are learned greedily in
// order, so the first k merges are exactly what a trainer stopped at k would have learned.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Tokenizer as HfTokenizer } from "tokenizers";
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { requireOptional } from "../../core/optional.js";
import { byteLevelBpeJson, finishBpe, finishWordPiece, SPECIALS, wordPieceJson } from "./subword-json.js";

export type SubwordKind = "bpe" | "wordpiece";

export interface TrainTokenizerOptions {
  /** Size of the vocabulary including special tokens (default 8000). */
  vocabSize?: number;
  /** Special tokens, given ids 0, 1, …; default <pad> <unk> <s> </s> <mask> (BPE) or [PAD] [UNK] [CLS] [SEP] [MASK] (WordPiece). */
  specialTokens?: readonly string[];
  /** WordPiece only: lowercase and strip accents before splitting (default true). */
  lowercase?: boolean;
}

/** Where training text comes from: strings in memory, or UTF-8 files. */
export type Corpus = readonly string[] | { files: readonly string[] };

export interface EncodeOptions {
  /** Add the tokenizer's template tokens (<s> … </s>, [CLS] … [SEP]); default true. */
  addSpecialTokens?: boolean;
}

export interface EncodedText {
  ids: number[];
  tokens: string[];
  /** [start, end) character offsets of each token in the input. */
  offsets: [number, number][];
  attentionMask: number[];
}

export interface BatchEncodeOptions extends EncodeOptions {
  /** Truncate each sequence (special tokens included) to this many tokens. */
  maxLength?: number;
  /** "longest" pads to the longest sequence in the batch, "max_length" to maxLength (default "longest"). */
  padding?: "longest" | "max_length";
}

export interface BatchEncoding {
  /** [B, L] int64 token ids, padded with the pad token's id. */
  inputIds: Tensor;
  /** [B, L] int64, 1 for real tokens and 0 for padding. */
  attentionMask: Tensor;
  /** Unpadded length of each sequence. */
  lengths: number[];
}

const OP = "SubwordTokenizer";

// `tokenizers` ships its binary for every platform (64 MB): an optional package, loaded on first use.
const hf = (): typeof HfTokenizer =>
  requireOptional<typeof import("tokenizers")>("tokenizers", "subword tokenizers (BPE, WordPiece)", OP).Tokenizer;

function checkCorpus(corpus: Corpus): void {
  if (Array.isArray(corpus)) {
    if (corpus.length === 0) throw new FlambeauError("E_ARG", `${OP}.train: the corpus is empty`, OP);
    corpus.forEach((s, i) => {
      if (typeof s !== "string") throw new FlambeauError("E_ARG", `${OP}.train: corpus[${i}] is ${typeof s}, expected a string`, OP);
    });
  } else if (!corpus || !Array.isArray((corpus as { files: unknown }).files) || (corpus as { files: string[] }).files.length === 0) {
    throw new FlambeauError("E_ARG", `${OP}.train: corpus must be an array of strings or { files: [paths…] }`, OP);
  }
}

/** A trained or loaded subword tokenizer. Encoding is asynchronous (it runs on the library's threads). */
export class SubwordTokenizer {
  readonly #tk: HfTokenizer;
  /** The id padding uses (the pad special token, or 0 when the tokenizer has none). */
  readonly padId: number;
  #specialCount: number | undefined;

  private constructor(tk: HfTokenizer) {
    this.#tk = tk;
    const pad = ["<pad>", "[PAD]", "<|pad|>", "<|endoftext|>"].map((t) => tk.tokenToId(t)).find((i) => i !== null && i !== undefined);
    this.padId = pad ?? 0;
  }

  /** Trains a byte-level BPE (lossless on any Unicode text) or a WordPiece tokenizer. */
  static train(kind: SubwordKind, corpus: Corpus, o: TrainTokenizerOptions = {}): SubwordTokenizer {
    if (kind !== "bpe" && kind !== "wordpiece")
      throw new FlambeauError("E_ARG", `${OP}.train: kind must be "bpe" or "wordpiece", got ${JSON.stringify(kind)}`, OP);
    checkCorpus(corpus);
    const vocabSize = o.vocabSize ?? 8000;
    const specials = [...(o.specialTokens ?? SPECIALS[kind])];
    const minSize = specials.length + (kind === "bpe" ? 256 : 1);
    if (!Number.isSafeInteger(vocabSize) || vocabSize < minSize)
      throw new FlambeauError("E_ARG", `${OP}.train: vocabSize must be an integer ≥ ${minSize} for ${kind}, got ${vocabSize}`, OP);
    const skeleton = kind === "bpe" ? byteLevelBpeJson() : wordPieceJson(o.lowercase ?? true);
    const Hf = hf();
    const tk = Hf.fromString(JSON.stringify(skeleton));
    const dir = mkdtempSync(join(tmpdir(), "fl-tok-"));
    try {
      let files: string[];
      if (Array.isArray(corpus)) {
        files = [join(dir, "corpus.txt")];
        writeFileSync(files[0]!, (corpus as string[]).join("\n"));
      } else files = [...(corpus as { files: string[] }).files];
      try {
        tk.train(files);
      } catch (e) {
        throw new FlambeauError("E_IO", `${OP}.train: training on ${files.join(", ")} failed: ${(e as Error).message}`, OP);
      }
      const out = join(dir, "trained.json");
      tk.save(out);
      const trained = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
      const json = kind === "bpe" ? finishBpe(trained, specials, vocabSize) : finishWordPiece(trained, specials, vocabSize);
      return new SubwordTokenizer(Hf.fromString(JSON.stringify(json)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Loads a Hugging Face tokenizer.json (ours or any other). */
  static fromFile(path: string): SubwordTokenizer {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new FlambeauError("E_IO", `${OP}.fromFile: cannot read ${path}: ${(e as Error).message}`, OP);
    }
    return SubwordTokenizer.fromJson(text, path);
  }

  static fromJson(json: string, source = "<json>"): SubwordTokenizer {
    const Hf = hf();
    try {
      return new SubwordTokenizer(Hf.fromString(json));
    } catch (e) {
      throw new FlambeauError("E_FORMAT", `${OP}: ${source} is not a valid tokenizer.json: ${(e as Error).message}`, OP);
    }
  }

  /** Writes the tokenizer in Hugging Face's tokenizer.json format. */
  save(path: string): void {
    this.#tk.save(path, true);
  }
  toJson(): string {
    const dir = mkdtempSync(join(tmpdir(), "fl-tok-"));
    try {
      this.save(join(dir, "t.json"));
      return readFileSync(join(dir, "t.json"), "utf8");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  get vocabSize(): number {
    return this.#tk.getVocabSize(true);
  }
  getVocab(): Record<string, number> {
    return this.#tk.getVocab(true);
  }
  tokenToId(token: string): number | null {
    return this.#tk.tokenToId(token) ?? null;
  }
  idToToken(id: number): string | null {
    return this.#tk.idToToken(id) ?? null;
  }
  /** Registers extra special tokens (never split, skipped by decode with skipSpecialTokens). */
  addSpecialTokens(tokens: readonly string[]): void {
    this.#tk.addSpecialTokens([...tokens]);
  }

  async encode(text: string, o: EncodeOptions = {}): Promise<EncodedText> {
    if (typeof text !== "string") throw new FlambeauError("E_ARG", `${OP}.encode: expected a string, got ${typeof text}`, OP);
    const e = await this.#tk.encode(text, null, { addSpecialTokens: o.addSpecialTokens ?? true });
    return {
      ids: e.getIds(),
      tokens: e.getTokens(),
      offsets: e.getOffsets() as [number, number][],
      attentionMask: e.getAttentionMask(),
    };
  }

  decode(ids: readonly number[], o: { skipSpecialTokens?: boolean } = {}): Promise<string> {
    const n = this.vocabSize;
    for (const id of ids)
      if (!Number.isInteger(id) || id < 0 || id >= n)
        throw new FlambeauError("E_ARG", `${OP}.decode: id ${id} is outside the vocabulary [0, ${n})`, OP);
    return this.#tk.decode([...ids], o.skipSpecialTokens ?? true);
  }

  /** Token ids of each text, truncated to maxLength with the template tokens kept. */
  async encodeIds(texts: readonly string[], o: Omit<BatchEncodeOptions, "padding"> = {}): Promise<number[][]> {
    texts.forEach((t, i) => {
      if (typeof t !== "string") throw new FlambeauError("E_ARG", `${OP}.encodeBatch: texts[${i}] is ${typeof t}, expected a string`, OP);
    });
    const special = o.addSpecialTokens ?? true;
    // How many tokens the template adds: the length of the empty text's encoding.
    this.#specialCount ??= (await this.#tk.encode("", null, { addSpecialTokens: true })).getLength();
    const max = o.maxLength;
    const room = max === undefined ? undefined : max - (special ? this.#specialCount : 0);
    if (max !== undefined && (!Number.isSafeInteger(max) || room! < 1))
      throw new FlambeauError(
        "E_ARG",
        `${OP}.encodeBatch: maxLength must be an integer > ${special ? this.#specialCount : 0} (the template's special tokens), got ${max}`,
        OP,
      );
    const raw = await this.#tk.encodeBatch([...texts], { addSpecialTokens: false });
    return raw.map((e) => {
      if (room !== undefined && e.getLength() > room) e.truncate(room);
      return (special ? this.#tk.postProcess(e, null, true) : e).getIds();
    });
  }

  /** Encodes texts into padded int64 id and attention-mask tensors. */
  async encodeBatch(texts: readonly string[], o: BatchEncodeOptions = {}): Promise<BatchEncoding> {
    if (o.padding === "max_length" && o.maxLength === undefined)
      throw new FlambeauError("E_ARG", `${OP}.encodeBatch: padding "max_length" needs maxLength`, OP);
    const ids = await this.encodeIds(texts, o);
    return padBatch(ids, this.padId, o.padding === "max_length" ? o.maxLength : undefined);
  }
}

/** Pads id lists to one length (the longest, or `length`) as [B, L] int64 ids and attention mask. */
export function padBatch(ids: readonly (readonly number[])[], padId: number, length?: number): BatchEncoding {
  const lengths = ids.map((s) => s.length);
  const L = Math.max(length ?? 0, 1, ...lengths);
  const B = ids.length;
  const data = new BigInt64Array(B * L).fill(BigInt(padId));
  const mask = new BigInt64Array(B * L);
  ids.forEach((s, b) => {
    for (let t = 0; t < s.length && t < L; t++) {
      data[b * L + t] = BigInt(s[t]!);
      mask[b * L + t] = 1n;
    }
  });
  return { inputIds: tensor(data, { shape: [B, L] }), attentionMask: tensor(mask, { shape: [B, L] }), lengths };
}
