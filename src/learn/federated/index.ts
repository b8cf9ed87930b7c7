export { dpSgdGradients } from "../../train/privacy/dp-sgd-gradients.js";
export { addGaussianNoise, clipToNorm, type DpOptions, l2norm } from "../../train/privacy/gaussian.js";
export { DEFAULT_ORDERS, epsilonFor, noiseForEpsilon, type PrivacySpent, rdpSampledGaussian } from "../../train/privacy/rdp.js";
export { type AggregateOptions, aggregateDeltas, type ClientUpdate } from "./aggregate.js";
export { type FederatedClientOptions, runFederatedClient } from "./client.js";
export { type FederatedData, isAudioSet, loadFederatedData } from "./data.js";
export { type Classifier, evaluate, type LocalData, type LocalOptions, type LocalResult, localUpdate, proximalTerm } from "./local.js";
export {
  type PartitionKind,
  type PartitionOptions,
  partition,
  partitionByGroup,
  partitionDirichlet,
  partitionIid,
  partitionPathological,
} from "./partition.js";
export { type Advertised, decodeFixed, encodeFixed, expandMask, FIXED_SCALE, SecAggClient, secureSum, unmaskSum } from "./secagg.js";
export { SecureSession } from "./secagg-client.js";
export { EXAMPLE_UNIT, SecureRound } from "./secagg-round.js";
export { openShare, sealShare } from "./secagg-seal.js";
export { type FederatedServerOptions, type RoundRecord, type RunningFederatedServer, startFederatedServer } from "./server.js";
export { combineShares, type Share, splitSecret } from "./shamir.js";
export { type SimulationOptions, type SimulationResult, sampleClients, simulate } from "./simulation.js";
export { type ClientConfig, makeStrategy, type Strategy, type StrategyName, type StrategyOptions, weightedMean } from "./strategy.js";
export { assign, flatten, type Layout, type LayoutEntry, layoutOf, layoutSize, split } from "./weights.js";
export { decodeWeights, encodeWeights, UpdateRejected } from "./wire.js";
