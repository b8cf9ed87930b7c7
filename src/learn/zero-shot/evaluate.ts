// Zero-shot evaluation on held-out alphabets: a query glyph is classified among N candidate
// names of its own alphabet (N = 5, 20, or all of it) by the nearest name embedding; top-1
// accuracy with the 95 % interval of the mean over episodes (1.96·sd/√episodes).
//
// The nearest-name baseline uses no joint space: the query's nearest background character
// (cosine of raw pixels to each background character's mean image) lends its name, and the
// candidate whose name is most similar to it (trigram cosine) is the answer, ties drawn at
// random. It is what the names and images give without contrastive training: a Coptic ALFA
// that looks like Greek's ALPHA gets the right name, a script with no seen relative gets chance.
import { FlambeauError } from "../../core/errors.js";
import { cat, noGrad, type Tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { imagesTensor } from "../few-shot/episodes.js";
import type { ZeroShotData } from "./data.js";
import type { GlyphNameEncoder } from "./model.js";
import { trigramCosine } from "./names.js";

/** Per held-out alphabet, per image (character-major), a score for each of its characters. */
export interface AlphabetScores {
  alphabet: string;
  /** Character of each image row. */
  labels: number[];
  model: number[][];
  baseline: number[][];
}

const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);

/** Image embeddings in chunks (Conv-4 in eval mode uses its running statistics). */
function embedImages(model: GlyphNameEncoder, data: ZeroShotData, idx: readonly number[]): Tensor {
  const parts: Tensor[] = [];
  // A tidy per chunk: Conv-4's intermediate maps of 256 images are ~200 MB.
  for (let i = 0; i < idx.length; i += 256) parts.push(tidy(() => model.encodeImages(imagesTensor(data.pool, idx.slice(i, i + 256)))));
  return cat(parts, 0);
}

/** Unit-length flattened pixels [n, S·S]. */
const unitPixels = (x: Tensor) => {
  const f = x.flatten(1);
  return f.div(f.norm(2, { dim: 1, keepdim: true }).clamp(1e-12));
};

export function zeroShotScores(model: GlyphNameEncoder, data: ZeroShotData): AlphabetScores[] {
  if (data.evaluation.length === 0) throw new FlambeauError("E_ARG", "zero-shot: no held-out alphabet to evaluate on");
  model.eval();
  const bg = data.background.flatMap((a) => a.first.map((f, c) => ({ f, n: a.count[c]!, name: a.stripped[c]! })));
  return noGrad(() => {
    // Each background character's mean image, as a unit vector.
    const means = tidy(() =>
      unitPixels(cat(bg.map((b) => tidy(() => imagesTensor(data.pool, range(b.f, b.n)).mean({ dim: 0, keepdim: true }))))),
    );
    try {
      return data.evaluation.map((a) =>
        tidy(() => {
          const idx = a.first.flatMap((f, c) => range(f, a.count[c]!));
          const labels = a.first.flatMap((_, c) => Array<number>(a.count[c]!).fill(c));
          const sims = embedImages(model, data, idx).matmul(model.encodeNames(a.stripped).t());
          const nearest = unitPixels(imagesTensor(data.pool, idx)).matmul(means.t()).argmax({ dim: 1 }).toArray() as number[];
          const baseline = nearest.map((b) => a.stripped.map((n) => trigramCosine(bg[b]!.name, n)));
          return { alphabet: a.name, labels, model: sims.toArray() as number[][], baseline };
        }),
      );
    } finally {
      means.dispose();
    }
  });
}

export interface ZeroShotScore {
  /** Candidates per query (the alphabet's size for "all"). */
  ways: number | "all";
  accuracy: number;
  ci95: number;
  /** Mean 1/N over the episodes. */
  chance: number;
  baseline: { accuracy: number; ci95: number };
  episodes: number;
}

/** Index of the largest of `cols` in `row`, ties drawn with `rng`. */
function pick(row: readonly number[], cols: readonly number[], rng: Random): number {
  let best = Number.NEGATIVE_INFINITY;
  let ties: number[] = [];
  for (const c of cols) {
    const v = row[c]!;
    if (v > best + 1e-9) [best, ties] = [v, [c]];
    else if (Math.abs(v - best) <= 1e-9) ties.push(c);
  }
  return ties.length === 1 ? ties[0]! : ties[rng.int(ties.length)]!;
}

