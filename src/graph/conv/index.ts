// Message-passing layers and graph readouts.

export { CompGCNConv, type CompGCNConvOptions } from "./compgcn-conv.js";
export { COMPOSITIONS, type Composition, circularCorrelation, compose } from "./composition.js";
export { GATConv, type GATConvOptions } from "./gat-conv.js";
export { GCNConv, type GCNConvOptions } from "./gcn-conv.js";
export { GINConv } from "./gin-conv.js";
export { GraphConv } from "./graph-conv.js";
export { type EdgeContext, MessagePassing, type MessagePassingOptions } from "./message-passing.js";
export { AttentionalAggregation, globalAddPool, globalMaxPool, globalMeanPool } from "./pool.js";
export { RGCNConv, type RGCNConvOptions } from "./rgcn-conv.js";
export { SAGEConv, type SAGEConvOptions } from "./sage-conv.js";
