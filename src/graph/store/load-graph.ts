// A whole graph store in memory as a Graph: what full-graph training (the default --sampler
// full) runs on, and the reference the store's tests compare against.
import { tensor } from "../../core/index.js";
import { Graph } from "../graph.js";
import { SPLIT_CODES } from "./format.js";
import { GraphStore } from "./graph-store.js";

export function loadStoreGraph(spec: string): Graph {
  const s = new GraphStore(spec);
  try {
    const n = s.numNodes;
    const ptr = s.readAll("indptr") as BigInt64Array;
    const src = s.readAll("indices") as Int32Array;
    const e = src.length;
    const ei = new BigInt64Array(2 * e);
    for (let k = 0; k < e; k++) ei[k] = BigInt(src[k]!);
    for (let v = 0; v < n; v++) {
      const end = Number(ptr[v + 1]);
      const bv = BigInt(v);
      for (let k = Number(ptr[v]); k < end; k++) ei[e + k] = bv;
    }
    const y = s.readAll("labels") as Int32Array;
    const split = s.readAll("split") as Uint8Array;
    const mask = (code: number) => tensor(Uint8Array.from(split, (c, i) => (c === code && y[i]! >= 0 ? 1 : 0))).to("bool");
    return new Graph({
      edgeIndex: tensor(ei, { shape: [2, e] }),
      numNodes: n,
      x: tensor(s.readAll("features") as Float32Array, { shape: [n, s.numFeatures] }),
      y: tensor(
        BigInt64Array.from(y, (v) => BigInt(v)),
        { shape: [n] },
      ),
      classes: s.classes,
      directed: s.meta.directed,
      trainMask: mask(SPLIT_CODES.train),
      valMask: mask(SPLIT_CODES.val),
      testMask: mask(SPLIT_CODES.test),
    });
  } finally {
    s.close();
  }
}
