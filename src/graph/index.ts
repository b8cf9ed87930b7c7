// graph: graph data (COO edge index, batching, neighbour sampling, conversions), message
// passing layers (GCN, GraphSAGE, GAT, GIN, GraphConv, pooling) and the graph tasks.
export { batchGraphs } from "./batch.js";
export { ClusterSampler, defaultClusterSizes } from "./cluster-sampler.js";
export * as community from "./community/index.js";
export * from "./conv/index.js";
export { type FromGraphologyOptions, fromGraphology, type GraphologyGraph, NodeIds, parseEdgeList, toGraphology } from "./convert.js";
export {
  addRemainingSelfLoops,
  addSelfLoops,
  checkEdgeIndex,
  checkEdgeType,
  coalesce,
  degree,
  edgeIndexFrom,
  type GcnNormOptions,
  gcnNorm,
  removeSelfLoops,
  toUndirected,
} from "./edge-index.js";
export * from "./features/index.js";
export * as generation from "./generation/index.js";
export { Graph, type GraphInit } from "./graph.js";
export { GRAPH_FILE_FORMAT, type ReadGraphOptions, readGraphFile } from "./graph-file.js";
export { GINEConv } from "./models/gine-conv.js";
export { MOLECULE_MODELS, MoleculeModel, type MoleculeModelHyper, type MoleculeModelName } from "./models/molecule-models.js";
export { MoleculeVGAE, type MoleculeVgaeHyper } from "./models/molecule-vgae.js";
export {
  RELATIONAL_MODELS,
  RelationalModel,
  type RelationalModelHyper,
  type RelationalModelName,
} from "./models/relational-models.js";
export * from "./molecules/index.js";
export { edgeCut, type Partition, type PartitionOptions, partitionGraph, randomPartition } from "./partition.js";
export { type Csr, csrSource, incomingCsr, NeighborSampler, type SampledSubgraph } from "./sampler.js";
export { AGGREGATIONS, type Aggregation, scatter, segmentSoftmax } from "./scatter.js";
export * from "./store/index.js";
export { inversesOf, type TypedGraph, typedGraph, withInverses } from "./typed-graph.js";
export { readTypedGraphFile, TYPED_GRAPH_FORMAT } from "./typed-graph-file.js";
