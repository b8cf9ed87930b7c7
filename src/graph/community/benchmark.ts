// NMI and ARI against planted truth as the mixing μ grows: LFR benchmark graphs or planted
// partitions (stochastic block model), each method run on the same graph per μ.
import { plantedPartition } from "../datasets/planted.js";
import type { Graph } from "../graph.js";
import { agreement, type CommunityMethod, detectCommunities } from "./detect.js";
import { lfrBenchmark } from "./lfr.js";

export interface MethodScore {
  nmi: number;
  ari: number;
  modularity: number;
  count: number;
  seconds: number;
}

export interface BenchmarkRow {
  mu: number;
  edges: number;
  /** Communities planted. */
  planted: number;
  scores: Partial<Record<CommunityMethod, MethodScore>>;
}

export interface CommunityBenchmarkOptions {
  data: "lfr" | "sbm";
  mus: readonly number[];
  methods: readonly CommunityMethod[];
  seed?: number;
  /** Deep methods' epochs (each method's default otherwise). */
  epochs?: number;
  log?: (line: string) => void;
}

/** A graph with planted communities for one μ: LFR with the standard parameters, or 500 nodes in 5 blocks of expected degree 16. */
export function plantedGraph(data: "lfr" | "sbm", mu: number, seed: number): { graph: Graph; truth: Int32Array } {
  if (data === "lfr") {
    const r = lfrBenchmark({ mu, seed });
    return { graph: r.graph, truth: r.community };
  }
  const graph = plantedPartition({ nodes: 500, blocks: 5, degree: 16, mu, seed });
  return { graph, truth: Int32Array.from(graph.y!.data() as BigInt64Array, Number) };
}

export async function communityBenchmark(o: CommunityBenchmarkOptions): Promise<BenchmarkRow[]> {
  const seed = o.seed ?? 0;
  const rows: BenchmarkRow[] = [];
  for (const mu of o.mus) {
    const { graph, truth } = plantedGraph(o.data, mu, seed);
    const planted = new Set(truth).size;
    const row: BenchmarkRow = { mu, edges: graph.numEdges / 2, planted, scores: {} };
    for (const method of o.methods) {
      // The deep methods are told the planted count, as DMoN's and DGI's papers evaluate them.
      const d = await detectCommunities(graph, method, { k: planted, seed, epochs: o.epochs });
      row.scores[method] = { ...agreement(d.labels, truth), modularity: d.modularity, count: d.count, seconds: d.seconds };
      const s = row.scores[method]!;
      o.log?.(
        `μ ${mu.toFixed(2)} ${method}: NMI ${s.nmi.toFixed(3)} ARI ${s.ari.toFixed(3)} Q ${s.modularity.toFixed(3)} (${s.count} of ${planted} communities, ${s.seconds.toFixed(1)} s)`,
      );
    }
    graph.dispose();
    rows.push(row);
  }
  return rows;
}
