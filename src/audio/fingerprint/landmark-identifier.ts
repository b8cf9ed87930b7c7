// The landmark index as an Identifier: fingerprint the query, vote by offset, answer the
// tallest histogram bin's track with its offset in seconds.
import type { Identification, Identifier } from "./evaluate.js";
import type { LandmarkIndex, LandmarkMatch } from "./landmark-index.js";
import { type LandmarkConfig, landmarks } from "./landmarks.js";

export class LandmarkIdentifier implements Identifier {
  constructor(
    readonly index: LandmarkIndex,
    readonly config: LandmarkConfig,
  ) {}

  /** The `topK` best tracks with their offset-histogram scores. */
  matches(samples: Float32Array, topK = 5): (LandmarkMatch & { offsetSeconds: number })[] {
    if (samples.length <= this.config.nFft / 2) return [];
    const frame = this.config.hopLength / this.config.sampleRate;
    return this.index.match(landmarks(samples, this.config), topK).map((m) => ({ ...m, offsetSeconds: m.offset * frame }));
  }

  identify(samples: Float32Array): Identification | null {
    const [m] = this.matches(samples, 1);
    return m ? { track: m.track, offset: m.offsetSeconds, score: m.score } : null;
  }
}
