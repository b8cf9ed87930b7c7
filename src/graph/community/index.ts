// Communities against planted truth: Leiden, LFR benchmark graphs, the community methods behind
// one call, and the μ benchmark with its chart.
export { type Adjacency, adjacencyOf, modularityOf } from "./adjacency.js";
export { type BenchmarkRow, type CommunityBenchmarkOptions, communityBenchmark, type MethodScore, plantedGraph } from "./benchmark.js";
export { scoreChartSvg } from "./chart.js";
export { agreement, COMMUNITY_METHODS, type CommunityMethod, type Detected, type DetectOptions, detectCommunities } from "./detect.js";
export { DGI, dgiClusters, type EmbeddingClusterOptions, gnnKMeansClusters } from "./embedding-clusters.js";
export { type LeidenOptions, type LeidenResult, leiden, leidenOn } from "./leiden.js";
export { LFR_DEFAULTS, type LfrGraph, type LfrOptions, lfrBenchmark } from "./lfr.js";
