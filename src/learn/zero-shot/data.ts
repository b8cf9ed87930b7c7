// Zero-shot data: the glyphs set's characters with their names, by alphabet, and training
// batches of (image, name) pairs. A batch holds distinct characters of one background
// alphabet: the test asks to tell an alphabet's characters apart by name, and once the
// script's words are dropped, names recur across alphabets ("LETTER KA" in a dozen Indic
// scripts, drawn differently), which in a mixed batch would be false negatives.
import { FlambeauError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { glyphOptions } from "../few-shot/data.js";
import { type ClassPool, imagesTensor } from "../few-shot/episodes.js";
import { type GlyphSet, loadGlyphSet } from "../few-shot/glyphs.js";
import { stripScript } from "./names.js";

export interface NamedAlphabet {
  name: string;
  /** Per character: its first image, image count, full Unicode name and stripped name. */
  first: number[];
  count: number[];
  names: string[];
  stripped: string[];
}

export interface ZeroShotData {
  /** All images (pool indices index it). */
  pool: ClassPool;
  background: NamedAlphabet[];
  evaluation: NamedAlphabet[];
}

export function zeroShotData(set: GlyphSet): ZeroShotData {
  const split = (s: "background" | "evaluation") =>
    set.alphabets
      .filter((a) => a.split === s)
      .map((a) => {
        const ks = a.classes.map((k) => set.classes[k]!);
        return {
          name: a.name,
          first: ks.map((k) => k.first),
          count: ks.map((k) => k.count),
          names: ks.map((k) => k.description),
          stripped: ks.map((k) => stripScript(k.description, a.name)),
        };
      });
  const classes = set.classes;
  const pool: ClassPool = { size: set.size, pixels: set.images, first: classes.map((k) => k.first), count: classes.map((k) => k.count) };
  return { pool, background: split("background"), evaluation: split("evaluation") };
}

/** `--data glyphs[:options]`: only the generated set names its classes. */
export async function loadZeroShotData(spec: string): Promise<ZeroShotData> {
  const go = glyphOptions(spec);
  if (!go)
    throw new FlambeauError(
      "E_ARG",
      `zero-shot: --data must be "glyphs" or "glyphs:<options>" (classes need names to learn from), got ${spec}`,
    );
  return zeroShotData(await loadGlyphSet(go));
}

export interface NameBatch {
  images: Tensor;
  names: string[];
}

/**
 * `steps` batches per pass, each up to `size` distinct characters of one background alphabet
 * (alphabets drawn uniformly) with one image each; seeded by (seed, pass).
 */
export function nameBatches(data: ZeroShotData, size: number, steps: number, seed: number): Iterable<NameBatch> {
  if (!Number.isInteger(size) || size < 2) throw new FlambeauError("E_ARG", `zero-shot: batch must be an integer ≥ 2, got ${size}`);
  if (!Number.isInteger(steps) || steps < 1) throw new FlambeauError("E_ARG", `zero-shot: steps must be a positive integer, got ${steps}`);
  const alphabets = data.background.filter((a) => a.first.length >= 2);
  if (alphabets.length === 0) throw new FlambeauError("E_ARG", "zero-shot: no background alphabet has 2+ characters");
  let pass = 0;
  return {
    *[Symbol.iterator]() {
      const rng = new Random(seed, 7, pass++);
      for (let s = 0; s < steps; s++) {
        const a = alphabets[rng.int(alphabets.length)]!;
        const chars = [...rng.permutation(a.first.length)].slice(0, size);
        const idx = chars.map((c) => a.first[c]! + rng.int(a.count[c]!));
        yield { images: imagesTensor(data.pool, idx), names: chars.map((c) => a.stripped[c]!) };
      }
    },
  };
}
