// Reading a user's graph with node features and labels from JSON or CSV (the format the
// graph tasks' --data accepts):
//   JSON  {"directed": false, "nodes": [{"id": "a", "features": [..], "label": "x", "split": "train"}],
//          "edges": [["a", "b"], {"source": "a", "target": "b", "weight": 2}]}
//   CSV   a folder (or its edges.csv) holding edges.csv (source,target[,weight]) and nodes.csv
//         (id, label, optional split = train|val|test, every other column a numeric feature).
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { tensor } from "../core/index.js";
import { parseCsv } from "../data/csv.js";
import { readJsonFile } from "../io/read-json.js";
import { NodeIds } from "./convert.js";
import { Graph } from "./graph.js";

export const GRAPH_FILE_FORMAT =
  'a graph JSON file {"directed": false, "nodes": [{"id", "features": [numbers], "label", "split": "train"|"val"|"test"}], "edges": [[source, target] or {"source", "target", "weight"}]}, or a folder with nodes.csv (id,label[,split],feature columns…) and edges.csv (source,target[,weight])';

export interface NodeRow {
  /** Where the row is, for errors: "file:line" or "file: nodes[i]". */
  at: string;
  id: string;
  features: number[] | undefined;
  label: string | undefined;
  split: string | undefined;
}

const bad = (file: string, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `readGraphFile: ${file}: ${msg}`, "readGraphFile");
};

/** An edge and where it is ("file:line" or "file: edges[k]"), with its relation when typed. */
export type EdgeRow = [source: string, target: string, weight: number, at: string, relation?: string];

/** A graph file as read, before the nodes are numbered (typed-graph-file.ts reads relations from it). */
export interface GraphFileParts {
  file: string;
  rows: NodeRow[];
  edges: EdgeRow[];
  directed: boolean;
  weighted: boolean;
  /** The JSON's "relations" list, if any. */
  relations?: unknown;
}

export interface ReadGraphOptions {
  /** Self-loops (source = target) are errors when false (default: allowed). */
  allowSelfLoops?: boolean;
}

const badAt = (at: string, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `readGraphFile: ${at}: ${msg}`, "readGraphFile");
};

/** Numbers the nodes and checks every row; edges keep their order (both directions when undirected). */
export function buildGraph(parts: GraphFileParts, o: ReadGraphOptions = {}): Graph {
  const { file, rows, edges, directed, weighted } = parts;
  if (rows.length === 0) bad(file, "no nodes");
  const ids = new NodeIds();
  for (const r of rows) {
    if (ids.get(r.id) !== undefined) badAt(r.at, `node "${r.id}" is listed twice`);
    ids.id(r.id);
  }
  const src: number[] = [];
  const dst: number[] = [];
  const w: number[] = [];
  edges.forEach(([s, t, weight, at]) => {
    const a = ids.get(s);
    const b = ids.get(t);
    if (a === undefined || b === undefined)
      badAt(at, `edge ${s} → ${t} names node "${a === undefined ? s : t}", which is not in the node list`);
    if (!Number.isFinite(weight)) badAt(at, `edge ${s} → ${t} has weight "${weight}", not a number`);
    if (a === b && o.allowSelfLoops === false) badAt(at, `self-loop ${s} → ${t} is not allowed`);
    src.push(a!);
    dst.push(b!);
    w.push(weight);
    if (!directed && a !== b) {
      src.push(b!);
      dst.push(a!);
      w.push(weight);
    }
  });
  const n = rows.length;
  const withF = rows.filter((r) => r.features !== undefined).length;
  let x = null;
  if (withF > 0) {
    if (withF !== n) bad(file, `${withF} of ${n} nodes have features; give all or none`);
    const f = rows[0]!.features!.length;
    const data = new Float32Array(n * f);
    rows.forEach((r, i) => {
      if (r.features!.length !== f) badAt(r.at, `node "${r.id}" has ${r.features!.length} features, the first node has ${f}`);
      r.features!.forEach((v, j) => {
        if (!Number.isFinite(v)) badAt(r.at, `node "${r.id}" feature ${j} is ${v}, not a number`);
        data[i * f + j] = v;
      });
    });
    x = tensor(data, { shape: [n, f] });
  }
  const labelled = rows.filter((r) => r.label !== undefined && r.label !== "");
  let y = null;
  let classes: string[] | undefined;
  if (labelled.length > 0) {
    classes = [...new Set(labelled.map((r) => r.label!))].sort();
    const cid = new Map(classes.map((c, i) => [c, i]));
    // Unlabelled nodes get -1 and are left out of every mask.
    y = tensor(
      BigInt64Array.from(rows, (r) => BigInt(r.label ? cid.get(r.label)! : -1)),
      { shape: [n] },
    );
  }
  let masks = {};
  if (rows.some((r) => r.split)) {
    for (const r of rows)
      if (r.split && !["train", "val", "test"].includes(r.split))
        badAt(r.at, `node "${r.id}" has split "${r.split}"; expected train, val or test`);
    const m = (s: string) => tensor(Uint8Array.from(rows, (r) => (r.split === s && r.label ? 1 : 0))).to("bool");
    masks = { trainMask: m("train"), valMask: m("val"), testMask: m("test") };
  }
  const e = src.length;
  const ei = new BigInt64Array(2 * e);
  for (let k = 0; k < e; k++) {
    ei[k] = BigInt(src[k]!);
    ei[e + k] = BigInt(dst[k]!);
  }
  return new Graph({
    edgeIndex: tensor(ei, { shape: [2, e] }),
    numNodes: n,
    x,
    y,
    classes,
    edgeWeight: weighted ? tensor(Float32Array.from(w)) : null,
    directed,
    nodeNames: ids.names,
    ...masks,
  });
}

