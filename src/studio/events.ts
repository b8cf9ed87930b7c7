// The trainer's event log (one JSON object per epoch, appended while it trains) read as it
// grows: a poll reads the bytes past the last offset, in bounded chunks, and hands on the
// whole lines; a line longer than MAX_LINE is skipped rather than held, and a file that
// shrinks or is replaced (a new run in the same folder) is read again from its start.
import { open, stat } from "node:fs/promises";
import type { RunEvent } from "./runs.js";

/** Longest event line kept (an epoch's numbers take a few hundred bytes). */
export const MAX_LINE = 64 << 10;
/** Most bytes read by one poll; the rest waits for the next. */
const CHUNK = 1 << 20;

/** The events in JSONL text: objects only, with their number and string fields (long strings cut). */
export function parseEventLines(text: string): RunEvent[] {
  const out: RunEvent[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.length > MAX_LINE) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (v === null || typeof v !== "object" || Array.isArray(v)) continue;
    const e: RunEvent = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === "number" && Number.isFinite(x)) e[k] = x;
      else if (typeof x === "string") e[k] = x.slice(0, 200);
    }
    out.push(e);
  }
  return out;
}

export interface TailOptions {
  /** Byte offset to start from (where a history read ended). */
  from: number;
  /** Poll interval (default 250 ms). */
  pollMs?: number;
  onEvents(events: RunEvent[]): void;
  /** Called after each poll (the studio checks the run's model then). */
  onPoll?(): void;
}

/** Tails `path` until `stop()`; a missing file is waited for. */
export class JsonlTail {
  #offset: number;
  #partial = Buffer.alloc(0);
  #skipping = false;
  #busy = false;
  #ino: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly o: TailOptions,
  ) {
    this.#offset = o.from;
    this.#timer = setInterval(() => void this.poll(), o.pollMs ?? 250);
  }

  /** Reads what was appended since the last poll. */
  async poll(): Promise<void> {
    if (this.#busy || this.#timer === undefined) return;
    this.#busy = true;
    try {
      const st = await stat(this.path).catch(() => undefined);
      const size = st ? st.size : -1;
      // A log that shrank, or another file under the name (deleted and written again), is read from its start.
      const replaced = st !== undefined && this.#ino !== undefined && st.ino !== this.#ino;
      if (st) this.#ino = st.ino;
      if (size >= 0 && (size < this.#offset || replaced)) {
        this.#offset = 0;
        this.#partial = Buffer.alloc(0);
        this.#skipping = false;
      }
      if (size > this.#offset) await this.#read(Math.min(size - this.#offset, CHUNK));
      if (this.#timer !== undefined) this.o.onPoll?.();
    } finally {
      this.#busy = false;
    }
  }

  async #read(n: number): Promise<void> {
    const fh = await open(this.path, "r").catch(() => undefined);
    if (!fh) return;
    const buf = Buffer.alloc(n);
    let got = 0;
    try {
      ({ bytesRead: got } = await fh.read(buf, 0, n, this.#offset));
    } finally {
      await fh.close();
    }
    this.#offset += got;
    let data = buf.subarray(0, got);
    if (this.#skipping) {
      // The rest of an over-long line ends at the first newline.
      const nl = data.indexOf(0x0a);
      if (nl < 0) return;
      data = data.subarray(nl + 1);
      this.#skipping = false;
    } else if (this.#partial.length) data = Buffer.concat([this.#partial, data]);
    // Bytes, not characters: only whole lines are decoded, so a split UTF-8 sequence waits in the partial.
    const lastNl = data.lastIndexOf(0x0a);
    const rest = data.subarray(lastNl + 1);
    this.#skipping = rest.length > MAX_LINE;
    this.#partial = this.#skipping ? Buffer.alloc(0) : Buffer.from(rest);
    if (lastNl < 0) return;
    const events = parseEventLines(data.subarray(0, lastNl).toString("utf8"));
    if (events.length && this.#timer !== undefined) this.o.onEvents(events);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
