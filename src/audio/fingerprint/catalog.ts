// Indexing a music collection with landmark fingerprints: each track is decoded once by
// ffmpeg at the fingerprint rate, its landmarks go into the inverted index, and a few query
// excerpts are cut from it on the way (seeded per track), so evaluation never holds the
// whole collection's audio in memory.
import { Random } from "../../data/random.js";
import { decodeAudio } from "../decode.js";
import type { MusicTrack } from "../music/sets.js";
import { type LandmarkIndex, LandmarkIndexBuilder } from "./landmark-index.js";
import { type LandmarkConfig, landmarks } from "./landmarks.js";

export interface CatalogEntry {
  id: string;
  title: string;
  source: string;
  seconds: number;
}

export interface QueryPlan {
  /** Excerpts per track. */
  perTrack: number;
  /** Query length in seconds. */
  seconds: number;
  /** Extra audio kept after each excerpt (a slowed-down query reads further). */
  slack: number;
  seed: number;
}

export interface QueryExcerpt {
  track: number;
  /** Where the excerpt starts in the track, in seconds. */
  start: number;
  samples: Float32Array;
}

/** Seeded excerpt starts of one track (none when it is shorter than a query). */
export function excerptsOf(track: number, samples: Float32Array, sampleRate: number, plan: QueryPlan): QueryExcerpt[] {
  const need = Math.ceil((plan.seconds + plan.slack) * sampleRate);
  if (samples.length < need) return [];
  const rng = new Random(plan.seed, 33, track);
  return Array.from({ length: plan.perTrack }, () => {
    const s = rng.int(samples.length - need + 1);
    return { track, start: s / sampleRate, samples: samples.slice(s, s + need) };
  });
}

export interface BuiltCatalog {
  index: LandmarkIndex;
  entries: CatalogEntry[];
  excerpts: QueryExcerpt[];
  /** Seconds spent decoding and fingerprinting. */
  decodeSeconds: number;
  fingerprintSeconds: number;
}

/** Decodes and fingerprints every track; `plan` (optional) cuts query excerpts on the way. */
export async function buildLandmarkCatalog(
  tracks: readonly MusicTrack[],
  c: LandmarkConfig,
  o: { plan?: QueryPlan; log?: (line: string) => void } = {},
): Promise<BuiltCatalog> {
  const builder = new LandmarkIndexBuilder();
  const entries: CatalogEntry[] = [];
  const excerpts: QueryExcerpt[] = [];
  let decodeMs = 0;
  let fpMs = 0;
  for (const [i, t] of tracks.entries()) {
    const t0 = performance.now();
    const pcm = await decodeAudio(t.audio, { sampleRate: c.sampleRate });
    const t1 = performance.now();
    builder.add(landmarks(pcm, c));
    fpMs += performance.now() - t1;
    decodeMs += t1 - t0;
    entries.push({ id: t.id, title: t.title, source: t.source, seconds: pcm.length / c.sampleRate });
    if (o.plan) excerpts.push(...excerptsOf(i, pcm, c.sampleRate, o.plan));
    if ((i + 1) % 10 === 0 || i + 1 === tracks.length) o.log?.(`indexed ${i + 1}/${tracks.length} tracks`);
  }
  return { index: builder.build(), entries, excerpts, decodeSeconds: decodeMs / 1000, fingerprintSeconds: fpMs / 1000 };
}
