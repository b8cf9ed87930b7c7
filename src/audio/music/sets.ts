// The music that Debian packages install, as tracks to index or learn from: singularity-music's
// recorded .ogg soundtrack, and the MIDI sets of openttd-openmsx and planetblupi-music-midi
// rendered by FluidSynth once into the shared cache. A folder of the user's own audio files
// (ogg/mp3/wav/flac/opus/m4a, MIDI rendered the same way) is a set too.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { basename, extname, join, relative, resolve } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { cacheRoot } from "../../data/cache.js";
import { Random } from "../../data/random.js";
import { AUDIO_FILE_EXTENSIONS } from "../decode-file.js";
import { runPool } from "../speech/cache.js";
import { renderMidiFile } from "./render.js";

export interface MusicSetInfo {
  dir: string;
  /** The Debian package that installs it. */
  pkg: string;
  kind: "recording" | "midi";
}

export const MUSIC_SETS = {
  singularity: { dir: "/usr/share/games/singularity/music", pkg: "singularity-music", kind: "recording" },
  openmsx: { dir: "/usr/share/games/openttd/baseset/openmsx", pkg: "openttd-openmsx", kind: "midi" },
  planetblupi: { dir: "/usr/share/planetblupi/music", pkg: "planetblupi-music-midi", kind: "midi" },
} as const satisfies Record<string, MusicSetInfo>;

export type MusicSetName = keyof typeof MUSIC_SETS;
export const MUSIC_SET_NAMES = Object.keys(MUSIC_SETS) as MusicSetName[];

export interface MusicTrack {
  /** "set/title": unique across sets. */
  id: string;
  set: string;
  title: string;
  /** The packaged or user file. */
  source: string;
  /** A file ffmpeg decodes: the source itself, or its cached rendering for MIDI. */
  audio: string;
}

export interface MusicTracksOptions {
  cacheDir?: string;
  /** MIDI renderings stop after this many seconds (default 240). */
  maxSeconds?: number;
  log?: (line: string) => void;
}

const AUDIO_EXT = new Set<string>(AUDIO_FILE_EXTENSIONS);
const MIDI_EXT = new Set([".mid", ".midi"]);
const RENDER_RATE = 16000;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (AUDIO_EXT.has(extname(f).toLowerCase()) || MIDI_EXT.has(extname(f).toLowerCase())) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Tracks of one folder; MIDI files are rendered into the cache (one WAV each, resumable). */
async function folderTracks(set: string, dir: string, cacheKey: string, o: MusicTracksOptions): Promise<MusicTrack[]> {
  const files = filesUnder(dir);
  const cache = join(o.cacheDir ?? cacheRoot(), `music-midi-${RENDER_RATE}-${o.maxSeconds ?? 240}s`, cacheKey);
  const midis = files.filter((f) => MIDI_EXT.has(extname(f).toLowerCase()));
  const rendered = (f: string) => join(cache, `${relative(dir, f).replaceAll("/", "__")}.wav`);
  const todo = midis.filter((f) => !existsSync(rendered(f)));
  if (todo.length) {
    mkdirSync(cache, { recursive: true });
    o.log?.(`music: rendering ${todo.length} MIDI files of ${set} with FluidSynth into ${cache}`);
    await runPool(todo, (f) => renderMidiFile(f, rendered(f), { sampleRate: RENDER_RATE, maxSeconds: o.maxSeconds }), 2);
  }
  return files.map((f) => {
    const title = relative(dir, f).slice(0, -extname(f).length);
    return { id: `${set}/${title}`, set, title, source: f, audio: MIDI_EXT.has(extname(f).toLowerCase()) ? rendered(f) : f };
  });
}

/** A built-in set by name; an unknown name or a missing package is an error naming it. */
function builtinSet(s: string, op: string): MusicSetInfo {
  const info = (MUSIC_SETS as Record<string, MusicSetInfo>)[s];
  if (!info) throw new FlambeauError("E_ARG", `${op}: unknown music set "${s}"; sets: ${MUSIC_SET_NAMES.join(", ")}`, op);
  if (!existsSync(info.dir)) throw new FlambeauError("E_IO", `${op}: ${info.dir} is missing (install the Debian package ${info.pkg})`, op);
  return info;
}

