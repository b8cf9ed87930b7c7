// Music classification from the music Debian packages install, split by piece so that no piece
// is heard in both training and test. `music-styles`: which collection a 3-second excerpt comes
// from — singularity-music's recorded soundtrack, or the MIDI sets of openttd-openmsx and
// planetblupi-music-midi (both rendered by FluidSynth with one soundfont, so telling those two
// apart is telling composers and styles apart, not recordings). `music-instruments`: who plays
// — every MIDI piece (drums removed) rendered by each of six General MIDI instruments, the
// instrument the label, so a model must hear timbre through music it has never heard.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { cacheRoot } from "../../data/cache.js";
import { Random } from "../../data/random.js";
import { decodeAudio } from "../decode.js";
import { midiNotes, notesToMidi, readMidi, writeMidi } from "../music/midi.js";
import { renderMidiFile } from "../music/render.js";
import { MUSIC_SET_NAMES, type MusicTrack, midiPieces, musicTracks } from "../music/sets.js";
import { runPool } from "../speech/cache.js";
import { readMono } from "./audio-folder.js";
import type { ClipSet } from "./clip-set.js";
import type { SpeechSplits } from "./speech-sets.js";

const RATE = 16000;
/** The instruments of `music-instruments`: General MIDI program numbers (0-based). */
export const MUSIC_INSTRUMENTS = { piano: 0, organ: 19, guitar: 24, strings: 48, trumpet: 56, flute: 73 } as const;

export interface MusicSetOptions {
  cacheDir?: string;
  seed?: number;
  log?: (line: string) => void;
  /** Excerpt length in seconds (default 3). */
  window?: number;
  /** Excerpts per piece, spread evenly over it (default 12). */
  perPiece?: number;
  /** Seconds of each piece used (default 60). */
  maxSeconds?: number;
  /** At most this many pieces per collection, the first by name (default all; tests and demos). */
  pieces?: number;
}

type Split = "train" | "val" | "test";

/** Evenly spaced windows of `n` samples (fewer when the piece is short; none when shorter than one). */
function windowsOf(samples: Float32Array, n: number, count: number): Float32Array[] {
  if (samples.length < n) return [];
  const k = Math.min(count, Math.floor(samples.length / n));
  const span = samples.length - n;
  return Array.from({ length: k }, (_, i) => samples.slice(Math.round((span * (i + 0.5)) / k), Math.round((span * (i + 0.5)) / k) + n));
}

/** Pieces to splits: per group (class or collection), a fifth to test and a tenth to validation, at least one each. */
function splitPieces<T>(groups: readonly T[][], rng: Random): Map<T, Split> {
  const out = new Map<T, Split>();
  for (const g of groups) {
    const order = rng.shuffle([...g]);
    const nTest = Math.max(1, Math.round(order.length * 0.2));
    const nVal = Math.max(1, Math.round(order.length * 0.1));
    order.forEach((p, i) => out.set(p, i < nTest ? "test" : i < nTest + nVal ? "val" : "train"));
  }
  return out;
}

const emptySplits = (classes: string[]): Record<Split, ClipSet> => ({
  train: { clips: [], labels: [], classes, sampleRate: RATE, sources: [] },
  val: { clips: [], labels: [], classes, sampleRate: RATE, sources: [] },
  test: { clips: [], labels: [], classes, sampleRate: RATE, sources: [] },
});

function resolved(o: MusicSetOptions) {
  const window = o.window ?? 3;
  const perPiece = o.perPiece ?? 12;
  const maxSeconds = o.maxSeconds ?? 60;
  if (!(window >= 0.5 && window <= 30))
    throw new FlambeauError("E_ARG", `music sets: window must be in [0.5, 30] s, got ${window}`, "music");
  if (!Number.isInteger(perPiece) || perPiece < 1)
    throw new FlambeauError("E_ARG", `music sets: perPiece must be a positive integer, got ${perPiece}`, "music");
  if (!(maxSeconds >= window)) throw new FlambeauError("E_ARG", `music sets: maxSeconds must be ≥ window, got ${maxSeconds}`, "music");
  if (o.pieces !== undefined && !(Number.isInteger(o.pieces) && o.pieces >= 3))
    throw new FlambeauError(
      "E_ARG",
      `music sets: pieces must be an integer ≥ 3 (one each for training, validation and test), got ${o.pieces}`,
      "music",
    );
  return { window, perPiece, maxSeconds, n: Math.round(window * RATE) };
}

