// Token windows of pieces: the training sampler (a random style, piece, augmentation and offset
// for each window, tokenisations cached per augmentation) and the fixed, non-overlapping windows
// the held-out likelihoods are scored on. Every window starts with its piece's style token.
import type { Random } from "../../data/random.js";
import type { MusicPiece } from "./pieces.js";
import { encodeNotes, STYLE } from "./tokens.js";

export const TRANSPOSE = [-3, -2, -1, 0, 1, 2, 3] as const;
export const STRETCH = [0.95, 0.975, 1, 1.025, 1.05] as const;

/** Draws training windows of `length` tokens (style token included), augmented as Music Transformer is. */
export class WindowSampler {
  readonly #cache = new Map<string, Uint16Array>();
  readonly #byStyle: MusicPiece[][];

  constructor(
    readonly pieces: readonly MusicPiece[],
    readonly length: number,
    readonly augment = true,
  ) {
    const styles = Math.max(0, ...pieces.map((p) => p.style)) + 1;
    this.#byStyle = Array.from({ length: styles }, (_, s) => pieces.filter((p) => p.style === s));
  }

  #tokens(p: MusicPiece, transpose: number, stretch: number): Uint16Array {
    const k = `${p.id}|${transpose}|${stretch}`;
    let t = this.#cache.get(k);
    if (!t) this.#cache.set(k, (t = Uint16Array.from(encodeNotes(p.notes, { transpose, stretch }))));
    return t;
  }

  /** One window: styles drawn uniformly (the sets differ in size), then a piece of that style. */
  draw(rng: Random): number[] {
    const present = this.#byStyle.filter((g) => g.length);
    const group = present[rng.int(present.length)]!;
    const p = group[rng.int(group.length)]!;
    const tr = this.augment ? TRANSPOSE[rng.int(TRANSPOSE.length)]! : 0;
    const st = this.augment ? STRETCH[rng.int(STRETCH.length)]! : 1;
    const t = this.#tokens(p, tr, st);
    const n = this.length - 1;
    const start = t.length > n ? rng.int(t.length - n + 1) : 0;
    return [STYLE + p.style, ...t.subarray(start, start + n)];
  }
}

/** Non-overlapping windows of each piece (unaugmented), at most `perPiece` from each, spread over the piece. */
export function fixedWindows(pieces: readonly MusicPiece[], length: number, perPiece: number): { tokens: number[]; style: number }[] {
  const out: { tokens: number[]; style: number }[] = [];
  const n = length - 1;
  for (const p of pieces) {
    const t = encodeNotes(p.notes);
    const count = Math.max(1, Math.floor(t.length / n));
    const take = Math.min(count, perPiece);
    for (let j = 0; j < take; j++) {
      const start = Math.floor((j * count) / take) * n;
      const w = t.slice(start, start + n);
      if (w.length > 1) out.push({ tokens: [STYLE + p.style, ...w], style: p.style });
    }
  }
  return out;
}
