// The learned fingerprint as an Identifier: a query's consecutive segments are embedded by the
// encoder and matched against the segment index by sequence voting (segment-index.ts); the
// answer's offset is its alignment's first index segment, in seconds.
import { cat, noGrad, type Tensor, tidy } from "../../core/index.js";
import type { Identification, Identifier } from "./evaluate.js";
import type { FingerprintEncoder } from "./neural-encoder.js";
import { recordingSegments, type SegmentConfig, segmentCount, segmentHopSeconds } from "./neural-frontend.js";
import { SegmentIndex, type SequenceMatch } from "./segment-index.js";

/** Embeddings [N, dim] of network inputs [N, 1, nMels, frames], in eval mode, `batch` at a time. */
export function embedSegments(encoder: FingerprintEncoder, segments: Tensor, batch = 512): Tensor {
  encoder.eval();
  return noGrad(() =>
    tidy(() => {
      const n = segments.shape[0]!;
      const parts: Tensor[] = [];
      for (let i = 0; i < n; i += batch) parts.push(encoder.forward(segments.narrow(0, i, Math.min(batch, n - i))));
      return cat(parts, 0);
    }),
  );
}

/** Every segment of every track, embedded: the index a query is matched against. */
export function buildSegmentIndex(
  encoder: FingerprintEncoder,
  tracks: readonly Float32Array[],
  c: SegmentConfig,
  log?: (line: string) => void,
): SegmentIndex {
  const rows: Float32Array[] = [];
  const counts = tracks.map((t) => segmentCount(t.length, c));
  tracks.forEach((t, i) => {
    if (counts[i] === 0) {
      rows.push(new Float32Array(0));
      return;
    }
    rows.push(
      noGrad(() =>
        tidy(() => {
          const z = embedSegments(encoder, recordingSegments(t, c));
          return (z.data() as Float32Array).slice();
        }),
      ),
    );
    if ((i + 1) % 10 === 0 || i + 1 === tracks.length) log?.(`embedded ${i + 1}/${tracks.length} tracks`);
  });
  const all = new Float32Array(rows.reduce((s, r) => s + r.length, 0));
  let o = 0;
  for (const r of rows) {
    all.set(r, o);
    o += r.length;
  }
  return new SegmentIndex(all, encoder.options.dim, counts);
}

export class NeuralIdentifier implements Identifier {
  constructor(
    readonly encoder: FingerprintEncoder,
    readonly config: SegmentConfig,
    readonly index: SegmentIndex,
  ) {}

  /** The `topK` best tracks, their alignment and its offset in seconds. */
  matches(samples: Float32Array, topK = 5): (SequenceMatch & { offsetSeconds: number })[] {
    if (segmentCount(samples.length, this.config) === 0) return [];
    const hop = segmentHopSeconds(this.config);
    return noGrad(() =>
      tidy(() => this.index.match(embedSegments(this.encoder, recordingSegments(samples, this.config)), { topK, candidates: 10 })),
    ).map((m) => ({ ...m, offsetSeconds: m.start * hop }));
  }

  identify(samples: Float32Array): Identification | null {
    const [m] = this.matches(samples, 1);
    return m ? { track: m.track, offset: m.offsetSeconds, score: m.score } : null;
  }

  dispose(): void {
    this.index.dispose();
  }
}
