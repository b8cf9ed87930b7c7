// Reading a graph store by offset: a batch's neighbour lists and feature rows are read with
// positional reads (fs.readSync at a byte offset), consecutive node ids coalesced into one
// read, so a sampled mini-batch touches only its nodes' bytes. Node has no mmap without native
// code; the OS page cache keeps hot pages as a mapping would. Neighbour lists of recently
// read nodes (the hubs of a power-law graph, mostly) stay in a small LRU cache.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { checkMeta, SPLIT_CODES, type SplitName, STORE_FILES, STORE_PREFIX, type StoreMeta } from "./format.js";
import type { NeighborLists, NodeDataSource } from "./source.js";

const OP = "GraphStore";

type StoreArray = "indptr" | "indices" | "features" | "labels" | "split";

/** True when `spec` is `store:DIR` or a folder holding a store's meta.json. */
export function isStoreSpec(spec: string): boolean {
  if (spec.startsWith(STORE_PREFIX)) return true;
  try {
    return statSync(spec).isDirectory() && existsSync(join(spec, STORE_FILES.meta)) && existsSync(join(spec, STORE_FILES.indptr));
  } catch {
    return false;
  }
}

export const storeDir = (spec: string): string => (spec.startsWith(STORE_PREFIX) ? spec.slice(STORE_PREFIX.length) : spec);

export interface GraphStoreOptions {
  /** Adjacency entries kept in the neighbour-list cache (default 1 << 20, 4 MiB). */
  cacheEntries?: number;
}

/** Sorted distinct values of `nodes`, checked against [0, n). */
function sortedUnique(nodes: ArrayLike<number>, n: number, what: string): Int32Array {
  const a = Int32Array.from(nodes as ArrayLike<number>);
  for (let k = 0; k < a.length; k++)
    if (!(a[k]! >= 0 && a[k]! < n && a[k] === (nodes[k] as number)))
      throw new FlambeauError("E_ARG", `${OP}.${what}: node ${nodes[k]} is outside [0, ${n})`, OP);
  a.sort();
  let m = 0;
  for (let k = 0; k < a.length; k++) if (k === 0 || a[k] !== a[m - 1]) a[m++] = a[k]!;
  return a.subarray(0, m);
}

/** Runs of consecutive ids in a sorted distinct list: [start index, length] pairs. */
function* runs(ids: Int32Array): Generator<[number, number]> {
  let k = 0;
  while (k < ids.length) {
    let j = k + 1;
    while (j < ids.length && ids[j] === ids[j - 1]! + 1) j++;
    yield [k, j - k];
    k = j;
  }
}

export class GraphStore implements NodeDataSource {
  readonly dir: string;
  readonly meta: StoreMeta;
  readonly numNodes: number;
  readonly numEdges: number;
  readonly numFeatures: number;
  readonly classes: readonly string[];
  /** Bytes and read calls since open (or resetStats), cache hits excluded. */
  bytesRead = 0;
  reads = 0;
  readonly #fd: Record<StoreArray, number>;
  readonly #cache = new Map<number, Int32Array>();
  readonly #cacheCap: number;
  #cached = 0;

