// A graph whose edges carry a relation (a knowledge graph with node features): the Graph (one
// directed edge per fact, source → target), the relation id of each edge, and the relations'
// names. Relational layers (RGCNConv, CompGCNConv) read edgeType beside edgeIndex.
import { FlambeauError } from "../core/errors.js";
import { cat, type Tensor, tidy } from "../core/index.js";
import { checkEdgeType } from "./edge-index.js";
import type { Graph } from "./graph.js";

export interface TypedGraph {
  graph: Graph;
  /** int64 [E]: the relation of each edge, in [0, relations.length). */
  edgeType: Tensor;
  relations: readonly string[];
}

/** Checks that edgeType fits the graph's edges and the relation names; returns the typed graph. */
export function typedGraph(graph: Graph, edgeType: Tensor, relations: readonly string[]): TypedGraph {
  if (relations.length === 0) throw new FlambeauError("E_ARG", "typedGraph: no relations named", "typedGraph");
  checkEdgeType("typedGraph", edgeType, graph.numEdges, relations.length);
  return { graph, edgeType: edgeType.keep(), relations };
}

/**
 * Every edge u →r v plus its inverse v →(r + R) u (Schlichtkrull et al. add the inverse
 * relations so that messages flow both ways, each direction with its own weights).
 */
export function withInverses(edgeIndex: Tensor, edgeType: Tensor, numRelations: number): { edgeIndex: Tensor; edgeType: Tensor } {
  return tidy(() => ({
    edgeIndex: cat([edgeIndex, edgeIndex.flip([0])], 1),
    edgeType: cat([edgeType, edgeType.add(numRelations)]),
  }));
}

const INVERSES = new WeakMap<TypedGraph, { edgeIndex: Tensor; edgeType: Tensor }>();

/** withInverses of a typed graph, built once per graph (training, validation and scoring share it). */
export function inversesOf(t: TypedGraph): { edgeIndex: Tensor; edgeType: Tensor } {
  let inv = INVERSES.get(t);
  if (!inv) {
    const both = withInverses(t.graph.edgeIndex, t.edgeType, t.relations.length);
    inv = { edgeIndex: both.edgeIndex.keep(), edgeType: both.edgeType.keep() };
    INVERSES.set(t, inv);
  }
  return inv;
}
