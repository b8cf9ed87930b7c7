// Progress output: a live bar with ETA and loss on a TTY, plain lines otherwise (CI logs).

export interface ProgressSink {
  start(label: string, total: number): void;
  update(done: number, info: Record<string, number>): void;
  end(summary: string): void;
}

const fmtTime = (s: number): string => {
  if (!Number.isFinite(s)) return "--:--";
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
};
const fmtInfo = (info: Record<string, number>): string =>
  Object.entries(info)
    .map(([k, v]) => `${k} ${Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(4)}`)
    .join("  ");

export class ProgressBar implements ProgressSink {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  #label = "";
  #total = 0;
  #t0 = 0;
  #last = 0;
  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.#out = out;
    this.#tty = Boolean(out.isTTY) && process.env.CI === undefined;
  }
  start(label: string, total: number): void {
    this.#label = label;
    this.#total = total;
    this.#t0 = performance.now();
    this.#last = 0;
  }
  update(done: number, info: Record<string, number>): void {
    if (!this.#tty) return;
    const now = performance.now();
    if (now - this.#last < 100 && done < this.#total) return;
    this.#last = now;
    const el = (now - this.#t0) / 1000;
    const frac = this.#total ? done / this.#total : 0;
    const width = 24;
    const fill = Math.round(frac * width);
    const eta = frac > 0 ? el / frac - el : Number.NaN;
    const line = `${this.#label} [${"#".repeat(fill)}${".".repeat(width - fill)}] ${done}/${this.#total} ${fmtTime(el)}<${fmtTime(eta)} ${fmtInfo(info)}`;
    this.#out.write(`\r${line.slice(0, (this.#out.columns ?? 120) - 1)}\x1b[K`);
  }
  end(summary: string): void {
    const el = (performance.now() - this.#t0) / 1000;
    this.#out.write(`${this.#tty ? "\r\x1b[K" : ""}${this.#label} ${summary} (${el.toFixed(1)}s)\n`);
  }
}

/** Prints nothing (library use, tests). */
export class SilentProgress implements ProgressSink {
  start(): void {}
  update(): void {}
  end(): void {}
}

export { fmtInfo };
