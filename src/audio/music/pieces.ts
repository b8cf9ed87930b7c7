// The pieces music-generation learns from: every MIDI file of the Debian MIDI sets (openttd-openmsx,
// planetblupi-music-midi) or of the user's folders, one style per set or folder, read by the
// strict reader; split by piece (never by window) into train / validation / test per style.
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { Random } from "../../data/random.js";
import { midiNotes, type Note, readMidi } from "./midi.js";
import { MUSIC_SETS, type MusicSetInfo } from "./sets.js";

export interface MusicPiece {
  /** "style/file". */
  id: string;
  style: number;
  source: string;
  notes: Note[];
}

export interface MusicCorpus {
  styles: string[];
  train: MusicPiece[];
  val: MusicPiece[];
  test: MusicPiece[];
  description: string;
}

/** The default data: the two MIDI sets that Debian packages. */
export const MUSIC_GENERATION_DATA = "openmsx,planetblupi";

const OP = "musicCorpus";

function midiFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if ([".mid", ".midi"].includes(extname(f).toLowerCase())) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** One style's folder: a built-in MIDI set's name or a folder path. */
function styleFolder(name: string): { style: string; dir: string } {
  const info = (MUSIC_SETS as Record<string, MusicSetInfo>)[name];
  if (info) {
    if (info.kind !== "midi")
      throw new FlambeauError("E_ARG", `${OP}: the music set "${name}" is recordings, not MIDI; MIDI sets: openmsx, planetblupi`, OP);
    if (!existsSync(info.dir))
      throw new FlambeauError("E_IO", `${OP}: ${info.dir} is missing (install the Debian package ${info.pkg})`, OP);
    return { style: name, dir: info.dir };
  }
  if (!existsSync(name) || !statSync(name).isDirectory())
    throw new FlambeauError("E_ARG", `${OP}: "${name}" is neither a MIDI set (openmsx, planetblupi) nor a folder of MIDI files`, OP);
  return { style: basename(resolve(name)), dir: name };
}

/**
 * Reads `spec` (styles joined by commas: set names or folders of .mid files) and splits each
 * style's pieces with `seed`: `testFraction` and `valFraction` of them (at least one each when a
 * style has 3 or more pieces) are held out.
 */
export function musicCorpus(spec: string, o: { seed?: number; testFraction?: number; valFraction?: number } = {}): MusicCorpus {
  const names = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length < 1) throw new FlambeauError("E_ARG", `${OP}: no styles in "${spec}"`, OP);
  const folders = names.map(styleFolder);
  const styles = folders.map((f) => f.style);
  const corpus: MusicCorpus = { styles, train: [], val: [], test: [], description: "" };
  folders.forEach((f, style) => {
    const files = midiFiles(f.dir);
    if (files.length === 0) throw new FlambeauError("E_FORMAT", `${OP}: no .mid files under ${f.dir}`, OP);
    const pieces = files
      .map((p) => ({ id: `${f.style}/${basename(p, extname(p))}`, style, source: p, notes: midiNotes(readMidi(p)) }))
      .filter((p) => p.notes.length > 0);
    const perm = new Random(o.seed ?? 0, 61, style).permutation(pieces.length);
    const n = pieces.length;
    const nTest = n >= 3 ? Math.max(1, Math.round(n * (o.testFraction ?? 0.2))) : 0;
    const nVal = n >= 3 ? Math.max(1, Math.round(n * (o.valFraction ?? 0.1))) : 0;
    perm.forEach((k, i) => (i < nTest ? corpus.test : i < nTest + nVal ? corpus.val : corpus.train).push(pieces[k]!));
  });
  const count = (s: number) => [corpus.train, corpus.val, corpus.test].map((p) => p.filter((x) => x.style === s).length).join("/");
  corpus.description = `MIDI pieces by style (train/validation/test): ${styles.map((s, i) => `${s} ${count(i)}`).join(", ")}`;
  return corpus;
}
