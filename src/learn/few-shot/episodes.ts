// N-way K-shot episodes: N classes drawn from one split, K support and Q query images of
// each, relabelled 0 … N-1 in the order drawn. A sampler is seeded and yields the same
// episodes for the same (seed, stream) whatever ran before.
import { FlambeauError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { Random } from "../../data/random.js";

/** Classes of images: class c's images are pixels[first[c] … first[c]+count[c]-1], uint8, ink = 255. */
export interface ClassPool {
  size: number;
  pixels: Uint8Array;
  first: readonly number[];
  count: readonly number[];
}

export interface EpisodeShape {
  ways: number;
  shots: number;
  queries: number;
}

export interface Episode {
  /** [N·K, 1, S, S] in [0, 1], class-major (the K shots of class 0 first). */
  support: Tensor;
  supportLabels: Tensor;
  /** [N·Q, 1, S, S]. */
  query: Tensor;
  queryLabels: Tensor;
  ways: number;
}

/** Checks an episode shape against a pool; the errors say what is available. */
export function checkEpisodeShape(op: string, pool: ClassPool, e: EpisodeShape): void {
  for (const k of ["ways", "shots", "queries"] as const)
    if (!Number.isInteger(e[k]) || e[k] < 1) throw new FlambeauError("E_ARG", `${op}: ${k} must be a positive integer, got ${e[k]}`);
  if (e.ways < 2) throw new FlambeauError("E_ARG", `${op}: ways must be at least 2 (1-way has nothing to tell apart), got ${e.ways}`);
  const n = pool.first.length;
  if (e.ways > n) throw new FlambeauError("E_ARG", `${op}: ${e.ways}-way episodes need ${e.ways} classes, only ${n} are available`);
  const enough = pool.count.filter((c) => c >= e.shots + e.queries).length;
  if (enough < e.ways)
    throw new FlambeauError(
      "E_ARG",
      `${op}: ${e.shots} shots + ${e.queries} queries need ${e.shots + e.queries} images per class; only ${enough} of ${n} classes have that many (ways ${e.ways})`,
    );
}

/** Stacks images (pool indices) into a float tensor [n, 1, S, S] in [0, 1]. */
export function imagesTensor(pool: ClassPool, indices: readonly number[]): Tensor {
  const px = pool.size * pool.size;
  const out = new Float32Array(indices.length * px);
  indices.forEach((idx, i) => {
    for (let j = 0; j < px; j++) out[i * px + j] = pool.pixels[idx * px + j]! / 255;
  });
  return tensor(out, { shape: [indices.length, 1, pool.size, pool.size] });
}

/** One episode drawn with `rng`. */
export function sampleEpisode(pool: ClassPool, e: EpisodeShape, rng: Random): Episode {
  const eligible = pool.first.map((_, c) => c).filter((c) => pool.count[c]! >= e.shots + e.queries);
  const classes = rng.shuffle(eligible).slice(0, e.ways);
  const s: number[] = [];
  const q: number[] = [];
  for (const c of classes) {
    const order = rng.permutation(pool.count[c]!);
    for (let i = 0; i < e.shots; i++) s.push(pool.first[c]! + order[i]!);
    for (let i = 0; i < e.queries; i++) q.push(pool.first[c]! + order[e.shots + i]!);
  }
  const labels = (k: number) =>
    tensor(
      classes.flatMap((_, c) => Array<number>(k).fill(c)),
      { dtype: "int64" },
    );
  return {
    support: imagesTensor(pool, s),
    supportLabels: labels(e.shots),
    query: imagesTensor(pool, q),
    queryLabels: labels(e.queries),
    ways: e.ways,
  };
}

/**
 * `count` episodes per pass, seeded by (seed, pass): an iterable the Trainer reads as one
 * epoch, fresh episodes each epoch.
 */
export function episodes(pool: ClassPool, e: EpisodeShape, count: number, seed: number): Iterable<Episode> {
  checkEpisodeShape("episodes", pool, e);
  if (!Number.isInteger(count) || count < 1) throw new FlambeauError("E_ARG", `episodes: count must be a positive integer, got ${count}`);
  let pass = 0;
  return {
    *[Symbol.iterator]() {
      const rng = new Random(seed, pass++);
      for (let i = 0; i < count; i++) yield sampleEpisode(pool, e, rng);
    },
  };
}
