// The on-disk graph store: a folder of flat little-endian arrays beside a meta.json, so that a
// sampled mini-batch reads just its nodes' neighbour lists and feature rows by offset.
//   meta.json     {format, numNodes, numEdges, numFeatures, classes, …}
//   indptr.i64    int64 [N + 1]: the sources of node i are indices[indptr[i] … indptr[i+1])
//   indices.i32   int32 [E]: incoming adjacency (both directions of an undirected edge are stored)
//   features.f32  float32 [N, F], row-major
//   labels.i32    int32 [N], -1 for unlabelled
//   split.u8      uint8 [N]: 0 none, 1 train, 2 val, 3 test
import { FlambeauError } from "../../core/errors.js";

export const STORE_FORMAT = "flambeau.graph-store/1";

export const STORE_FILES = {
  meta: "meta.json",
  indptr: "indptr.i64",
  indices: "indices.i32",
  features: "features.f32",
  labels: "labels.i32",
  split: "split.u8",
} as const;

export const SPLIT_CODES = { none: 0, train: 1, val: 2, test: 3 } as const;
export type SplitName = "train" | "val" | "test";

export interface StoreMeta {
  format: typeof STORE_FORMAT;
  numNodes: number;
  /** Stored (directed) adjacency entries: an undirected edge counts twice, as PyG's edge_index columns do. */
  numEdges: number;
  numFeatures: number;
  classes: string[];
  directed: boolean;
  /** Where the graph came from (a CSV folder, "rmat …"). */
  source: string;
}

/** `store:DIR` names a store explicitly; a folder holding meta.json of this format is one too. */
export const STORE_PREFIX = "store:";

export function checkMeta(file: string, m: unknown): StoreMeta {
  const bad = (msg: string): never => {
    throw new FlambeauError("E_FORMAT", `GraphStore: ${file}: ${msg}`, "GraphStore");
  };
  if (!m || typeof m !== "object") return bad("not a JSON object");
  const r = m as Record<string, unknown>;
  if (r.format !== STORE_FORMAT) bad(`format is ${JSON.stringify(r.format)}, expected "${STORE_FORMAT}"`);
  for (const k of ["numNodes", "numEdges", "numFeatures"])
    if (!Number.isSafeInteger(r[k]) || (r[k] as number) < 0) bad(`${k} must be a non-negative integer, got ${JSON.stringify(r[k])}`);
  if (!Array.isArray(r.classes) || r.classes.some((c) => typeof c !== "string")) bad("classes must be an array of strings");
  return r as unknown as StoreMeta;
}
