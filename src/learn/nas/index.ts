// Architecture search: DARTS (first order) over a small conv cell space, and its comparison with small-cnn.
export { matchChannels, type NasOptions, type NasReport, runNas, trainClassifier } from "./compare.js";
export { accuracy, type DartsOptions, type DartsResult, dartsSearch, type ImageSet } from "./darts.js";
export { checkGenotype, derive, edgeCount, edgeIndex, type Genotype } from "./genotype.js";
export { CellNetwork, DiscreteCell, MixedCell, type NetworkOptions, SearchNetwork } from "./network.js";
export { makeOp, OPS, type OpName } from "./ops.js";
