// Conversion between Graph and graphology, and reading edge lists: node names (any strings)
// become dense ids 0 … N-1 in order of first appearance.
import { DirectedGraph, UndirectedGraph } from "graphology";
import type { AbstractGraph } from "graphology-types";
import { FlambeauError } from "../core/errors.js";
import { tensor } from "../core/index.js";
import { Graph } from "./graph.js";

type Attrs = Record<string, unknown>;
/** The graphology graph type (any of its variants). */
export type GraphologyGraph = AbstractGraph;

export interface FromGraphologyOptions {
  /** Node attribute holding a numeric feature vector. */
  features?: string;
  /** Node attribute holding the class (string or number); classes are sorted by name. */
  label?: string;
  /** Edge attribute holding a numeric weight. */
  weight?: string;
}

/** A Graph from a graphology graph; undirected edges are stored in both directions. */
export function fromGraphology(g: GraphologyGraph, o: FromGraphologyOptions = {}): Graph {
  const names: string[] = g.nodes();
  const id = new Map(names.map((n, i) => [n, i]));
  const src: number[] = [];
  const dst: number[] = [];
  const w: number[] = [];
  g.forEachEdge((_e: string, attrs: Attrs, s: string, t: string, _sa: Attrs, _ta: Attrs, undirected: boolean) => {
    const a = id.get(s)!;
    const b = id.get(t)!;
    const weight = o.weight ? Number(attrs[o.weight] ?? 1) : 1;
    src.push(a);
    dst.push(b);
    w.push(weight);
    if (undirected && a !== b) {
      src.push(b);
      dst.push(a);
      w.push(weight);
    }
  });
  const e = src.length;
  const ei = new BigInt64Array(2 * e);
  for (let k = 0; k < e; k++) {
    ei[k] = BigInt(src[k]!);
    ei[e + k] = BigInt(dst[k]!);
  }
  let x = null;
  if (o.features) {
    const rows = names.map((n) => g.getNodeAttribute(n, o.features!) as unknown);
    const f = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : -1;
    rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== f)
        throw new FlambeauError(
          "E_FORMAT",
          `fromGraphology: node "${names[i]}" attribute "${o.features}" is not a numeric array of length ${f}`,
        );
    });
    x = tensor(Float32Array.from((rows as number[][]).flat()), { shape: [names.length, f] });
  }
  let y = null;
  let classes: string[] | undefined;
  if (o.label) {
    const raw = names.map((n) => g.getNodeAttribute(n, o.label!) as unknown);
    const cls = [...new Set(raw.map(String))].sort();
    classes = cls;
    const cid = new Map(cls.map((c, i) => [c, i]));
    y = tensor(
      BigInt64Array.from(raw, (v) => BigInt(cid.get(String(v))!)),
      { shape: [names.length] },
    );
  }
  return new Graph({
    edgeIndex: tensor(ei, { shape: [2, e] }),
    numNodes: names.length,
    edgeWeight: o.weight ? tensor(Float32Array.from(w)) : null,
    x,
    y,
    classes,
    directed: g.type === "directed",
    nodeNames: names,
  });
}

/** A graphology graph of `graph` (an undirected one holds each reversed pair once); node keys are the node names or ids. */
export function toGraphology(graph: Graph, o: { labels?: ArrayLike<number | string> } = {}): GraphologyGraph {
  const g: AbstractGraph = graph.directed ? new DirectedGraph({ allowSelfLoops: true }) : new UndirectedGraph({ allowSelfLoops: true });
  const key = (i: number): string => graph.nodeNames?.[i] ?? String(i);
  for (let i = 0; i < graph.numNodes; i++) g.addNode(key(i), o.labels ? { label: o.labels[i] } : {});
  const d = graph.edgeIndex.data() as BigInt64Array;
  const e = graph.numEdges;
  const w = graph.edgeWeight ? (graph.edgeWeight.float().data() as Float32Array) : null;
  for (let k = 0; k < e; k++) {
    const s = key(Number(d[k]));
    const t = key(Number(d[e + k]));
    if (!g.hasEdge(s, t)) g.addEdge(s, t, w ? { weight: w[k] } : {});
  }
  return g;
}

/** Maps node names to dense ids in order of first appearance. */
export class NodeIds {
  readonly names: string[] = [];
  readonly #ids = new Map<string, number>();
  id(name: string): number {
    let i = this.#ids.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.#ids.set(name, i);
      this.names.push(name);
    }
    return i;
  }
  get(name: string): number | undefined {
    return this.#ids.get(name);
  }
  get size(): number {
    return this.names.length;
  }
}

export interface EdgeListOptions {
  /** Field separator; default: runs of whitespace, or "," when the first data line has one. */
  delimiter?: string;
  directed?: boolean;
  /** Known node names (fixes their ids); names not in it are errors when `strict`. */
  nodes?: NodeIds;
  strict?: boolean;
  /** Self-loops ("a a") are errors when false (default: allowed). */
  allowSelfLoops?: boolean;
}

/**
 * Parses "source target [weight]" lines (# comments and blank lines skipped) into a Graph.
 * Undirected lists get both directions.
 */
export function parseEdgeList(text: string, o: EdgeListOptions = {}, source = "<text>"): Graph {
  const ids = o.nodes ?? new NodeIds();
  const src: number[] = [];
  const dst: number[] = [];
  const w: number[] = [];
  let weighted = false;
  const lines = text.split(/\r?\n/);
  let delim = o.delimiter;
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (delim === undefined) delim = line.includes(",") ? "," : "";
    const f = (delim === "" ? line.split(/\s+/) : line.split(delim)).map((s) => s.trim());
    if (f.length < 2 || f[0] === "" || f[1] === "")
      throw new FlambeauError(
        "E_FORMAT",
        `parseEdgeList: ${source}:${ln + 1}: expected "source target [weight]", got "${line.slice(0, 80)}"`,
      );
    const has = f.length >= 3 && f[2] !== "";
    if (has) weighted = true;
    const id = (name: string): number => {
      if (o.strict && ids.get(name) === undefined)
        throw new FlambeauError("E_FORMAT", `parseEdgeList: ${source}:${ln + 1}: node "${name}" is not in the node list`);
      return ids.id(name);
    };
    if (o.allowSelfLoops === false && f[0] === f[1])
      throw new FlambeauError("E_FORMAT", `parseEdgeList: ${source}:${ln + 1}: self-loop "${f[0]}" → "${f[1]}" is not allowed`);
    const a = id(f[0]!);
    const b = id(f[1]!);
    let weight = 1;
    if (has) {
      weight = Number(f[2]);
      if (!Number.isFinite(weight))
        throw new FlambeauError("E_FORMAT", `parseEdgeList: ${source}:${ln + 1}: weight "${f[2]}" is not a number`);
    }
    src.push(a);
    dst.push(b);
    w.push(weight);
    if (o.directed === false && a !== b) {
      src.push(b);
      dst.push(a);
      w.push(weight);
    }
  }
  const e = src.length;
  const ei = new BigInt64Array(2 * e);
  for (let k = 0; k < e; k++) {
    ei[k] = BigInt(src[k]!);
    ei[e + k] = BigInt(dst[k]!);
  }
  return new Graph({
    edgeIndex: tensor(ei, { shape: [2, e] }),
    numNodes: ids.size,
    edgeWeight: weighted ? tensor(Float32Array.from(w)) : null,
    directed: o.directed ?? true,
    nodeNames: ids.names.slice(),
  });
}
