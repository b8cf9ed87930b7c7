// JSON Lines: one JSON object per line; blank lines are skipped. Errors give the file and line.
import { FlambeauError } from "../core/errors.js";
import { readText } from "./files.js";

/** Parses JSON Lines text into objects; `source` names it in errors. */
export const parseJsonl = (text: string, source = "<text>"): Record<string, unknown>[] => parseJsonlRows(text, source).rows;

/** Parses JSON Lines text into objects with the 1-based line of each (for errors about a row's content). */
export function parseJsonlRows(text: string, source = "<text>"): { rows: Record<string, unknown>[]; lines: number[] } {
  const out: Record<string, unknown>[] = [];
  const at: number[] = [];
  const lines = text.split("\n");
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!.endsWith("\r") ? lines[k]!.slice(0, -1) : lines[k]!;
    if (line.trim() === "") continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new FlambeauError("E_FORMAT", `readJsonl: ${source}:${k + 1}: invalid JSON (${(e as Error).message})`, "readJsonl");
    }
    if (v === null || typeof v !== "object" || Array.isArray(v))
      throw new FlambeauError(
        "E_FORMAT",
        `readJsonl: ${source}:${k + 1}: expected a JSON object, got ${Array.isArray(v) ? "an array" : JSON.stringify(v)}`,
        "readJsonl",
      );
    out.push(v as Record<string, unknown>);
    at.push(k + 1);
  }
  return { rows: out, lines: at };
}

/** Reads a JSON Lines file (UTF-8, gzip-transparent) into objects. */
export async function readJsonl(path: string): Promise<Record<string, unknown>[]> {
  return parseJsonl(await readText("readJsonl", path), path);
}
