// Distributed data-parallel training on libtorch's c10d (Gloo): torch.distributed's names.

export { allGather, allReduce, allReduceNumbers, barrier, broadcast, broadcastCoalesced, type CollectiveOptions, type ReduceOp, reduceScatter } from "./collectives.js";
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
export { type AmbientSync, ambientDdp } from "./context.js";
export { shardBatch } from "./shard.js";
export { DistributedCheckpoint, resumeFromCheckpoint } from "./checkpoint.js";
