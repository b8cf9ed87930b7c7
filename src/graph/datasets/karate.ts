// Zachary's karate club (graphology-generators' copy): 34 members, 78 friendships, and the
// club each joined after the split ("Mr. Hi" or "Officer").
import { createRequire } from "node:module";
import { UndirectedGraph } from "graphology";
import { eye, tensor } from "../../core/index.js";
import { fromGraphology, type GraphologyGraph } from "../convert.js";
import type { Graph } from "../graph.js";

// The generator is CommonJS with a default-export typing that NodeNext cannot see through.
const karateGenerator = createRequire(import.meta.url)("graphology-generators/social/karate-club.js") as (G: unknown) => GraphologyGraph;

export function karateGraphology(): GraphologyGraph {
  return karateGenerator(UndirectedGraph);
}

/**
 * The karate club as a Graph: x = one-hot node ids (the members have no other features),
 * y = club, train mask = the two leaders (node 0, Mr. Hi; node 33, the officer), test = the rest.
 */
export function karateClub(): Graph {
  const g = fromGraphology(karateGraphology(), { label: "club" });
  const n = g.numNodes;
  const train = new Uint8Array(n);
  train[0] = 1;
  train[33] = 1;
  const test = train.map((v) => 1 - v);
  return g.with({
    x: eye(n),
    trainMask: tensor(train).to("bool"),
    valMask: tensor(new Uint8Array(n)).to("bool"),
    testMask: tensor(test).to("bool"),
  });
}
