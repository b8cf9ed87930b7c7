// SMILES tokens for the generator: atoms (organic subset and bracket atoms), bonds, branches
// and ring-closure digits. The language model reads Kekulé SMILES (no aromatic lower-case
// atoms), so every bond order is written out and valence can be counted token by token.
import { FlambeauError } from "../../core/errors.js";

export type Token =
  | { kind: "atom"; text: string; element: string; charge: number; hydrogens: number; maxValence: number }
  | { kind: "bond"; text: string; order: number }
  | { kind: "open"; text: "(" }
  | { kind: "close"; text: ")" }
  | { kind: "ring"; text: string; label: number }
  | { kind: "special"; text: string };

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
export const SPECIAL_TOKENS = ["<pad>", "<bos>", "<eos>"] as const;

// Largest neutral valence RDKit's sanitiser accepts (as the VGAE's validity check), and the
// elements a generated drug-like molecule may hold.
const NEUTRAL_VALENCE: Readonly<Record<string, number>> = {
  B: 3,
  C: 4,
  N: 3,
  O: 2,
  P: 5,
  S: 6,
  F: 1,
  Cl: 1,
  Br: 1,
  I: 1,
  Se: 2,
  Si: 4,
};

/** The bonds an element can make with a formal charge (isoelectronic neighbour's valence); undefined when unsupported. */
function chargedValence(element: string, charge: number): number | undefined {
  if (charge === 0) return NEUTRAL_VALENCE[element];
  if (Math.abs(charge) !== 1) return undefined;
  if (element === "N" || element === "P") return charge > 0 ? 4 : 2;
  if (element === "O" || element === "S" || element === "Se") return charge > 0 ? 3 : 1;
  if (element === "C") return 3;
  if (element === "B" && charge < 0) return 4;
  return undefined;
}

const BRACKET = /^\[([A-Z][a-z]?)(H(\d?))?(\+\d?|-\d?)?\]$/;
const TOKEN = /\[[^\]]*\]|Br|Cl|%\d\d|[A-Za-z]|[=#\-/\\:.$]|\(|\)|\d|./g;

/** One token's meaning; undefined for tokens the generator does not model (aromatic atoms, stereo bonds, '.', metals, %nn). */
export function tokenInfo(text: string): Token | undefined {
  if (text === "(") return { kind: "open", text };
  if (text === ")") return { kind: "close", text };
  if (/^[1-9]$/.test(text)) return { kind: "ring", text, label: Number(text) };
  const order = { "-": 1, "=": 2, "#": 3 }[text];
  if (order !== undefined) return { kind: "bond", text, order };
  if (!text.startsWith("[")) {
    const v = NEUTRAL_VALENCE[text];
    // The organic subset without brackets: Se and Si need brackets in SMILES.
    return v !== undefined && text !== "Se" && text !== "Si"
      ? { kind: "atom", text, element: text, charge: 0, hydrogens: 0, maxValence: v }
      : undefined;
  }
  const m = BRACKET.exec(text);
  if (!m) return undefined;
  const element = m[1]!;
  const hydrogens = m[2] ? Number(m[3] || 1) : 0;
  const sign = m[4];
  const charge = sign ? (sign[0] === "+" ? 1 : -1) * Number(sign.slice(1) || 1) : 0;
  const v = chargedValence(element, charge);
  if (v === undefined || v - hydrogens < 1) return undefined;
  return { kind: "atom", text, element, charge, hydrogens, maxValence: v - hydrogens };
}

/** Splits SMILES into token strings; every character belongs to a token. */
export function tokenizeSmiles(smiles: string): string[] {
  return smiles.match(TOKEN) ?? [];
}

/** A token vocabulary: the three specials, then token strings in a fixed order. */
export class SmilesVocabulary {
  readonly tokens: readonly string[];
  readonly info: readonly Token[];
  readonly #index: Map<string, number>;

  constructor(tokens: readonly string[]) {
    const body = tokens.filter((t) => !(SPECIAL_TOKENS as readonly string[]).includes(t));
    this.tokens = [...SPECIAL_TOKENS, ...body];
    this.info = this.tokens.map((t, i) => {
      if (i < SPECIAL_TOKENS.length) return { kind: "special", text: t };
      const info = tokenInfo(t);
      if (!info) throw new FlambeauError("E_ARG", `SmilesVocabulary: "${t}" is not a token the generator models`, "SmilesVocabulary");
      return info;
    });
    this.#index = new Map(this.tokens.map((t, i) => [t, i]));
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Token ids of a SMILES string, or undefined when a token is outside the vocabulary. */
  encode(smiles: string): number[] | undefined {
    const ids: number[] = [];
    for (const t of tokenizeSmiles(smiles)) {
      const id = this.#index.get(t);
      if (id === undefined) return undefined;
      ids.push(id);
    }
    return ids;
  }

  decode(ids: readonly number[]): string {
    return ids
      .filter((i) => i >= SPECIAL_TOKENS.length)
      .map((i) => this.tokens[i]!)
      .join("");
  }

  /**
   * The vocabulary of a corpus: every modelled token seen in at least `minCount` strings
   * (rarer ones would be sampled from an untrained embedding), in first-seen order.
   */
  static fromCorpus(smiles: readonly string[], minCount = 3): SmilesVocabulary {
    const count = new Map<string, number>();
    for (const s of smiles) for (const t of new Set(tokenizeSmiles(s))) if (tokenInfo(t)) count.set(t, (count.get(t) ?? 0) + 1);
    return new SmilesVocabulary([...count].filter(([, n]) => n >= minCount).map(([t]) => t));
  }
}
