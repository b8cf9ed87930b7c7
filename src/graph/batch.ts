// Batching small graphs into one disconnected graph, PyG-style: node ids are offset by the
// nodes before them, features concatenated, and `batch[i]` names the graph node i came from.
import { FlambeauError } from "../core/errors.js";
import { cat, full, type Tensor, tidy } from "../core/index.js";
import { Graph } from "./graph.js";

function catOrNull(op: string, name: string, ts: (Tensor | null)[]): Tensor | null {
  const present = ts.filter((t) => t !== null).length;
  if (present === 0) return null;
  if (present !== ts.length)
    throw new FlambeauError("E_ARG", `${op}: ${name} is set on ${present} of ${ts.length} graphs; set it on all or none`, op);
  return cat(ts as Tensor[]);
}

/** One graph holding `graphs` side by side; `ptr[g]` is graph g's first node. */
export function batchGraphs(graphs: readonly Graph[]): { graph: Graph; ptr: number[] } {
  if (graphs.length === 0) throw new FlambeauError("E_ARG", "batchGraphs: needs at least one graph", "batchGraphs");
  const ptr = [0];
  for (const g of graphs) ptr.push(ptr[ptr.length - 1]! + g.numNodes);
  const parts = tidy(() => {
    const edgeIndex = cat(
      graphs.map((g, k) => g.edgeIndex.add(ptr[k]!)),
      1,
    );
    const batch = cat(graphs.map((g, k) => full([g.numNodes], k, { dtype: "int64" })));
    // Graph-level labels stay one per graph: a scalar or [1, …] label each.
    const ys = graphs.map((g) => (g.y ? (g.y.ndim === 0 ? g.y.view(1) : g.y) : null));
    return {
      edgeIndex,
      batch,
      x: catOrNull(
        "batchGraphs",
        "x",
        graphs.map((g) => g.x),
      ),
      edgeWeight: catOrNull(
        "batchGraphs",
        "edgeWeight",
        graphs.map((g) => g.edgeWeight),
      ),
      edgeAttr: catOrNull(
        "batchGraphs",
        "edgeAttr",
        graphs.map((g) => g.edgeAttr),
      ),
      y: catOrNull("batchGraphs", "y", ys),
    };
  });
  const graph = new Graph({ ...parts, numNodes: ptr[ptr.length - 1]!, directed: graphs.every((g) => g.directed) });
  return { graph, ptr };
}
