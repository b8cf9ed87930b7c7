// What identifies a training example and its data source for the split record (split-record.ts):
// an example's key hashes its content (pixels, text, samples), so a copy of the file elsewhere
// or a renamed folder still matches; a source's fingerprint is cheap (size and mtime, or the
// listing) and only describes where the split came from.
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { FlambeauError } from "../core/errors.js";

/**
 * A 64-bit hex key of an example's content; parts are joined unambiguously (length-prefixed)
 * so ("ab", "c") and ("a", "bc") differ.
 */
export function exampleKey(...parts: readonly (string | Uint8Array)[]): string {
  const h = createHash("sha256");
  for (const p of parts) {
    const bytes = typeof p === "string" ? Buffer.from(p, "utf8") : p;
    h.update(`${bytes.length}:`);
    h.update(bytes);
  }
  return h.digest("hex").slice(0, 16);
}

/** The keys of texts (the text alone: the same text under another label was still seen in training). */
export const textKeys = (texts: readonly string[]): string[] => texts.map((t) => exampleKey(t));

/** The keys of decoded waveforms (their samples' bytes). */
export const sampleKeys = (clips: readonly Float32Array[]): string[] =>
  clips.map((c) => exampleKey(new Uint8Array(c.buffer, c.byteOffset, c.byteLength)));

/** The keys of each row of a [N, …] uint8 buffer of `rowBytes` bytes per example (decoded images). */
export function rowKeys(data: Uint8Array, rowBytes: number): string[] {
  const n = rowBytes > 0 ? Math.floor(data.length / rowBytes) : 0;
  return Array.from({ length: n }, (_, i) => exampleKey(data.subarray(i * rowBytes, (i + 1) * rowBytes)));
}

export interface SourceFingerprint {
  /** The resolved path the data was read from. */
  path: string;
  kind: "file" | "folder";
  /** Total bytes (a folder: of its files). */
  bytes: number;
  /** A file: its mtime (ms); a folder: the number of files. */
  mtimeMs?: number;
  files?: number;
  /** A folder: a hash of its listing (relative names and sizes). */
  listing?: string;
}

/** Where a split came from, cheaply: size and mtime of a file, or a hash of a folder's listing. */
export function sourceFingerprint(path: string): SourceFingerprint {
  const abs = resolve(path);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(abs);
  } catch (e) {
    throw new FlambeauError("E_IO", `sourceFingerprint: cannot read ${abs}: ${(e as Error).message}`, "sourceFingerprint");
  }
  if (!st.isDirectory()) return { path: abs, kind: "file", bytes: st.size, mtimeMs: Math.round(st.mtimeMs) };
  const h = createHash("sha256");
  let bytes = 0;
  let files = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const size = statSync(p).size;
        h.update(`${relative(abs, p)}\t${size}\n`);
        bytes += size;
        files++;
      }
    }
  };
  walk(abs);
  return { path: abs, kind: "folder", bytes, files, listing: h.digest("hex").slice(0, 16) };
}