/** The tracks of the named built-in sets (a missing package is an error naming it). */
export async function musicTracks(sets: readonly string[], o: MusicTracksOptions = {}): Promise<MusicTrack[]> {
  const out: MusicTrack[] = [];
  for (const s of sets) out.push(...(await folderTracks(s, builtinSet(s, "musicTracks").dir, s, o)));
  return out;
}

/** The MIDI files of a built-in set as tracks whose audio is the MIDI itself: nothing rendered (for callers that render their own way). */
export function midiPieces(set: string): MusicTrack[] {
  const dir = builtinSet(set, "midiPieces").dir;
  return filesUnder(dir)
    .filter((f) => MIDI_EXT.has(extname(f).toLowerCase()))
    .map((f) => {
      const title = relative(dir, f).slice(0, -extname(f).length);
      return { id: `${set}/${title}`, set, title, source: f, audio: f };
    });
}

/** The audio and MIDI files under a user folder, as tracks of the set named by the folder. */
export async function folderMusicTracks(dir: string, o: MusicTracksOptions = {}): Promise<MusicTrack[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new FlambeauError("E_IO", `folderMusicTracks: ${dir} is not a directory of audio files`, "folderMusicTracks");
  // Two user folders may share a name: their renderings are kept apart by the folder's full path.
  const key = `folder-${createHash("sha1").update(resolve(dir)).digest("hex").slice(0, 12)}`;
  const tracks = await folderTracks(basename(resolve(dir)) || "folder", dir, key, o);
  if (tracks.length === 0)
    throw new FlambeauError(
      "E_FORMAT",
      `folderMusicTracks: no audio files under ${dir} (expected ${[...AUDIO_EXT, ...MIDI_EXT].join(", ")})`,
      "folderMusicTracks",
    );
  return tracks;
}

export interface MusicData {
  tracks: MusicTrack[];
  description: string;
}

/**
 * What `--data` names for music: "music" (every built-in set), set names joined by commas
 * ("singularity,openmsx"), or a folder of audio files; options as a query string:
 * `music?limit=20&maxSeconds=120` (limit: that many tracks spread over the sets, fixed by `seed`).
 */
export async function resolveMusicData(spec: string, o: MusicTracksOptions & { seed?: number } = {}): Promise<MusicData> {
  const q = spec.indexOf("?");
  const name = q < 0 ? spec : spec.slice(0, q);
  const params = new URLSearchParams(q < 0 ? "" : spec.slice(q + 1));
  const num = (k: string): number | undefined => {
    const v = params.get(k);
    if (v === null) return undefined;
    const n = Number(v);
    if (!(Number.isInteger(n) && n > 0))
      throw new FlambeauError("E_ARG", `resolveMusicData: option ${k}=${JSON.stringify(v)} must be a positive integer`, "resolveMusicData");
    return n;
  };
  const maxSeconds = num("maxSeconds") ?? o.maxSeconds;
  const limit = num("limit");
  const opts = { ...o, ...(maxSeconds !== undefined ? { maxSeconds } : {}) };
  const names = name === "music" ? MUSIC_SET_NAMES : name.split(",");
  const builtin = names.every((n) => n in MUSIC_SETS);
  let tracks = builtin ? await musicTracks(names, opts) : await folderMusicTracks(name, opts);
  if (limit !== undefined && limit < tracks.length) {
    // A seeded draw rather than the first N, so a small budget still covers every set.
    const keep = new Set(new Random(o.seed ?? 0, 77).permutation(tracks.length).subarray(0, limit));
    tracks = tracks.filter((_, i) => keep.has(i));
  }
  const sets = [...new Set(tracks.map((t) => t.set))];
  return {
    tracks,
    description: `${tracks.length} tracks from ${builtin ? `the Debian music sets ${sets.join(", ")}` : name}`,
  };
}
