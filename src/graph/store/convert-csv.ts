// Converting a nodes.csv + edges.csv folder (the graph tasks' CSV format, graph-file.ts) into a
// graph store without reading either file whole: nodes.csv twice (ids and classes, then rows),
// edges.csv once to count degrees and once per fill window (writer.ts). Edges are undirected,
// stored in both directions in file order, as readGraphFile builds them; weights are dropped.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { SPLIT_CODES, type StoreMeta } from "./format.js";
import { forEachLine, splitCsvLine } from "./lines.js";
import { StoreWriter } from "./writer.js";

const OP = "convertCsvToStore";

const bad = (at: string, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `${OP}: ${at}: ${msg}`, OP);
};

export interface ConvertOptions {
  /** Bytes of adjacency filled in memory per pass over edges.csv (default 256 MiB). */
  fillBytes?: number;
  /** Node rows buffered before a write (default 4096). */
  rowBatch?: number;
}

/** Reads `src` (a folder with nodes.csv and edges.csv) and writes the store at `dir`. */
export function convertCsvToStore(src: string, dir: string, o: ConvertOptions = {}): StoreMeta {
  const folder = existsSync(src) && statSync(src).isDirectory() ? src : join(src, "..");
  const nodesFile = join(folder, "nodes.csv");
  const edgesFile = join(folder, "edges.csv");
  for (const f of [nodesFile, edgesFile]) if (!existsSync(f)) bad(folder, `missing ${f} (a CSV graph is nodes.csv + edges.csv)`);
  // Pass 1 over nodes.csv: ids (the one O(N) map) and the class names.
  const ids = new Map<string, number>();
  const labelSet = new Set<string>();
  let header: string[] = [];
  forEachLine(nodesFile, (line, no) => {
    if (no === 1) {
      header = splitCsvLine(line, `${nodesFile}:1`);
      if (!header.includes("id")) bad(`${nodesFile}:1`, `needs an "id" column, has ${header.join(", ")}`);
      return;
    }
    if (line === "") return;
    const at = `${nodesFile}:${no}`;
    const f = splitCsvLine(line, at);
    if (f.length !== header.length) bad(at, `${f.length} fields, the header has ${header.length}`);
    const id = f[header.indexOf("id")]!;
    if (ids.has(id)) bad(at, `node "${id}" is listed twice`);
    ids.set(id, ids.size);
    const li = header.indexOf("label");
    if (li >= 0 && f[li] !== "") labelSet.add(f[li]!);
  });
  if (ids.size === 0) bad(nodesFile, "no nodes");
  const classes = [...labelSet].sort();
  const cid = new Map(classes.map((c, i) => [c, i]));
  const iId = header.indexOf("id");
  const iLabel = header.indexOf("label");
  const iSplit = header.indexOf("split");
  const featCols = header.map((_, i) => i).filter((i) => i !== iId && i !== iLabel && i !== iSplit);
  const w = new StoreWriter(dir, { numNodes: ids.size, numFeatures: featCols.length, classes, source: folder, fillBytes: o.fillBytes });
  try {
    // Pass 2 over nodes.csv: feature rows, labels and splits, appended in batches.
    const batch = o.rowBatch ?? 4096;
    const F = featCols.length;
    let feats = new Float32Array(batch * F);
    let labels = new Int32Array(batch);
    let split = new Uint8Array(batch);
    let k = 0;
    const flush = () => {
      if (k > 0) w.appendNodes(feats.subarray(0, k * F), labels.subarray(0, k), split.subarray(0, k));
      feats = new Float32Array(batch * F);
      labels = new Int32Array(batch);
      split = new Uint8Array(batch);
      k = 0;
    };
    forEachLine(nodesFile, (line, no) => {
      if (no === 1 || line === "") return;
      const at = `${nodesFile}:${no}`;
      const f = splitCsvLine(line, at);
      for (let j = 0; j < F; j++) {
        const raw = f[featCols[j]!]!;
        const v = Number(raw);
        if (raw.trim() === "" || !Number.isFinite(v)) bad(at, `node "${f[iId]}" feature ${header[featCols[j]!]} is "${raw}", not a number`);
        feats[k * F + j] = v;
      }
      const label = iLabel >= 0 ? f[iLabel]! : "";
      labels[k] = label === "" ? -1 : cid.get(label)!;
      const s = iSplit >= 0 ? f[iSplit]! : "";
      if (s !== "" && !(s in SPLIT_CODES && s !== "none")) bad(at, `node "${f[iId]}" has split "${s}"; expected train, val or test`);
      split[k] = s === "" ? 0 : SPLIT_CODES[s as "train" | "val" | "test"];
      if (++k === batch) flush();
    });
    flush();
    // edges.csv: validated on the counting pass (which runs first), replayed for the fills.
    let cols: string[] = [];
    w.writeEdges((emit) =>
      forEachLine(edgesFile, (line, no) => {
        if (no === 1) {
          cols = splitCsvLine(line, `${edgesFile}:1`);
          if (!cols.includes("source") || !cols.includes("target"))
            bad(`${edgesFile}:1`, `needs "source" and "target" columns, has ${cols.join(", ")}`);
          return;
        }
        if (line === "") return;
        const at = `${edgesFile}:${no}`;
        const f = splitCsvLine(line, at);
        const s = f[cols.indexOf("source")];
        const t = f[cols.indexOf("target")];
        if (s === undefined || t === undefined) return bad(at, `${f.length} fields, the header has ${cols.length}`);
        const a = ids.get(s);
        const b = ids.get(t);
        if (a === undefined || b === undefined)
          bad(at, `edge ${s} → ${t} names node "${a === undefined ? s : t}", which is not in ${nodesFile}`);
        emit(a!, b!);
        if (a !== b) emit(b!, a!);
      }),
    );
    return w.finish();
  } catch (e) {
    w.abort();
    throw e;
  }
}
