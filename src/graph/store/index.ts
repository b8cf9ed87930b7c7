export { convertCsvToStore } from "./convert-csv.js";
export { SPLIT_CODES, type SplitName, STORE_FILES, STORE_FORMAT, STORE_PREFIX, type StoreMeta } from "./format.js";
export { GraphStore, type GraphStoreOptions, isStoreSpec, storeDir } from "./graph-store.js";
export { loadStoreGraph } from "./load-graph.js";
export { generateRmat, type RmatOptions } from "./rmat.js";
export { graphSource, type NeighborLists, type NeighborSource, type NodeDataSource } from "./source.js";
export { type EdgeStream, StoreWriter } from "./writer.js";
