// Loads the c10d addon (native/distributed.cc → build/Release/flambeau_distributed.node).
// It is a separate addon so that only distributed training needs Gloo; it is loaded on
// first use, and its absence is a clear error rather than a failed import of Flambeau.

import { LIBTORCH_FIX, loadAddon } from "../../core/addon.js";
import type { Handle } from "../../core/native.js";

/** An opaque c10d process group handle (a JS external). */
export type GroupHandle = { readonly __flambeauGroup: unique symbol };

export type NativeReduceOp = "sum" | "product" | "min" | "max";

export interface DistributedBinding {
  initProcessGroup(o: {
    rank: number;
    worldSize: number;
    masterAddr: string;
    masterPort: number;
    timeoutMs: number;
    rendezvousTimeoutMs?: number;
    ifname?: string;
  }): Promise<GroupHandle>;
  allReduce(g: GroupHandle, tensors: Handle[], op: NativeReduceOp): Promise<void>;
  broadcast(g: GroupHandle, tensors: Handle[], src: number): Promise<void>;
  allGather(g: GroupHandle, outputs: Handle[], input: Handle): Promise<void>;
  barrier(g: GroupHandle): Promise<void>;
  deadRanks(g: GroupHandle, probeMs: number): Promise<number[]>;
  destroy(g: GroupHandle): void;
}

let loaded: DistributedBinding | undefined;

/** The c10d binding; throws a FlambeauError naming the missing file and the fix. */
export function distNative(): DistributedBinding {
  loaded ??= loadAddon<DistributedBinding>(
    "flambeau_distributed.node",
    "initProcessGroup",
    `distributed training needs Gloo (Debian/Ubuntu: sudo apt-get install libgloo-dev, then npm run setup in a checkout); ${LIBTORCH_FIX}`,
  );
  return loaded;
}
