// The learned fingerprint's index and Chang et al.'s search: every segment of every track is
// one unit vector; a query's segments each look up their nearest index segments by exact inner
// product (one matrix product: ten thousand segments × 64 numbers is small), every hit proposes
// a (track, start) alignment of the whole query, and the alignment whose consecutive segments
// agree best in sum wins — one lucky segment cannot outvote a sequence.
import { FlambeauError } from "../../core/errors.js";
import { noGrad, type Tensor, tensor, tidy, topk } from "../../core/index.js";

export interface SequenceMatch {
  track: number;
  /** Index segment the query's first segment lines up with (may be negative near a track's start). */
  start: number;
  /** Mean similarity of the aligned query segments (those past the track's ends count 0). */
  score: number;
}

export class SegmentIndex {
  /** [segments, dim], unit rows, kept alive for the index's lifetime. */
  readonly embeddings: Tensor;
  /** First index row of each track, and one past the last row. */
  readonly trackStarts: Int32Array;
  readonly dim: number;

  /** rows: [segments, dim] embeddings, track by track; segmentsPerTrack: how many rows each track holds. */
  constructor(rows: Float32Array, dim: number, segmentsPerTrack: readonly number[]) {
    const op = "SegmentIndex";
    if (!(Number.isInteger(dim) && dim > 0)) throw new FlambeauError("E_ARG", `${op}: dim must be a positive integer, got ${dim}`, op);
    const total = segmentsPerTrack.reduce((s, n) => s + n, 0);
    if (segmentsPerTrack.some((n) => !(Number.isInteger(n) && n >= 0)) || rows.length !== total * dim)
      throw new FlambeauError(
        "E_FORMAT",
        `${op}: ${rows.length} values are not ${total} segments × ${dim} (segments per track must be whole numbers ≥ 0)`,
        op,
      );
    this.dim = dim;
    this.trackStarts = new Int32Array(segmentsPerTrack.length + 1);
    segmentsPerTrack.forEach((n, i) => {
      this.trackStarts[i + 1] = this.trackStarts[i]! + n;
    });
    this.embeddings = tensor(rows, { shape: [total, dim] }).keep();
  }

  get size(): number {
    return this.trackStarts[this.trackStarts.length - 1]!;
  }

  get trackCount(): number {
    return this.trackStarts.length - 1;
  }

  get bytes(): number {
    return this.size * this.dim * 4;
  }

  /** The track an index row belongs to (binary search over track starts). */
  trackOf(row: number): number {
    let lo = 0;
    let hi = this.trackCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.trackStarts[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Segment-level search, then sequence voting. query: [m, dim] unit embeddings of consecutive
   * segments (the index's hop apart); `candidates` nearest rows per query segment propose
   * alignments; the `topK` best tracks come back, one alignment each, best first.
   */
  match(query: Tensor, o: { candidates?: number; topK?: number } = {}): SequenceMatch[] {
    const op = "SegmentIndex.match";
    if (query.ndim !== 2 || query.shape[1] !== this.dim)
      throw new FlambeauError("E_SHAPE", `${op}: expected [m, ${this.dim}] query embeddings, got [${query.shape.join(", ")}]`, op);
    const m = query.shape[0]!;
    const n = this.size;
    if (m === 0 || n === 0) return [];
    const k = Math.min(o.candidates ?? 10, n);
    const { sims, hits } = noGrad(() =>
      tidy(() => {
        const s = query.matmul(this.embeddings.t());
        return { sims: (s.data() as Float32Array).slice(), hits: (topk(s, k, 1).indices.data() as BigInt64Array).slice() };
      }),
    );
    const best = new Map<number, SequenceMatch>();
    const tried = new Set<number>();
    for (let i = 0; i < m; i++)
      for (let j = 0; j < k; j++) {
        const row = Number(hits[i * k + j]!);
        const track = this.trackOf(row);
        const first = this.trackStarts[track]!;
        const start = row - first - i;
        // start ≥ −m, so the key is unique per (track, start).
        const key = track * 2 ** 24 + start + m;
        if (tried.has(key)) continue;
        tried.add(key);
        const len = this.trackStarts[track + 1]! - first;
        let sum = 0;
        for (let q = 0; q < m; q++) if (start + q >= 0 && start + q < len) sum += sims[q * n + first + start + q]!;
        const score = sum / m;
        const b = best.get(track);
        if (!b || score > b.score) best.set(track, { track, start, score });
      }
    return [...best.values()].sort((a, b) => b.score - a.score || a.track - b.track).slice(0, o.topK ?? 5);
  }

  dispose(): void {
    this.embeddings.dispose();
  }
}
