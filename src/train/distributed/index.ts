// Distributed data-parallel training on libtorch's c10d (Gloo): torch.distributed's names.

export { DistributedCheckpoint, resumeFromCheckpoint } from "./checkpoint.js";
export {
  allGather,
  allReduce,
  allReduceNumbers,
  barrier,
  broadcast,
  broadcastCoalesced,
  type CollectiveOptions,
  type ReduceOp,
  reduceScatter,
} from "./collectives.js";
export { type AmbientSync, ambientDdp } from "./context.js";
export { assignBuckets, type DdpModule, DistributedDataParallel, type DistributedDataParallelOptions } from "./ddp.js";
export {
  DEFAULT_TIMEOUT_MS,
  destroyProcessGroup,
  getDefaultGroup,
  getRank,
  getWorldSize,
  type InitProcessGroupOptions,
  initProcessGroup,
  isInitialized,
  ProcessGroup,
  resolveInitOptions,
} from "./process-group.js";
export { DistributedSampler, type DistributedSamplerOptions } from "./sampler.js";
export { shardBatch } from "./shard.js";
