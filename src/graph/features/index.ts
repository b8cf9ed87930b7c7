// Hand-made node features: structure (degree, clustering, PageRank), neighbour-label histograms, and the shallow pipeline of `flambeau compare`.
export * from "./adjacency.js";
export * from "./neighbour-labels.js";
export * from "./node-features.js";
export * from "./pipeline.js";
export * from "./structure.js";