/** `music-styles`: 3-s excerpts labelled by their collection (singularity, openmsx, planetblupi), split by track. */
export async function musicStyleSet(o: MusicSetOptions = {}): Promise<SpeechSplits> {
  const t0 = performance.now();
  const r = resolved(o);
  const all = await musicTracks(MUSIC_SET_NAMES, { ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}), log: o.log });
  const tracks = MUSIC_SET_NAMES.flatMap((c) => all.filter((t) => t.set === c).slice(0, o.pieces ?? Number.POSITIVE_INFINITY));
  const classes: string[] = [...MUSIC_SET_NAMES];
  const split = splitPieces(
    classes.map((c) => tracks.filter((t) => t.set === c)),
    new Random(o.seed ?? 0, 606),
  );
  const parts = emptySplits(classes);
  for (const t of tracks) {
    const samples = await decodeAudio(t.audio, { sampleRate: RATE, duration: r.maxSeconds });
    const p = parts[split.get(t)!];
    for (const w of windowsOf(samples, r.n, r.perPiece)) {
      p.clips.push(w);
      p.labels.push(classes.indexOf(t.set));
      p.sources.push(t.id);
    }
  }
  return {
    ...parts,
    generation: { synthesized: 0, seconds: (performance.now() - t0) / 1000, clipsPerSecond: 0 },
    description: `music-styles: ${tracks.length} tracks of ${classes.join(", ")} (${new Set(tracks.map((t) => t.set)).size} collections), ${r.window}-s excerpts, ${r.perPiece} per track from its first ${r.maxSeconds} s, split by track (train/val/test ${["train", "val", "test"].map((s) => tracks.filter((t) => split.get(t) === s).length).join("/")} tracks)`,
  };
}

const renderingOf = (t: MusicTrack, program: number, cache: string) => join(cache, `${t.id.replaceAll("/", "__")}-p${program}`);

/** The MIDI piece without its drums, played by one General MIDI program, rendered once into the cache (false: no notes). */
async function renderAs(t: MusicTrack, program: number, cache: string, maxSeconds: number): Promise<boolean> {
  const notes = midiNotes(readMidi(t.source))
    .filter((n) => n.channel !== 9 && n.start < maxSeconds)
    .map((n) => ({ ...n, channel: 0, program }));
  if (notes.length === 0) return false;
  const base = renderingOf(t, program, cache);
  if (!existsSync(`${base}.wav`)) {
    writeMidi(`${base}.mid`, notesToMidi(notes, { program }));
    await renderMidiFile(`${base}.mid`, `${base}.wav`, { sampleRate: RATE, maxSeconds });
  }
  return true;
}

/** `music-instruments`: every MIDI piece played by each of six instruments, the instrument the label, split by piece. */
export async function musicInstrumentSet(o: MusicSetOptions = {}): Promise<SpeechSplits> {
  const t0 = performance.now();
  const r = resolved(o);
  // The MIDI files themselves: no full-length rendering is needed, only each instrument's.
  const pieces = (["openmsx", "planetblupi"] as const).flatMap((set) => midiPieces(set).slice(0, o.pieces ?? Number.POSITIVE_INFINITY));
  const classes = Object.keys(MUSIC_INSTRUMENTS);
  const split = splitPieces([pieces], new Random(o.seed ?? 0, 607));
  const cache = join(o.cacheDir ?? cacheRoot(), `music-instruments-${RATE}-${r.maxSeconds}s`);
  mkdirSync(cache, { recursive: true });
  o.log?.(`music-instruments: ${pieces.length} MIDI pieces × ${classes.length} instruments (rendered once into ${cache})`);
  const program = (c: string) => MUSIC_INSTRUMENTS[c as keyof typeof MUSIC_INSTRUMENTS];
  const jobs = pieces.flatMap((t) => classes.map((c) => ({ t, c, ok: false })));
  await runPool(
    jobs,
    async (j) => {
      j.ok = await renderAs(j.t, program(j.c), cache, r.maxSeconds);
    },
    2,
  );
  const parts = emptySplits(classes);
  for (const { t, c, ok } of jobs)
    if (ok) {
      const ci = classes.indexOf(c);
      const p = parts[split.get(t)!];
      for (const w of windowsOf(readMono(`${renderingOf(t, program(c), cache)}.wav`, RATE), r.n, r.perPiece)) {
        p.clips.push(w);
        p.labels.push(ci);
        p.sources.push(`${t.id} (${c})`);
      }
    }
  return {
    ...parts,
    generation: { synthesized: 0, seconds: (performance.now() - t0) / 1000, clipsPerSecond: 0 },
    description: `music-instruments: ${pieces.length} MIDI pieces of openttd-openmsx and planetblupi-music-midi, drums removed, each played by ${classes.join(", ")} (FluidSynth, TimGM6mb); ${r.window}-s excerpts, ${r.perPiece} per rendering from its first ${r.maxSeconds} s, split by piece (train/val/test ${["train", "val", "test"].map((s) => pieces.filter((t) => split.get(t) === s).length).join("/")} pieces)`,
  };
}
