// Resolving a task's --data: a built-in data set name or a graph file.
import { existsSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { eye, tidy } from "../../core/index.js";
import { Graph } from "../graph.js";
import { GRAPH_FILE_FORMAT, readGraphFile } from "../graph-file.js";
import { isStoreSpec } from "../store/graph-store.js";
import { loadStoreGraph } from "../store/load-graph.js";
import { debianPackageGraph } from "./debian-packages.js";
import { karateClub } from "./karate.js";
import { randomNodeSplit } from "./split.js";

export { debianPackageGraph, loadPackageIndex, type PackageGraphOptions, parsePackages } from "./debian-packages.js";
export { karateClub, karateGraphology } from "./karate.js";
export { randomNodeSplit } from "./split.js";
export { wormNet } from "./wormnet.js";

export const NODE_DATASETS = ["karate", "debian-packages"] as const;

/** Split of the package graph: 20% train, 10% validation, 70% test, seeded. */
export const PACKAGE_SPLIT = { train: 0.2, val: 0.1 } as const;

/** A labelled graph with train/val/test masks for node classification. */
export async function loadNodeData(
  spec: string,
  o: { seed?: number; log?: (s: string) => void } = {},
): Promise<{ graph: Graph; source: string }> {
  const seed = o.seed ?? 0;
  if (spec === "karate") return { graph: karateClub(), source: "karate" };
  if (spec === "debian-packages" || spec === "packages") {
    const { graph } = await debianPackageGraph({ log: o.log });
    return { graph: graph.with(randomNodeSplit(graph.y!, PACKAGE_SPLIT, seed)), source: "debian-packages" };
  }
  // A graph store is loaded whole here (full-graph training); --sampler neighbor reads it by offset.
  if (isStoreSpec(spec)) return { graph: loadStoreGraph(spec), source: spec };
  if (!existsSync(spec))
    throw new FlambeauError(
      "E_IO",
      `node data "${spec}" is neither a built-in set (${NODE_DATASETS.join(", ")}) nor an existing file; expected ${GRAPH_FILE_FORMAT}`,
    );
  let g = readGraphFile(spec);
  if (!g.y) throw new FlambeauError("E_FORMAT", `${spec}: no node has a label; node classification needs "label" on (some) nodes`);
  // Featureless graphs get one-hot node ids (small graphs) or nothing but a constant.
  if (!g.x) g = g.with({ x: g.numNodes <= 4096 ? eye(g.numNodes) : tidy(() => g.degree().add(1).log().view(-1, 1)) });
  if (!g.trainMask) g = g.with(randomNodeSplit(g.y!, { train: 0.6, val: 0.2 }, seed));
  if (g.directed) g = g.toUndirected();
  return { graph: g instanceof Graph ? g : g, source: spec };
}
