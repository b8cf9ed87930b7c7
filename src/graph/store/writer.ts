// Writes a graph store with memory bounded by the node count, not the edge count: node rows
// are appended as they come; edges are streamed twice or more by a replayable source — once
// to count in-degrees (indptr), then once per window of nodes whose adjacency slots fit the
// memory budget, filling that window in memory and writing it at its offset. The folder is
// built beside the target and renamed into place, so readers never see a half-written store.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { siblingTempPath } from "../../io/atomic.js";
import { STORE_FILES, STORE_FORMAT, type StoreMeta } from "./format.js";

/** Calls `emit(source, target)` for every stored edge, in the same order on every call. */
export type EdgeStream = (emit: (source: number, target: number) => void) => void;

export interface StoreWriterOptions {
  numNodes: number;
  numFeatures: number;
  classes: readonly string[];
  directed?: boolean;
  source: string;
  /** Bytes of adjacency filled in memory per pass over the edges (default 256 MiB). */
  fillBytes?: number;
}

const OP = "GraphStore.write";

/** Writes all of `buf` at `pos` (or the current position when pos is null). */
export function writeFully(fd: number, buf: ArrayBufferView, pos: number | null): void {
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let done = 0;
  while (done < bytes.length) {
    done += writeSync(fd, bytes, done, bytes.length - done, pos === null ? null : pos + done);
  }
}

export class StoreWriter {
  readonly dir: string;
  readonly tmp: string;
  readonly o: StoreWriterOptions;
  #fds: { features: number; labels: number; split: number };
  #rows = 0;
  #numEdges = -1;
  #done = false;

  constructor(dir: string, o: StoreWriterOptions) {
    if (!Number.isSafeInteger(o.numNodes) || o.numNodes < 1 || o.numNodes > 2 ** 31 - 1)
      throw new FlambeauError("E_ARG", `${OP}: numNodes must be in [1, 2^31), got ${o.numNodes}`, OP);
    if (!Number.isSafeInteger(o.numFeatures) || o.numFeatures < 0)
      throw new FlambeauError("E_ARG", `${OP}: numFeatures must be a non-negative integer, got ${o.numFeatures}`, OP);
    this.dir = dir;
    this.o = o;
    this.tmp = siblingTempPath(dir);
    try {
      mkdirSync(this.tmp, { recursive: true });
    } catch (e) {
      throw new FlambeauError("E_IO", `${OP}: cannot create ${this.tmp}: ${(e as Error).message}`, OP);
    }
    const open = (f: string) => openSync(join(this.tmp, f), "w", 0o644);
    this.#fds = { features: open(STORE_FILES.features), labels: open(STORE_FILES.labels), split: open(STORE_FILES.split) };
  }

  /** Appends node rows: features [n, F], labels [n] (-1 unlabelled), split codes [n]. */
  appendNodes(features: Float32Array, labels: Int32Array, split: Uint8Array): void {
    const n = labels.length;
    if (features.length !== n * this.o.numFeatures || split.length !== n)
      throw new FlambeauError(
        "E_SHAPE",
        `${OP}: appendNodes got ${features.length} feature values, ${n} labels and ${split.length} split codes; expected ${n * this.o.numFeatures}, ${n}, ${n}`,
        OP,
      );
    if (this.#rows + n > this.o.numNodes)
      throw new FlambeauError("E_ARG", `${OP}: ${this.#rows + n} node rows for a store of ${this.o.numNodes} nodes`, OP);
    writeFully(this.#fds.features, features, null);
    writeFully(this.#fds.labels, labels, null);
    writeFully(this.#fds.split, split, null);
    this.#rows += n;
  }

  /** Builds indptr and indices from a replayable edge stream (see EdgeStream). */
  writeEdges(edges: EdgeStream): void {
    const n = this.o.numNodes;
    // Counts (then offsets) as doubles: exact up to 2^53 edges, 8 bytes a node.
    const ptr = new Float64Array(n + 1);
    edges((s, t) => {
      if (!(s >= 0 && s < n && t >= 0 && t < n))
        throw new FlambeauError("E_ARG", `${OP}: edge ${s} → ${t} names a node outside [0, ${n})`, OP);
      ptr[t + 1]!++;
    });
    for (let i = 0; i < n; i++) ptr[i + 1]! += ptr[i]!;
    const e = ptr[n]!;
    const ip = openSync(join(this.tmp, STORE_FILES.indptr), "w", 0o644);
    try {
      const chunk = new BigInt64Array(1 << 16);
      for (let i = 0; i <= n; i += chunk.length) {
        const m = Math.min(chunk.length, n + 1 - i);
        for (let k = 0; k < m; k++) chunk[k] = BigInt(ptr[i + k]!);
        writeFully(ip, chunk.subarray(0, m), null);
      }
      fsyncSync(ip);
    } finally {
      closeSync(ip);
    }
    const fd = openSync(join(this.tmp, STORE_FILES.indices), "w", 0o644);
    try {
      const cap = Math.max(1, Math.floor((this.o.fillBytes ?? 256 * 2 ** 20) / 4));
      let lo = 0;
      while (lo < n) {
        // The window [lo, hi): as many nodes as fit the budget (at least one, however large).
        let hi = lo + 1;
        while (hi < n && ptr[hi + 1]! - ptr[lo]! <= cap) hi++;
        const base = ptr[lo]!;
        const buf = new Int32Array(ptr[hi]! - base);
        const fill = ptr.slice(lo, hi);
        const lo_ = lo;
        edges((s, t) => {
          if (t >= lo_ && t < hi) buf[fill[t - lo_]!++ - base] = s;
        });
        writeFully(fd, buf, base * 4);
        lo = hi;
      }
      if (e === 0) writeFully(fd, new Int32Array(0), 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.#numEdges = e;
  }

  /** Writes meta.json and moves the store into place (replacing an older one at `dir`). */
  finish(): StoreMeta {
    if (this.#numEdges < 0) throw new FlambeauError("E_ARG", `${OP}: finish before writeEdges`, OP);
    if (this.#rows !== this.o.numNodes)
      throw new FlambeauError("E_ARG", `${OP}: ${this.#rows} node rows written for a store of ${this.o.numNodes} nodes`, OP);
    for (const fd of Object.values(this.#fds)) {
      fsyncSync(fd);
      closeSync(fd);
    }
    const meta: StoreMeta = {
      format: STORE_FORMAT,
      numNodes: this.o.numNodes,
      numEdges: this.#numEdges,
      numFeatures: this.o.numFeatures,
      classes: [...this.o.classes],
      directed: this.o.directed ?? false,
      source: this.o.source,
    };
    const mf = openSync(join(this.tmp, STORE_FILES.meta), "w", 0o644);
    writeFully(mf, Buffer.from(`${JSON.stringify(meta, null, 2)}\n`), null);
    fsyncSync(mf);
    closeSync(mf);
    const old = siblingTempPath(this.dir, "old");
    const had = existsSync(this.dir);
    try {
      if (had) renameSync(this.dir, old);
      renameSync(this.tmp, this.dir);
    } catch (e) {
      throw new FlambeauError("E_IO", `${OP}: cannot move ${this.tmp} to ${this.dir}: ${(e as Error).message}`, OP);
    }
    if (had) rmSync(old, { recursive: true, force: true });
    this.#done = true;
    return meta;
  }

  /** Removes the partial store (after an error). */
  abort(): void {
    if (this.#done) return;
    for (const fd of Object.values(this.#fds)) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
