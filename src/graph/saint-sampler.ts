// GraphSAINT's random-walk sampler (Zeng et al. 2020): from each root, one walk of `walkLength`
// steps along incoming edges; the subgraph is induced on every node visited, so a model runs
// all its layers on one small graph. The loss normalisation of the paper (coefficients from
// pre-sampled coverage) is left out, as PyG's GraphSAINTRandomWalkSampler does with
// sample_coverage = 0. Neighbour lists come from any NeighborSource (memory or the store).
import { FlambeauError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import { Random } from "../data/random.js";
import { inducedEdgeIndex, type NeighborSource } from "./store/source.js";

export interface WalkSubgraph {
  /** Global ids; the roots first (distinct, in the order given). */
  nodes: Int32Array;
  /** Local int64 [2, E'] of every stored edge between two visited nodes. */
  edgeIndex: Tensor;
}

export class RandomWalkSampler {
  readonly source: NeighborSource;
  readonly walkLength: number;
  readonly #rng: Random;
  constructor(source: NeighborSource, o: { walkLength: number; seed?: number }) {
    if (!Number.isInteger(o.walkLength) || o.walkLength < 1)
      throw new FlambeauError("E_ARG", `RandomWalkSampler: walkLength must be a positive integer, got ${o.walkLength}`);
    this.source = source;
    this.walkLength = o.walkLength;
    this.#rng = new Random(o.seed ?? 0, 5);
  }

  sample(roots: ArrayLike<number>): WalkSubgraph {
    const n = this.source.numNodes;
    const local = new Map<number, number>();
    const nodes: number[] = [];
    const visit = (v: number) => {
      if (!local.has(v)) {
        local.set(v, nodes.length);
        nodes.push(v);
      }
    };
    let at: number[] = [];
    for (let k = 0; k < roots.length; k++) {
      const r = roots[k]!;
      if (!Number.isInteger(r) || r < 0 || r >= n)
        throw new FlambeauError("E_ARG", `RandomWalkSampler.sample: root ${r} is outside [0, ${n})`);
      visit(r);
      at.push(r);
    }
    // All walkers step together: one neighbour read per step for the whole batch.
    for (let step = 0; step < this.walkLength; step++) {
      const { ptr, src } = this.source.neighbors(at);
      at = at.map((v, k) => {
        const deg = ptr[k + 1]! - ptr[k]!;
        // A walker on a node without neighbours stays put.
        const u = deg === 0 ? v : src[ptr[k]! + this.#rng.int(deg)]!;
        visit(u);
        return u;
      });
    }
    // The induced edges: each visited node's neighbours that were visited too.
    const edgeIndex = inducedEdgeIndex(this.source.neighbors(nodes), (u) => local.get(u) ?? -1);
    return { nodes: Int32Array.from(nodes), edgeIndex };
  }
}
