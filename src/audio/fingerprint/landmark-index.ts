// The inverted index of landmark hashes and Wang's matching: every query hash looks up the
// (track, frame) postings of that hash, each posting votes for the offset frame − query
// frame of its track, and the track whose offset histogram has the tallest bin wins — a
// true match lines its landmarks up at one offset, chance collisions scatter. Postings pack
// into one uint32 (track · 2^18 + frame: 16k tracks of up to 2.3 h at 32 ms hops), sorted by
// hash, so the index is two flat arrays that save and load as they are.
import { FlambeauError } from "../../core/errors.js";
import type { Landmarks } from "./landmarks.js";

const FRAME_BITS = 18;
const MAX_FRAMES = 1 << FRAME_BITS;
const MAX_TRACKS = 2 ** (32 - FRAME_BITS);

export interface LandmarkMatch {
  track: number;
  /** Votes in the tallest offset bin (its neighbours ±1 frame included). */
  score: number;
  /** Where the query starts in the track, in frames. */
  offset: number;
  /** The runner-up track's score (0 if none): a margin for confidence. */
  secondScore: number;
}

/** Collects (hash, track, frame) triples, then freezes them into a sorted index. */
export class LandmarkIndexBuilder {
  private hashes: Uint32Array[] = [];
  private postings: Uint32Array[] = [];
  private tracks = 0;

  /** Adds one track's landmarks and returns its number. */
  add(l: Landmarks): number {
    const track = this.tracks++;
    if (track >= MAX_TRACKS) throw new FlambeauError("E_ARG", `LandmarkIndex: at most ${MAX_TRACKS} tracks`, "LandmarkIndex");
    const p = new Uint32Array(l.times.length);
    for (let i = 0; i < p.length; i++) {
      const t = l.times[i]!;
      if (t >= MAX_FRAMES)
        throw new FlambeauError("E_ARG", `LandmarkIndex: track ${track} is longer than ${MAX_FRAMES} frames (frame ${t})`, "LandmarkIndex");
      p[i] = track * MAX_FRAMES + t;
    }
    this.hashes.push(l.hashes);
    this.postings.push(p);
    return track;
  }

  build(): LandmarkIndex {
    const n = this.hashes.reduce((s, h) => s + h.length, 0);
    const h = new Uint32Array(n);
    const p = new Uint32Array(n);
    let o = 0;
    for (let k = 0; k < this.hashes.length; k++) {
      h.set(this.hashes[k]!, o);
      p.set(this.postings[k]!, o);
      o += this.hashes[k]!.length;
    }
    // Sort (hash, posting) pairs through one 64-bit key (hash · 2^32 + posting): past 2^53 a float key would drop posting bits.
    const keys = new BigUint64Array(n);
    for (let i = 0; i < n; i++) keys[i] = (BigInt(h[i]!) << 32n) | BigInt(p[i]!);
    keys.sort();
    for (let i = 0; i < n; i++) {
      h[i] = Number(keys[i]! >> 32n);
      p[i] = Number(keys[i]! & 0xffffffffn);
    }
    return new LandmarkIndex(h, p, this.tracks);
  }
}

export class LandmarkIndex {
  /** Sorted hashes, one per posting. */
  readonly hashes: Uint32Array;
  /** track · 2^18 + frame, aligned with `hashes`. */
  readonly postings: Uint32Array;
  readonly trackCount: number;

  constructor(hashes: Uint32Array, postings: Uint32Array, trackCount: number) {
    if (hashes.length !== postings.length)
      throw new FlambeauError("E_FORMAT", `LandmarkIndex: ${hashes.length} hashes but ${postings.length} postings`, "LandmarkIndex");
    // A saved index is read back through here: check what matching relies on.
    for (let i = 1; i < hashes.length; i++)
      if (hashes[i]! < hashes[i - 1]!) throw new FlambeauError("E_FORMAT", `LandmarkIndex: hashes are not sorted at ${i}`, "LandmarkIndex");
    for (let i = 0; i < postings.length; i++)
      if (Math.floor(postings[i]! / MAX_FRAMES) >= trackCount)
        throw new FlambeauError("E_FORMAT", `LandmarkIndex: posting ${i} names a track ≥ ${trackCount}`, "LandmarkIndex");
    this.hashes = hashes;
    this.postings = postings;
    this.trackCount = trackCount;
  }

  get size(): number {
    return this.hashes.length;
  }

  /** Bytes the index takes in memory and on disk. */
  get bytes(): number {
    return this.hashes.byteLength + this.postings.byteLength;
  }

  /** The first position whose hash is ≥ h. */
  private lowerBound(h: number): number {
    let lo = 0;
    let hi = this.hashes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.hashes[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The postings of one hash as [track, frame] pairs. */
  lookup(h: number): [track: number, frame: number][] {
    const out: [number, number][] = [];
    for (let i = this.lowerBound(h); i < this.hashes.length && this.hashes[i] === h; i++)
      out.push([Math.floor(this.postings[i]! / MAX_FRAMES), this.postings[i]! % MAX_FRAMES]);
    return out;
  }

  /**
   * The best tracks for a query's landmarks by the offset histogram: per track, votes per
   * offset frame; a bin's score adds its ±1-frame neighbours (frame jitter of the peaks).
   */
  match(q: Landmarks, topK = 5): LandmarkMatch[] {
    // Key: track · 2^20 + (offset + 2^19): offsets may be negative when the query is longer than the track's start.
    const votes = new Map<number, number>();
    const BIAS = 1 << 19;
    for (let k = 0; k < q.hashes.length; k++) {
      const h = q.hashes[k]!;
      const tq = q.times[k]!;
      for (let i = this.lowerBound(h); i < this.hashes.length && this.hashes[i] === h; i++) {
        const p = this.postings[i]!;
        const track = Math.floor(p / MAX_FRAMES);
        const off = (p % MAX_FRAMES) - tq + BIAS;
        const key = track * 2 ** 20 + off;
        votes.set(key, (votes.get(key) ?? 0) + 1);
      }
    }
    const best = new Map<number, { score: number; offset: number }>();
    for (const [key, v] of votes) {
      const score = v + (votes.get(key - 1) ?? 0) + (votes.get(key + 1) ?? 0);
      const track = Math.floor(key / 2 ** 20);
      const b = best.get(track);
      if (!b || score > b.score || (score === b.score && v > (votes.get(b.offset) ?? 0))) best.set(track, { score, offset: key });
    }
    const ranked = [...best.entries()].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]);
    return ranked.slice(0, topK).map(([track, b], i) => ({
      track,
      score: b.score,
      offset: (b.offset % 2 ** 20) - BIAS,
      secondScore: ranked[i + 1]?.[1].score ?? 0,
    }));
  }
}
