// Communities against planted truth: planted-partition graphs (stochastic block model) over a
// range of mixing μ, each clustered by Louvain (graphology) and by DMoN (a GCN trained on the
// modularity objective, no labels), scored by NMI and ARI against the planted blocks.
import { eye } from "../../core/index.js";
import { adjustedRandIndex, louvain, normalizedMutualInfo } from "../communities.js";
import { plantedPartition } from "../datasets/planted.js";
import { dmonClusters } from "../models/dmon.js";

export interface PlantedRow {
  mu: number;
  edges: number;
  louvain: { nmi: number; ari: number; count: number };
  dmon: { nmi: number; ari: number; count: number };
}

export interface PlantedBenchmarkOptions {
  mus?: readonly number[];
  nodes?: number;
  blocks?: number;
  degree?: number;
  seed?: number;
  epochs?: number;
  log?: (line: string) => void;
}

export async function plantedCommunityBenchmark(o: PlantedBenchmarkOptions = {}): Promise<PlantedRow[]> {
  const rows: PlantedRow[] = [];
  const k = o.blocks ?? 5;
  for (const mu of o.mus ?? [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]) {
    const g0 = plantedPartition({ nodes: o.nodes ?? 500, blocks: k, degree: o.degree ?? 16, mu, seed: o.seed ?? 0 });
    // Featureless: one-hot ids, so the GCN's first layer is a learned embedding per node.
    const g = g0.with({ x: eye(g0.numNodes) });
    const truth = Int32Array.from(g.y!.data() as BigInt64Array, Number);
    const score = (labels: Int32Array) => ({
      nmi: normalizedMutualInfo(labels, truth),
      ari: adjustedRandIndex(labels, truth),
      count: new Set(labels).size,
    });
    const lv = louvain(g, { seed: o.seed ?? 0 });
    const dm = await dmonClusters(g, { k, epochs: o.epochs ?? 300, seed: o.seed ?? 0 });
    const row = { mu, edges: g.numEdges / 2, louvain: score(lv.labels), dmon: score(dm.labels) };
    o.log?.(
      `μ ${mu.toFixed(2)}: ${row.edges} edges; Louvain NMI ${row.louvain.nmi.toFixed(3)} ARI ${row.louvain.ari.toFixed(3)} (${row.louvain.count} communities); ` +
        `DMoN NMI ${row.dmon.nmi.toFixed(3)} ARI ${row.dmon.ari.toFixed(3)} (${row.dmon.count})`,
    );
    rows.push(row);
    g.x?.dispose();
  }
  return rows;
}
