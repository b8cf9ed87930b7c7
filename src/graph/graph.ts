// Graph: one graph (or a batch of graphs) as tensors — a COO edge index int64 [2, E]
// (row 0 = source, row 1 = target), node features x [N, F], edge weights/attributes, labels,
// train/val/test masks, and for batches PyG's `batch` vector (graph id per node).
import { FlambeauError } from "../core/errors.js";
import { type Tensor, tidy } from "../core/index.js";
import {
  addSelfLoops,
  checkEdgeIndex,
  degree,
  edgeIndexFrom,
  type GcnNormOptions,
  gcnNorm,
  removeSelfLoops,
  toUndirected,
} from "./edge-index.js";

export interface GraphInit {
  /** int64 [2, E] or [source, target] pairs. */
  edgeIndex: Tensor | readonly (readonly [number, number])[];
  /** Defaults to x's rows, else 1 + the largest node id. */
  numNodes?: number;
  x?: Tensor | null;
  /** One weight per edge [E]. */
  edgeWeight?: Tensor | null;
  /** Edge features [E, D]. */
  edgeAttr?: Tensor | null;
  /** Node labels [N] (int64 classes) or graph labels. */
  y?: Tensor | null;
  trainMask?: Tensor | null;
  valMask?: Tensor | null;
  testMask?: Tensor | null;
  /** Graph id of each node [N] for batched graphs. */
  batch?: Tensor | null;
  /** False when every edge is meant in both directions (both are stored). Default true. */
  directed?: boolean;
  /** Names of the nodes, for conversion and display. */
  nodeNames?: readonly string[];
  /** Names of the classes in y. */
  classes?: readonly string[];
}

const rowsOf = (t: Tensor | null | undefined): number | undefined => (t ? t.shape[0] : undefined);

export class Graph {
  readonly edgeIndex: Tensor;
  readonly numNodes: number;
  readonly x: Tensor | null;
  readonly edgeWeight: Tensor | null;
  readonly edgeAttr: Tensor | null;
  readonly y: Tensor | null;
  readonly trainMask: Tensor | null;
  readonly valMask: Tensor | null;
  readonly testMask: Tensor | null;
  readonly batch: Tensor | null;
  readonly directed: boolean;
  readonly nodeNames: readonly string[] | undefined;
  readonly classes: readonly string[] | undefined;

  constructor(init: GraphInit) {
    const ei = Array.isArray(init.edgeIndex) ? edgeIndexFrom(init.edgeIndex) : (init.edgeIndex as Tensor);
    let n = init.numNodes ?? rowsOf(init.x);
    if (n === undefined) n = ei.ndim === 2 && ei.shape[1]! > 0 ? Number(tidy(() => ei.max().item())) + 1 : 0;
    checkEdgeIndex("Graph", ei, n);
    const e = ei.shape[1]!;
    const perNode = (name: string, t: Tensor | null | undefined): Tensor | null => {
      if (!t) return null;
      if (t.ndim < 1 || t.shape[0] !== n)
        throw new FlambeauError(
          "E_SHAPE",
          `Graph: ${name} has ${t.ndim < 1 ? "no" : t.shape[0]} rows but the graph has ${n} nodes`,
          "Graph",
        );
      return t.keep();
    };
    const perEdge = (name: string, t: Tensor | null | undefined): Tensor | null => {
      if (!t) return null;
      if (t.ndim < 1 || t.shape[0] !== e)
        throw new FlambeauError(
          "E_SHAPE",
          `Graph: ${name} has ${t.ndim < 1 ? "no" : t.shape[0]} rows but the graph has ${e} edges`,
          "Graph",
        );
      return t.keep();
    };
    this.edgeIndex = ei.keep();
    this.numNodes = n;
    this.x = perNode("x", init.x);
    this.edgeWeight = perEdge("edgeWeight", init.edgeWeight);
    if (this.edgeWeight && this.edgeWeight.ndim !== 1)
      throw new FlambeauError("E_SHAPE", `Graph: edgeWeight must be 1-D [E], got [${this.edgeWeight.shape.join(", ")}]`, "Graph");
    this.edgeAttr = perEdge("edgeAttr", init.edgeAttr);
    this.batch = perNode("batch", init.batch);
    // Graph-level labels (batches) have one row per graph, not per node.
    // A single graph may carry one graph-level label instead of node labels.
    this.y = init.batch || init.y?.shape[0] === 1 ? (init.y?.keep() ?? null) : perNode("y", init.y);
    this.trainMask = perNode("trainMask", init.trainMask);
    this.valMask = perNode("valMask", init.valMask);
    this.testMask = perNode("testMask", init.testMask);
    this.directed = init.directed ?? true;
    if (init.nodeNames && init.nodeNames.length !== n)
      throw new FlambeauError("E_SHAPE", `Graph: ${init.nodeNames.length} node names for ${n} nodes`, "Graph");
    this.nodeNames = init.nodeNames;
    this.classes = init.classes;
  }

