// Reading a data file whole, gzip-transparently (detected by the gzip magic, not the name),
// with errors that name the file.
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { FlambeauError } from "../core/errors.js";

const gunzipAsync = promisify(gunzip);

/** Largest decompressed size accepted, so a gzip bomb fails cleanly instead of exhausting memory. */
export const MAX_DECOMPRESSED_BYTES = 2 ** 32 - 1;

export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** The bytes of `path`, decompressed when it is gzip. */
export async function readBytes(op: string, path: string): Promise<Buffer> {
  if (typeof path !== "string" || path.length === 0)
    throw new FlambeauError("E_ARG", `${op}: path must be a non-empty string, got ${String(path)}`, op);
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "it is a directory" : err.message;
    throw new FlambeauError("E_IO", `${op}: cannot read ${path}: ${why}`, op);
  }
  if (!isGzip(raw)) return raw;
  try {
    return await gunzipAsync(raw, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
  } catch (e) {
    throw new FlambeauError("E_FORMAT", `${op}: ${path}: corrupt or truncated gzip data (${(e as Error).message})`, op);
  }
}

/** The text of `path` (UTF-8, gzip-transparent, a leading byte-order mark dropped). */
export async function readText(op: string, path: string): Promise<string> {
  const bytes = await readBytes(op, path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const loose = new TextDecoder("utf-8").decode(bytes);
    const at = loose.indexOf("\ufffd");
    const line = loose.slice(0, Math.max(at, 0)).split("\n").length;
    throw new FlambeauError("E_FORMAT", `${op}: ${path}:${line}: invalid UTF-8 text`, op);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
