// Atomic file replacement: write a temporary file beside the target, fsync it, rename it over
// the target. A writer killed at any point leaves either the old file or the new one.
import { randomBytes } from "node:crypto";
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { FlambeauError } from "../core/errors.js";

const noop = (): void => {};

function ioError(op: string, what: string, e: unknown): FlambeauError {
  if (e instanceof FlambeauError) return e;
  return new FlambeauError("E_IO", `${op}: ${what}: ${(e as Error).message}`, op);
}

/**
 * A fresh name beside `path` (`path.tmp-<pid>-<hex>`) to build a file or folder in before renaming
 * it into place: unique across processes and calls, so two writers never share one.
 */
export function siblingTempPath(path: string, tag = "tmp"): string {
  return `${path}.${tag}-${process.pid}-${randomBytes(4).toString("hex")}`;
}

/** Writes `path` through `write(fileHandle)` so that readers never see a partial file. */
export async function writeAtomic(op: string, path: string, write: (fh: FileHandle) => Promise<void>): Promise<void> {
  if (typeof path !== "string" || path.length === 0)
    throw new FlambeauError("E_ARG", `${op}: path must be a non-empty string, got ${String(path)}`, op);
  const tmp = siblingTempPath(path);
  let fh: FileHandle;
  try {
    fh = await open(tmp, "wx", 0o644);
  } catch (e) {
    throw ioError(op, `cannot create ${tmp}`, e);
  }
  try {
    await write(fh);
    await fh.sync();
    await fh.close();
  } catch (e) {
    await fh.close().catch(noop);
    await unlink(tmp).catch(noop);
    throw ioError(op, `writing ${tmp}`, e);
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(noop);
    throw ioError(op, `cannot rename ${tmp} to ${path}`, e);
  }
  // The rename is durable once the directory entry is on disk; not every file system allows this.
  try {
    const dir = await open(dirname(path), "r");
    await dir.sync().catch(noop);
    await dir.close();
  } catch {
    // best effort
  }
}

/** Writes all of `chunks` at the file's current position, however many calls it takes. */
export async function writeAll(fh: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  let list = chunks.filter((c) => c.byteLength > 0);
  while (list.length > 0) {
    const { bytesWritten } = await fh.writev(list as Uint8Array[]);
    let left = bytesWritten;
    const rest: Uint8Array[] = [];
    for (const c of list) {
      if (left >= c.byteLength) left -= c.byteLength;
      else {
        rest.push(left > 0 ? c.subarray(left) : c);
        left = 0;
      }
    }
    list = rest;
  }
}

/** Atomically replaces `path` with `text` (UTF-8). */
export function writeTextAtomic(op: string, path: string, text: string): Promise<void> {
  return writeAtomic(op, path, (fh) => writeAll(fh, [Buffer.from(text, "utf8")]));
}
