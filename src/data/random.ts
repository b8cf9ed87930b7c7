// A small seeded PRNG for shuffling and splitting. It is separate from libtorch's global
// generator on purpose: a data order fixed by (seed, epoch) must not shift when a model
// adds a dropout layer or an augmentation draws one more number.
import { argError } from "../core/errors.js";

// murmur3's finaliser: a cheap, well-mixing 32-bit hash step.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function words(op: string, name: string, v: number): [number, number] {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) argError(op, `${name} must be a safe integer, got ${String(v)}`);
  const lo = v >>> 0;
  const hi = Math.floor(v / 2 ** 32) >>> 0; // negative seeds wrap, which is fine for a hash input
  return [lo, hi];
}

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): uniform numbers in [0, 1) from one 32-bit
 * state. Cheaper to seed than `Random` and kept for the streams that already replay with it
 * (the multi-task sampler's task order, PCGrad's projection order, the molecule fit's batches).
 */
export function mulberry32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast counter generator) seeded from a key of safe
 * integers: `new Random(seed)` or `new Random(seed, epoch)` for an independent stream per epoch.
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number, ...stream: number[]) {
    let h = 0x2545f491;
    const key = [seed, ...stream];
    for (let i = 0; i < key.length; i++) {
      for (const w of words("Random", i === 0 ? "seed" : `stream[${i - 1}]`, key[i]!)) h = fmix32((h ^ w) + 0x9e3779b9 * (i + 1));
    }
    // splitmix-style expansion of the hash into the four state words
    const next = (): number => {
      h = (h + 0x9e3779b9) >>> 0;
      return fmix32(h);
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  nextFloat(): number {
    return ((this.nextUint32() >>> 5) * 2 ** 26 + (this.nextUint32() >>> 6)) / 2 ** 53;
  }

  /** A uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) argError("Random.int", `n must be a positive safe integer, got ${n}`);
    if (n <= 2 ** 32) {
      const limit = 2 ** 32 - (2 ** 32 % n);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return x % n;
      }
    }
    const limit = 2 ** 53 - (2 ** 53 % n);
    for (;;) {
      const x = (this.nextUint32() >>> 11) * 2 ** 32 + this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<A extends { length: number; [i: number]: unknown }>(a: A): A {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A random permutation of 0 … n-1. */
  permutation(n: number): Int32Array {
    if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 31 - 1) argError("Random.permutation", `n must be an integer in [0, 2^31), got ${n}`);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

/** The permutation of 0 … n-1 fixed by `seed` (and optional stream numbers such as an epoch). */
export function permutation(n: number, seed: number, ...stream: number[]): Int32Array {
  return new Random(seed, ...stream).permutation(n);
}

/** `n` items of `xs` in the order of permutation(xs.length, seed, ...stream); all of `xs`, in its order, when `n` is absent or not below its length. */
export function seededSample<T>(xs: readonly T[], n: number | undefined, seed: number, ...stream: number[]): T[] {
  if (n === undefined || n >= xs.length) return xs.slice();
  return Array.from(permutation(xs.length, seed, ...stream).subarray(0, n), (i) => xs[i]!);
}

/** `xs` in the order of permutation(xs.length, seed), its first tenth (at least one item) held out for validation. */
export function holdOutTenth<T>(xs: readonly T[], seed: number): { train: T[]; val: T[] } {
  const perm = permutation(xs.length, seed);
  const nVal = Math.max(1, Math.round(xs.length * 0.1));
  return { train: Array.from(perm.subarray(nVal), (i) => xs[i]!), val: Array.from(perm.subarray(0, nVal), (i) => xs[i]!) };
}

// Helpers over any uniform source (a mulberry32 stream): the federated partitions and DP noise.

/** Standard normal numbers (Box–Muller) from a uniform source. */
export function gaussian(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Gamma(shape, 1) samples (Marsaglia & Tsang 2000; shape < 1 by the U^(1/shape) boost). */
export function gammaSample(shape: number, uniform: () => number, normal: () => number): number {
  if (shape < 1) return gammaSample(shape + 1, uniform, normal) * (1 - uniform()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - uniform();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<T>(a: T[], uniform: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
