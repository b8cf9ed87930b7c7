// The one way video and compressed audio reach Flambeau: Debian's ffmpeg/ffprobe as child
// processes (video/io, audio/decode). A missing binary, a missing file and a codec's complaint
// each become a FlambeauError that says what to do.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { FlambeauError } from "../core/errors.js";

/** The tools' names; tests point them at a missing binary to check the error. */
export const FFMPEG_TOOLS = { ffmpeg: "ffmpeg", ffprobe: "ffprobe" };

const INSTALL = "install it with `apt-get install ffmpeg` (Debian/Ubuntu)";

/** The error a failed spawn becomes: ENOENT means the tool is not installed. */
export function spawnError(op: string, tool: string, e: unknown): FlambeauError {
  const err = e as NodeJS.ErrnoException;
  if (err.code === "ENOENT") return new FlambeauError("E_IO", `${op}: ${tool} is not installed (not found on PATH); ${INSTALL}`, op);
  return new FlambeauError("E_IO", `${op}: cannot run ${tool}: ${err.message}`, op);
}

export interface ToolRun {
  proc: ChildProcess;
  /** The last 4 kB of stderr: enough to quote the codec's complaint. */
  stderr(): string;
  /** Resolves once the process and its pipes are closed: its exit code, or rejects with the spawn error (ENOENT …). */
  exited: Promise<number | null>;
}

/** Spawns a tool; listeners are attached at once, so a spawn error is never missed. */
export function spawnTool(tool: string, args: readonly string[], stdio: ["pipe" | "ignore", "pipe" | "ignore", "pipe"]): ToolRun {
  const proc = spawn(tool, args as string[], { stdio });
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => {
    err += d.toString("utf8");
    if (err.length > 4096) err = err.slice(-4096);
  });
  let failure: unknown = null;
  const exited = new Promise<number | null>((resolve, reject) => {
    proc.once("error", (e) => {
      failure = e;
      reject(e);
    });
    proc.once("close", (code) => (failure ? reject(failure) : resolve(code)));
  });
  exited.catch(() => {}); // observed by whoever awaits it
  return { proc, stderr: () => err.trim(), exited };
}

/** An input file must exist, be a regular file and not be empty. */
export function checkInputFile(op: string, path: unknown): string {
  if (typeof path !== "string" || path.length === 0)
    throw new FlambeauError("E_ARG", `${op}: path must be a non-empty string, got ${String(path)}`, op);
  if (!existsSync(path)) throw new FlambeauError("E_IO", `${op}: no such file ${path}`, op);
  const st = statSync(path);
  if (!st.isFile()) throw new FlambeauError("E_IO", `${op}: ${path} is not a file`, op);
  if (st.size === 0) throw new FlambeauError("E_FORMAT", `${op}: ${path} is empty`, op);
  return path;
}

/** The last meaningful line of a tool's stderr, for error messages. */
export function lastLines(stderr: string, n = 3): string {
  const lines = stderr.split("\n").filter((l) => l.trim().length > 0);
  return lines.slice(-n).join(" | ") || "(no message)";
}
