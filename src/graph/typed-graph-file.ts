// Reading a typed graph (a knowledge graph with node features) from the graph-file formats
// with a relation on every edge: edges.csv gains a "relation" column (source,target,relation),
// JSON edges are {"source", "target", "relation"}. The relations are those a relations.csv
// beside edges.csv lists (one "name" per line; id = its row, 0-based) or the JSON's
// "relations" array; without a list they are the names seen, in order. A relation may be
// given by name or by id; ids out of range, unknown names, edges naming missing nodes and
// (with allowSelfLoops false) self-loops are errors naming the line. Typed edges are directed.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { tensor } from "../core/index.js";
import { parseCsv } from "../data/csv.js";
import { buildGraph, GRAPH_FILE_FORMAT, type ReadGraphOptions, readGraphParts } from "./graph-file.js";
import { type TypedGraph, typedGraph } from "./typed-graph.js";

export const TYPED_GRAPH_FORMAT = `${GRAPH_FILE_FORMAT}, with a relation on every edge: edges.csv (source,target,relation) and an optional relations.csv (name) listing the relations (ids = rows from 0), or JSON edges {"source", "target", "relation"} and an optional "relations": [names]`;

const OP = "readTypedGraphFile";
const badAt = (at: string, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `${OP}: ${at}: ${msg}`, OP);
};

/** The declared relation names: relations.csv beside a CSV graph, or the JSON's "relations". */
function declaredRelations(path: string, fromJson: unknown): string[] | null {
  if (fromJson !== undefined) {
    if (!Array.isArray(fromJson) || fromJson.length === 0 || fromJson.some((r) => typeof r !== "string" || r === ""))
      badAt(path, `"relations" must be a non-empty array of relation names`);
    return fromJson as string[];
  }
  const dir = existsSync(path) && statSync(path).isDirectory() ? path : dirname(path);
  const file = join(dir, "relations.csv");
  if (path.endsWith(".json") || !existsSync(file)) return null;
  const t = parseCsv(readFileSync(file, "utf8"), {}, file);
  if (!t.columns.includes("name")) badAt(file, `needs a "name" column, has ${t.columns.join(", ")}`);
  if (t.rows.length === 0) badAt(file, "lists no relations");
  const seen = new Set<string>();
  t.rows.forEach((r, i) => {
    const at = `${file}:${t.lines?.[i] ?? i + 2}`;
    if (!r.name) badAt(at, "empty relation name");
    if (seen.has(r.name!)) badAt(at, `relation "${r.name}" is listed twice`);
    seen.add(r.name!);
  });
  return t.rows.map((r) => r.name!);
}

/** Reads a typed graph (see TYPED_GRAPH_FORMAT); self-loops are allowed unless allowSelfLoops is false. */
export function readTypedGraphFile(path: string, o: ReadGraphOptions = {}): TypedGraph {
  const parts = readGraphParts(path);
  const declared = declaredRelations(path, parts.relations);
  const relations = declared ? [...declared] : [];
  const id = new Map(relations.map((r, i) => [r, i]));
  const types = parts.edges.map(([s, t, , at, rel]) => {
    if (rel === undefined || rel === "") return badAt(at, `edge ${s} → ${t} has no relation (a typed graph needs one on every edge)`);
    const known = id.get(rel);
    if (known !== undefined) return known;
    if (/^-?\d+$/.test(rel)) {
      const k = Number(rel);
      if (declared && k >= 0 && k < declared.length) return k;
      return badAt(
        at,
        declared
          ? `edge ${s} → ${t} has relation id ${k}, outside [0, ${declared.length}) (${declared.length} relations declared: ${declared.join(", ")})`
          : `edge ${s} → ${t} has relation id ${k}, but no relations are declared (give relations.csv or "relations" to use ids)`,
      );
    }
    if (declared) return badAt(at, `edge ${s} → ${t} has relation "${rel}", not one of the declared ${declared.join(", ")}`);
    id.set(rel, relations.length);
    relations.push(rel);
    return relations.length - 1;
  });
  const graph = buildGraph({ ...parts, directed: true, weighted: false }, o);
  return typedGraph(graph, tensor(BigInt64Array.from(types, (k) => BigInt(k))), relations);
}