  constructor(spec: string, o: GraphStoreOptions = {}) {
    const dir = storeDir(spec);
    this.dir = dir;
    const metaFile = join(dir, STORE_FILES.meta);
    if (!existsSync(metaFile)) throw new FlambeauError("E_IO", `${OP}: ${dir} is not a graph store (no ${STORE_FILES.meta})`, OP);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(metaFile, "utf8"));
    } catch (e) {
      throw new FlambeauError("E_FORMAT", `${OP}: ${metaFile}: ${(e as Error).message}`, OP);
    }
    this.meta = checkMeta(metaFile, raw);
    this.numNodes = this.meta.numNodes;
    this.numEdges = this.meta.numEdges;
    this.numFeatures = this.meta.numFeatures;
    this.classes = this.meta.classes;
    this.#cacheCap = o.cacheEntries ?? 1 << 20;
    const n = this.numNodes;
    const sizes = {
      indptr: (n + 1) * 8,
      indices: this.numEdges * 4,
      features: n * this.numFeatures * 4,
      labels: n * 4,
      split: n,
    };
    const fds: Partial<Record<keyof typeof sizes, number>> = {};
    try {
      for (const [k, size] of Object.entries(sizes) as [keyof typeof sizes, number][]) {
        const file = join(dir, STORE_FILES[k]);
        if (!existsSync(file)) throw new FlambeauError("E_FORMAT", `${OP}: ${dir} lacks ${STORE_FILES[k]}`, OP);
        const fd = openSync(file, "r");
        fds[k] = fd;
        const have = fstatSync(fd).size;
        if (have !== size)
          throw new FlambeauError(
            "E_FORMAT",
            `${OP}: ${file} has ${have} bytes; meta.json (${n} nodes, ${this.numEdges} edges, ${this.numFeatures} features) needs ${size}`,
            OP,
          );
      }
    } catch (e) {
      for (const fd of Object.values(fds)) closeSync(fd);
      throw e;
    }
    this.#fd = fds as Record<StoreArray, number>;
  }

  #read(which: StoreArray, buf: ArrayBufferView, pos: number): void {
    const fd = this.#fd[which];
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    let done = 0;
    while (done < bytes.length) {
      const got = readSync(fd, bytes, done, bytes.length - done, pos + done);
      if (got === 0)
        throw new FlambeauError("E_FORMAT", `${OP}: ${join(this.dir, STORE_FILES[which])} ends early at byte ${pos + done}`, OP);
      done += got;
      this.reads++;
    }
    this.bytesRead += bytes.length;
  }

  resetStats(): void {
    this.bytesRead = 0;
    this.reads = 0;
  }

  /** The incoming neighbours of `nodes`, in the order given: node k's are src[ptr[k] … ptr[k+1]). */
  neighbors(nodes: ArrayLike<number>): NeighborLists {
    const lists = new Map<number, Int32Array>();
    const want: number[] = [];
    for (let k = 0; k < nodes.length; k++) {
      const v = nodes[k]!;
      const hit = this.#cache.get(v);
      if (hit) {
        // Refresh its place in the LRU order.
        this.#cache.delete(v);
        this.#cache.set(v, hit);
        lists.set(v, hit);
      } else want.push(v);
    }
    const ids = sortedUnique(want, this.numNodes, "neighbors");
    for (const [k, len] of runs(ids)) {
      const first = ids[k]!;
      const p = new BigInt64Array(len + 1);
      this.#read("indptr", p, first * 8);
      const base = Number(p[0]);
      const all = new Int32Array(Number(p[len]) - base);
      if (all.length > 0) this.#read("indices", all, base * 4);
      for (let j = 0; j < len; j++) {
        const list = all.subarray(Number(p[j]) - base, Number(p[j + 1]) - base);
        lists.set(first + j, list);
        this.#remember(first + j, list);
      }
    }
    const ptr = new Int32Array(nodes.length + 1);
    for (let k = 0; k < nodes.length; k++) ptr[k + 1] = ptr[k]! + lists.get(nodes[k]!)!.length;
    const src = new Int32Array(ptr[nodes.length]!);
    for (let k = 0; k < nodes.length; k++) src.set(lists.get(nodes[k]!)!, ptr[k]!);
    return { ptr, src };
  }

  #remember(v: number, list: Int32Array): void {
    if (list.length > this.#cacheCap / 4) return;
    // A copy: the run's buffer would otherwise stay alive for one cached slice.
    this.#cache.set(v, list.slice());
    this.#cached += list.length;
    for (const [u, l] of this.#cache) {
      if (this.#cached <= this.#cacheCap) break;
      this.#cache.delete(u);
      this.#cached -= l.length;
    }
  }

  /** Reads fixed-size rows of `nodes` (in the order given) from one per-node file. */
  #rows<A extends Float32Array | Int32Array | Uint8Array>(
    which: "features" | "labels" | "split",
    nodes: ArrayLike<number>,
    width: number,
    make: (n: number) => A,
  ): A {
    const ids = sortedUnique(nodes, this.numNodes, which);
    const sorted = make(ids.length * width);
    const item = sorted.BYTES_PER_ELEMENT;
    for (const [k, len] of runs(ids)) {
      if (width > 0) this.#read(which, sorted.subarray(k * width, (k + len) * width), ids[k]! * width * item);
    }
    const out = make(nodes.length * width);
    // Binary search back to each requested node's row.
    for (let k = 0; k < nodes.length; k++) {
      const v = nodes[k]!;
      let lo = 0;
      let hi = ids.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ids[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      if (width > 0) out.set(sorted.subarray(lo * width, (lo + 1) * width), k * width);
    }
    return out;
  }

  /** Feature rows of `nodes`, row-major [nodes.length, numFeatures]. */
  features(nodes: ArrayLike<number>): Float32Array {
    return this.#rows("features", nodes, this.numFeatures, (n) => new Float32Array(n));
  }

  /** Labels of `nodes` (-1 unlabelled). */
  labels(nodes: ArrayLike<number>): Int32Array {
    return this.#rows("labels", nodes, 1, (n) => new Int32Array(n));
  }

  /** The labelled nodes of one split (one sequential scan of split.u8 and labels.i32). */
  splitNodes(split: SplitName): Int32Array {
    const code = SPLIT_CODES[split];
    const out: number[] = [];
    const chunk = 1 << 20;
    const s = new Uint8Array(chunk);
    const l = new Int32Array(chunk);
    for (let i = 0; i < this.numNodes; i += chunk) {
      const m = Math.min(chunk, this.numNodes - i);
      this.#read("split", s.subarray(0, m), i);
      this.#read("labels", l.subarray(0, m), i * 4);
      for (let k = 0; k < m; k++) if (s[k] === code && l[k]! >= 0) out.push(i + k);
    }
    return Int32Array.from(out);
  }

  /** The whole of one file, for full-graph training (loadStoreGraph). */
  readAll(which: StoreArray): ArrayBufferView {
    const n = this.numNodes;
    const buf =
      which === "indptr"
        ? new BigInt64Array(n + 1)
        : which === "indices"
          ? new Int32Array(this.numEdges)
          : which === "features"
            ? new Float32Array(n * this.numFeatures)
            : which === "labels"
              ? new Int32Array(n)
              : new Uint8Array(n);
    // In pieces: one readSync is limited to 2 GiB.
    const step = 1 << 30;
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let off = 0; off < bytes.length; off += step) this.#read(which, bytes.subarray(off, Math.min(bytes.length, off + step)), off);
    return buf;
  }

  close(): void {
    for (const fd of Object.values(this.#fd)) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}