const meanCi = (xs: readonly number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { accuracy: m, ci95: (1.96 * sd) / Math.sqrt(xs.length) };
};

/**
 * N-way episodes: an alphabet with N+ characters, N of its characters, `queries` images of
 * each; "all": one episode per alphabet over all its characters and images.
 */
export function zeroShotAccuracy(
  scores: readonly AlphabetScores[],
  ways: number | "all",
  o: { episodes?: number; queries?: number; seed?: number } = {},
): ZeroShotScore {
  const rng = new Random(o.seed ?? 0, 1_000_003);
  const ties = new Random(o.seed ?? 0, 1_000_033);
  const queries = o.queries ?? 5;
  const run = (s: AlphabetScores, chars: number[], rows: number[]) => {
    const hit = (m: number[][]) => rows.filter((r) => pick(m[r]!, chars, ties) === s.labels[r]).length / rows.length;
    return [hit(s.model), hit(s.baseline), 1 / chars.length] as const;
  };
  const results: (readonly [number, number, number])[] = [];
  if (ways === "all") {
    for (const s of scores)
      results.push(
        run(
          s,
          range(0, s.model[0]!.length),
          s.labels.map((_, r) => r),
        ),
      );
  } else {
    if (!Number.isInteger(ways) || ways < 2)
      throw new FlambeauError("E_ARG", `zero-shot: ways must be an integer ≥ 2 or "all", got ${ways}`);
    const count = o.episodes ?? 1000;
    if (!Number.isInteger(count) || count < 1)
      throw new FlambeauError("E_ARG", `zero-shot: episodes must be a positive integer, got ${count}`);
    const eligible = scores.filter((s) => s.model[0]!.length >= ways);
    if (eligible.length === 0) {
      const most = Math.max(...scores.map((s) => s.model[0]!.length));
      throw new FlambeauError(
        "E_ARG",
        `zero-shot: ${ways}-way needs an alphabet of ${ways}+ characters; the largest held-out one has ${most}`,
      );
    }
    for (let e = 0; e < count; e++) {
      const s = eligible[rng.int(eligible.length)]!;
      const chars = [...rng.permutation(s.model[0]!.length)].slice(0, ways);
      const rows = chars.flatMap((c) => {
        const own = s.labels.flatMap((l, r) => (l === c ? [r] : []));
        return [...rng.permutation(own.length)].slice(0, queries).map((i) => own[i]!);
      });
      results.push(run(s, chars, rows));
    }
  }
  const m = meanCi(results.map((r) => r[0]));
  return {
    ways,
    ...m,
    chance: results.reduce((a, r) => a + r[2], 0) / results.length,
    baseline: meanCi(results.map((r) => r[1])),
    episodes: results.length,
  };
}

export interface AlphabetScore {
  alphabet: string;
  characters: number;
  accuracy: number;
  baseline: number;
  chance: number;
}

/** Each held-out alphabet named among all its own characters: where the names transfer and where not. */
export function perAlphabetScores(scores: readonly AlphabetScores[]): AlphabetScore[] {
  return scores.map((s) => {
    const r = zeroShotAccuracy([s], "all");
    return { alphabet: s.alphabet, characters: s.model[0]!.length, accuracy: r.accuracy, baseline: r.baseline.accuracy, chance: r.chance };
  });
}

/** Probabilities over candidate names for each image (softmax of the scaled cosines). */
export function classifyByName(model: GlyphNameEncoder, images: Tensor, names: readonly string[]): number[][] {
  if (names.length < 2) throw new FlambeauError("E_ARG", `zero-shot: give 2+ candidate names, got ${names.length}`);
  model.eval();
  return noGrad(() =>
    tidy(
      () => model.encodeImages(images).matmul(model.encodeNames(names).t()).mul(model.logitScale.exp()).softmax(1).toArray() as number[][],
    ),
  );
}