  get numEdges(): number {
    return this.edgeIndex.shape[1]!;
  }
  get numFeatures(): number {
    return this.x ? (this.x.ndim > 1 ? this.x.shape[1]! : 1) : 0;
  }
  get numClasses(): number {
    if (this.classes) return this.classes.length;
    return this.y ? Number(tidy(() => this.y!.max().item())) + 1 : 0;
  }
  /** Number of graphs in a batch (1 for a plain graph). */
  get numGraphs(): number {
    return this.batch && this.numNodes > 0 ? Number(tidy(() => this.batch!.max().item())) + 1 : 1;
  }

  /** A copy with some fields replaced (tensors are shared, not copied). */
  with(changes: Partial<GraphInit>): Graph {
    return new Graph({
      edgeIndex: this.edgeIndex,
      numNodes: this.numNodes,
      x: this.x,
      edgeWeight: this.edgeWeight,
      edgeAttr: this.edgeAttr,
      y: this.y,
      trainMask: this.trainMask,
      valMask: this.valMask,
      testMask: this.testMask,
      batch: this.batch,
      directed: this.directed,
      nodeNames: this.nodeNames,
      classes: this.classes,
      ...changes,
    });
  }

  hasSelfLoops(): boolean {
    return tidy(() => this.edgeIndex.select(0, 0).eq(this.edgeIndex.select(0, 1)).any().itemBool());
  }
  /** One loop i → i per node appended (weight `fill` when the graph is weighted). */
  addSelfLoops(fill = 1): Graph {
    if (this.edgeAttr)
      throw new FlambeauError(
        "E_STATE",
        "Graph.addSelfLoops: the graph has edgeAttr; give loops their attributes by hand",
        "Graph.addSelfLoops",
      );
    const r = addSelfLoops(this.edgeIndex, this.numNodes, this.edgeWeight, fill);
    return this.with({ edgeIndex: r.edgeIndex, edgeWeight: r.edgeWeight });
  }
  removeSelfLoops(): Graph {
    if (this.edgeAttr)
      throw new FlambeauError(
        "E_STATE",
        "Graph.removeSelfLoops: the graph has edgeAttr, which this does not filter",
        "Graph.removeSelfLoops",
      );
    const r = removeSelfLoops(this.edgeIndex, this.edgeWeight);
    return this.with({ edgeIndex: r.edgeIndex, edgeWeight: r.edgeWeight });
  }
  /** Every edge in both directions, duplicates merged (weights summed), sorted by (source, target). */
  toUndirected(): Graph {
    if (this.edgeAttr)
      throw new FlambeauError("E_STATE", "Graph.toUndirected: the graph has edgeAttr, which this does not merge", "Graph.toUndirected");
    const r = toUndirected(this.edgeIndex, this.numNodes, this.edgeWeight);
    return this.with({ edgeIndex: r.edgeIndex, edgeWeight: r.edgeWeight, directed: false });
  }
  /** In-degree (edges arriving at each node, the nodes a layer aggregates into) or out-degree. */
  degree(which: "in" | "out" = "in"): Tensor {
    return degree(this.edgeIndex.select(0, which === "in" ? 1 : 0), this.numNodes);
  }
  /** GCN's symmetric normalisation as edge weights (self-loops added). */
  gcnNorm(o: Omit<GcnNormOptions, "edgeWeight"> = {}): { edgeIndex: Tensor; edgeWeight: Tensor } {
    return gcnNorm(this.edgeIndex, this.numNodes, { ...o, edgeWeight: this.edgeWeight });
  }

  toString(): string {
    const parts = [`numNodes=${this.numNodes}`, `numEdges=${this.numEdges}`];
    if (this.x) parts.push(`x=[${this.x.shape.join(", ")}]`);
    if (this.y) parts.push(`y=[${this.y.shape.join(", ")}]`);
    if (this.batch) parts.push(`numGraphs=${this.numGraphs}`);
    parts.push(this.directed ? "directed" : "undirected");
    return `Graph(${parts.join(", ")})`;
  }

  /** Frees the graph's tensors (shared tensors of graphs made with `with` go too). */
  dispose(): void {
    for (const t of [
      this.edgeIndex,
      this.x,
      this.edgeWeight,
      this.edgeAttr,
      this.y,
      this.trainMask,
      this.valMask,
      this.testMask,
      this.batch,
    ])
      if (t && !t.disposed) t.dispose();
  }
}