function readJson(file: string): GraphFileParts {
  const d = readJsonFile("readGraphFile", file) as { directed?: unknown; nodes?: unknown; edges?: unknown; relations?: unknown };
  if (!d || typeof d !== "object" || !Array.isArray(d.nodes) || !Array.isArray(d.edges))
    bad(file, 'expected an object with "nodes" and "edges" arrays');
  const rows: NodeRow[] = (d.nodes as unknown[]).map((raw, i) => {
    const r = (typeof raw === "object" && raw !== null ? raw : { id: raw }) as Record<string, unknown>;
    if (r.id === undefined || r.id === null) bad(file, `node ${i} has no "id"`);
    if (r.features !== undefined && !Array.isArray(r.features)) bad(file, `node "${String(r.id)}": "features" must be an array of numbers`);
    return {
      at: `${file}: nodes[${i}]`,
      id: String(r.id),
      features: r.features as number[] | undefined,
      label: r.label === undefined || r.label === null ? undefined : String(r.label),
      split: r.split === undefined ? undefined : String(r.split),
    };
  });
  let weighted = false;
  const edges = (d.edges as unknown[]).map((raw, k): EdgeRow => {
    const at = `${file}: edges[${k}]`;
    if (Array.isArray(raw) && raw.length >= 2) {
      if (raw.length > 2) weighted = true;
      return [String(raw[0]), String(raw[1]), raw.length > 2 ? Number(raw[2]) : 1, at];
    }
    const r = raw as Record<string, unknown>;
    if (!r || typeof r !== "object" || r.source === undefined || r.target === undefined)
      bad(file, `edge ${k} is neither [source, target] nor {"source", "target"}`);
    if (r.weight !== undefined) weighted = true;
    const relation = r.relation === undefined || r.relation === null ? undefined : String(r.relation);
    return [String(r.source), String(r.target), r.weight === undefined ? 1 : Number(r.weight), at, relation];
  });
  return { file, rows, edges, directed: d.directed === true, weighted, relations: d.relations };
}

function readCsvPair(dir: string): GraphFileParts {
  const nodesFile = join(dir, "nodes.csv");
  const edgesFile = join(dir, "edges.csv");
  for (const f of [nodesFile, edgesFile]) if (!existsSync(f)) bad(dir, `missing ${basename(f)} (a CSV graph is nodes.csv + edges.csv)`);
  const nodes = parseCsv(readFileSync(nodesFile, "utf8"), {}, nodesFile);
  if (!nodes.columns.includes("id")) bad(nodesFile, `needs an "id" column, has ${nodes.columns.join(", ")}`);
  const featCols = nodes.columns.filter((c) => c !== "id" && c !== "label" && c !== "split");
  const rows: NodeRow[] = nodes.rows.map((r, i) => ({
    at: `${nodesFile}:${nodes.lines?.[i] ?? i + 2}`,
    id: r.id!,
    features: featCols.length > 0 ? featCols.map((c) => Number(r[c])) : undefined,
    label: r.label,
    split: r.split || undefined,
  }));
  const edges = parseCsv(readFileSync(edgesFile, "utf8"), {}, edgesFile);
  if (!edges.columns.includes("source") || !edges.columns.includes("target"))
    bad(edgesFile, `needs "source" and "target" columns, has ${edges.columns.join(", ")}`);
  const weighted = edges.columns.includes("weight");
  const list = edges.rows.map((r, k): EdgeRow => {
    const at = `${edgesFile}:${edges.lines?.[k] ?? k + 2}`;
    if (weighted && !Number.isFinite(Number(r.weight))) badAt(at, `edge ${r.source} → ${r.target} has weight "${r.weight}", not a number`);
    return [r.source!, r.target!, weighted ? Number(r.weight) : 1, at, edges.columns.includes("relation") ? r.relation : undefined];
  });
  return { file: dir, rows, edges: list, directed: false, weighted };
}

/** Reads a graph file's nodes and edges without building the graph. */
export function readGraphParts(path: string): GraphFileParts {
  if (!existsSync(path)) throw new FlambeauError("E_IO", `readGraphFile: ${path} does not exist`, "readGraphFile");
  if (statSync(path).isDirectory()) return readCsvPair(path);
  if (path.endsWith(".json")) return readJson(path);
  if (path.endsWith(".csv")) return readCsvPair(dirname(path));
  return bad(path, `unknown graph format; expected ${GRAPH_FILE_FORMAT}`);
}

/** Reads a labelled graph from a .json file or a nodes.csv + edges.csv folder (see GRAPH_FILE_FORMAT). */
export function readGraphFile(path: string, o: ReadGraphOptions = {}): Graph {
  return buildGraph(readGraphParts(path), o);
}
