import { FlambeauError } from "../core/errors.js";
import { writeTextAtomic } from "../io/index.js";
import { readJsonFile } from "../io/read-json.js";

export interface VocabOptions {
  /** Drop tokens seen fewer times (default 1). */
  minFreq?: number;
  /** Keep at most this many tokens, special tokens included (most frequent first; ties alphabetical). */
  maxSize?: number;
  /** Special tokens at ids 0, 1, … (default ["<pad>", "<unk>"]). */
  specials?: readonly string[];
  /** The token unknown tokens map to; must be one of the specials (default "<unk>"). */
  unkToken?: string;
  padToken?: string;
}

const OP = "Vocab";

/**
 * The word regex: runs of letters, marks and digits (with inner ' ’ or -), or single other
 * non-space symbols. Written in the syntax JavaScript and Oniguruma (Hugging Face `tokenizers`)
 * read alike; White_Space rather than \s, whose sets differ between the two (U+FEFF, U+0085),
 * and marks inside words so a decomposed accent (or the dot lowercasing İ leaves) stays in it.
 */
export const WORD_PATTERN = "[\\p{L}\\p{M}\\p{N}]+(?:['’-][\\p{L}\\p{M}\\p{N}]+)*|[^\\p{White_Space}\\p{L}\\p{M}\\p{N}]";
const WORD_RE = new RegExp(WORD_PATTERN, "gu");

/** Case-preserving word split: runs of letters/digits (with inner ' or -), or single other symbols. */
export function wordTokenize(text: string): string[] {
  return text.match(WORD_RE) ?? [];
}
/** The characters of a text (Unicode code points, not UTF-16 units). */
export const charTokenize = (text: string): string[] => Array.from(text);

export class Vocab {
  readonly itos: readonly string[];
  readonly #stoi: Map<string, number>;
  readonly unkToken: string;
  readonly padToken: string;
  readonly unkId: number;
  readonly padId: number;

  constructor(tokens: readonly string[], o: { unkToken?: string; padToken?: string } = {}) {
    this.unkToken = o.unkToken ?? "<unk>";
    this.padToken = o.padToken ?? "<pad>";
    this.itos = [...tokens];
    this.#stoi = new Map();
    tokens.forEach((t, i) => {
      if (typeof t !== "string") throw new FlambeauError("E_ARG", `${OP}: token ${i} is ${typeof t}, expected a string`, OP);
      if (this.#stoi.has(t))
        throw new FlambeauError("E_ARG", `${OP}: token ${JSON.stringify(t)} appears twice (ids ${this.#stoi.get(t)} and ${i})`, OP);
      this.#stoi.set(t, i);
    });
    const unk = this.#stoi.get(this.unkToken);
    const pad = this.#stoi.get(this.padToken);
    if (unk === undefined)
      throw new FlambeauError("E_ARG", `${OP}: the unknown token ${JSON.stringify(this.unkToken)} is not in the vocabulary`, OP);
    if (pad === undefined)
      throw new FlambeauError("E_ARG", `${OP}: the padding token ${JSON.stringify(this.padToken)} is not in the vocabulary`, OP);
    this.unkId = unk;
    this.padId = pad;
  }

  /** Builds a vocabulary from tokenized texts. */
  static build(sequences: Iterable<readonly string[]>, o: VocabOptions = {}): Vocab {
    const specials = [...(o.specials ?? ["<pad>", "<unk>"])];
    const minFreq = o.minFreq ?? 1;
    if (!Number.isSafeInteger(minFreq) || minFreq < 1)
      throw new FlambeauError("E_ARG", `${OP}.build: minFreq must be an integer ≥ 1, got ${minFreq}`, OP);
    if (o.maxSize !== undefined && (!Number.isSafeInteger(o.maxSize) || o.maxSize < specials.length))
      throw new FlambeauError("E_ARG", `${OP}.build: maxSize must be an integer ≥ ${specials.length} (the specials), got ${o.maxSize}`, OP);
    const counts = new Map<string, number>();
    for (const seq of sequences) for (const t of seq) counts.set(t, (counts.get(t) ?? 0) + 1);
    const special = new Set(specials);
    const ranked = [...counts]
      .filter(([t, c]) => c >= minFreq && !special.has(t))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([t]) => t);
    const room = (o.maxSize ?? Number.POSITIVE_INFINITY) - specials.length;
    return new Vocab([...specials, ...ranked.slice(0, room)], { unkToken: o.unkToken ?? "<unk>", padToken: o.padToken ?? "<pad>" });
  }

  get size(): number {
    return this.itos.length;
  }
  has(token: string): boolean {
    return this.#stoi.has(token);
  }
  /** The id of a token (the unknown token's id when absent). */
  id(token: string): number {
    return this.#stoi.get(token) ?? this.unkId;
  }
  encode(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.id(t));
  }
  decode(ids: readonly number[]): string[] {
    return ids.map((i) => {
      const t = this.itos[i];
      if (t === undefined) throw new FlambeauError("E_ARG", `${OP}.decode: id ${i} is outside [0, ${this.size})`, OP);
      return t;
    });
  }

  toJSON(): { tokens: string[]; unkToken: string; padToken: string } {
    return { tokens: [...this.itos], unkToken: this.unkToken, padToken: this.padToken };
  }
  static fromJSON(j: unknown, source = "<json>"): Vocab {
    const v = j as { tokens?: unknown; unkToken?: unknown; padToken?: unknown };
    if (!v || !Array.isArray(v.tokens) || typeof v.unkToken !== "string" || typeof v.padToken !== "string")
      throw new FlambeauError("E_FORMAT", `${OP}: ${source} is not a vocabulary (expected {tokens, unkToken, padToken})`, OP);
    return new Vocab(v.tokens as string[], { unkToken: v.unkToken, padToken: v.padToken });
  }
  async save(path: string): Promise<void> {
    await writeTextAtomic("Vocab.save", path, `${JSON.stringify(this.toJSON())}\n`);
  }
  static load(path: string): Vocab {
    return Vocab.fromJSON(readJsonFile(`${OP}.load`, path), path);
  }
}
