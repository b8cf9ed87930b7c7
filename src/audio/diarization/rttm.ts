// RTTM (NIST Rich Transcription Time Marked), the format md-eval and pyannote read: one turn a
// line, `SPEAKER <file> <channel> <onset> <duration> <NA> <NA> <speaker> <NA> <NA>`, times in
// seconds. Lines of other types (SPKR-INFO, LEXEME …) and `;;` comments are skipped.
import { readFileSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { writeTextAtomic } from "../../io/atomic.js";
import { checkTurns, type SpeakerTurn } from "./turns.js";

/** Turns per recording (the RTTM file-id column), in file order. */
export type RttmDocument = Map<string, SpeakerTurn[]>;

/** Parses RTTM text; `name` is for messages. */
export function parseRttm(text: string, name = "<rttm>"): RttmDocument {
  const doc: RttmDocument = new Map();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith(";;") || line.startsWith("#")) return;
    const f = line.split(/\s+/);
    if (f[0] !== "SPEAKER") return;
    const where = `${name}:${i + 1}`;
    if (f.length < 8)
      throw new FlambeauError("E_FORMAT", `RTTM ${where}: a SPEAKER line needs at least 8 fields, got ${f.length}: "${line}"`, "parseRttm");
    const onset = Number(f[3]);
    const dur = Number(f[4]);
    if (!Number.isFinite(onset) || onset < 0 || !Number.isFinite(dur) || dur < 0)
      throw new FlambeauError("E_FORMAT", `RTTM ${where}: onset "${f[3]}" and duration "${f[4]}" must be numbers ≥ 0`, "parseRttm");
    const file = f[1]!;
    const list = doc.get(file) ?? [];
    list.push({ start: onset, end: onset + dur, speaker: f[7]! });
    doc.set(file, list);
  });
  return doc;
}

export function readRttm(path: string): RttmDocument {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new FlambeauError("E_IO", `readRttm: cannot read ${path}: ${(e as Error).message}`, "readRttm");
  }
  return parseRttm(text, path);
}

// Millisecond precision, as the reference tools print; more digits would only carry float noise.
const sec = (x: number): string => (Math.round(x * 1000) / 1000).toFixed(3);

/** RTTM text for one or more recordings; turns sorted by onset. Names may not contain spaces. */
export function formatRttm(doc: RttmDocument | Record<string, readonly SpeakerTurn[]>): string {
  const entries = doc instanceof Map ? [...doc.entries()] : Object.entries(doc);
  const out: string[] = [];
  for (const [file, turns] of entries) {
    checkTurns("formatRttm", turns);
    for (const n of [file, ...turns.map((t) => t.speaker)])
      if (/\s/.test(n) || n === "")
        throw new FlambeauError("E_ARG", `formatRttm: names may not be empty or hold spaces, got "${n}"`, "formatRttm");
    for (const t of [...turns].sort((a, b) => a.start - b.start || a.end - b.end))
      out.push(`SPEAKER ${file} 1 ${sec(t.start)} ${sec(t.end - t.start)} <NA> <NA> ${t.speaker} <NA> <NA>`);
  }
  return out.length ? `${out.join("\n")}\n` : "";
}

/** Writes RTTM atomically. */
export function writeRttm(path: string, doc: RttmDocument | Record<string, readonly SpeakerTurn[]>): Promise<void> {
  return writeTextAtomic("writeRttm", path, formatRttm(doc));
}
