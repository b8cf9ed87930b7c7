// Reading a whole JSON file, with errors that say which op read which file: one that cannot
// be read is E_IO, one that does not parse is E_FORMAT with the parser's message.
import { readFileSync } from "node:fs";
import { FlambeauError } from "../core/errors.js";

/** The parsed contents of `path`; the caller checks their shape. */
export function readJsonFile(op: string, path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new FlambeauError("E_IO", `${op}: cannot read ${path}: ${(e as Error).message}`, op);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FlambeauError("E_FORMAT", `${op}: ${path}: invalid JSON (${(e as Error).message})`, op);
  }
}
