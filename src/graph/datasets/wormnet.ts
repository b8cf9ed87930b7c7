// WormNet v3 benchmark (C. elegans gene network, shipped as a networkx example by Debian's
// python3-networkx): tab-separated gene pairs, read as an undirected graph.
import { existsSync, readFileSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { parseEdgeList } from "../convert.js";
import type { Graph } from "../graph.js";

export const WORMNET_PATHS = [
  "/usr/share/doc/python3-networkx/examples/algorithms/WormNet.v3.benchmark.txt",
  "/usr/share/doc/networkx-2.8.8/examples/algorithms/WormNet.v3.benchmark.txt",
];

export function wormNet(): Graph {
  const file = WORMNET_PATHS.find((p) => existsSync(p));
  if (!file) throw new FlambeauError("E_IO", `wormnet: not found at ${WORMNET_PATHS.join(" or ")} (install python3-networkx)`);
  return parseEdgeList(readFileSync(file, "utf8"), { directed: false }, file).toUndirected().removeSelfLoops();
}
