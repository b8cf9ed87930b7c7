// torch.distributed's process group for Flambeau: a TCPStore rendezvous and a Gloo group,
// from options or from PyTorch's environment variables (RANK, WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT). Collectives return Promises; the waiting happens off the JS thread.

import { FlambeauError } from "../../core/errors.js";
import { distNative, type GroupHandle } from "./native.js";

export interface InitProcessGroupOptions {
  /** Only "gloo" (CPU) is built. */
  backend?: "gloo";
  rank?: number;
  worldSize?: number;
  masterAddr?: string;
  masterPort?: number;
  /** Collective timeout in milliseconds (default 30 000 here; PyTorch's is 30 min). */
  timeout?: number;
  /** How long to wait for every rank to join (default: timeout). Starting processes can take longer than a collective should. */
  rendezvousTimeout?: number;
  /** The network interface Gloo binds (default: GLOO_SOCKET_IFNAME, else loopback for a local master). */
  ifname?: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** A started group: its rank, size, and the native handle the collectives use. */
export class ProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  readonly masterAddr: string;
  readonly masterPort: number;
  readonly timeout: number;
  #handle: GroupHandle | undefined;

  constructor(handle: GroupHandle, o: { rank: number; worldSize: number; masterAddr: string; masterPort: number; timeout: number }) {
    this.#handle = handle;
    this.rank = o.rank;
    this.worldSize = o.worldSize;
    this.masterAddr = o.masterAddr;
    this.masterPort = o.masterPort;
    this.timeout = o.timeout;
  }

  /** @internal */
  get handle(): GroupHandle {
    if (!this.#handle) throw new FlambeauError("E_STATE", "distributed: the process group was destroyed", "ProcessGroup");
    return this.#handle;
  }

  get destroyed(): boolean {
    return this.#handle === undefined;
  }

  destroy(): void {
    if (this.#handle) distNative().destroy(this.#handle);
    this.#handle = undefined;
  }
}

let defaultGroup: ProcessGroup | undefined;
// Groups still open at exit are closed first: their heartbeat threads must not outlive the
// store client they use while the process tears down.
const open = new Set<ProcessGroup>();
let exitHook = false;

function intFrom(name: string, v: number | undefined, env: string, min: number, max: number): number {
  const raw = v ?? (process.env[env] !== undefined && process.env[env] !== "" ? Number(process.env[env]) : undefined);
  if (raw === undefined)
    throw new FlambeauError("E_ARG", `initProcessGroup: ${name} is not set (pass options.${name} or set ${env})`, "initProcessGroup");
  if (!Number.isInteger(raw) || raw < min || raw > max)
    throw new FlambeauError("E_ARG", `initProcessGroup: ${name} must be an integer in [${min}, ${max}], got ${raw}`, "initProcessGroup");
  return raw;
}

/** Resolves the options, filling what is missing from the environment like torch.distributed's env:// method. */
export function resolveInitOptions(
  o: InitProcessGroupOptions = {},
): Required<Omit<InitProcessGroupOptions, "ifname">> & { ifname?: string } {
  if (o.backend !== undefined && o.backend !== "gloo")
    throw new FlambeauError("E_ARG", `initProcessGroup: backend must be "gloo", got ${JSON.stringify(o.backend)}`, "initProcessGroup");
  const worldSize = intFrom("worldSize", o.worldSize, "WORLD_SIZE", 1, 65536);
  const rank = intFrom("rank", o.rank, "RANK", 0, worldSize - 1);
  const masterPort = intFrom("masterPort", o.masterPort, "MASTER_PORT", 1, 65535);
  const masterAddr = o.masterAddr ?? process.env.MASTER_ADDR ?? "";
  if (masterAddr === "")
    throw new FlambeauError(
      "E_ARG",
      "initProcessGroup: masterAddr is not set (pass options.masterAddr or set MASTER_ADDR)",
      "initProcessGroup",
    );
  const millis = (name: string, v: number): number => {
    if (!Number.isInteger(v) || v < 1 || v > 86_400_000)
      throw new FlambeauError(
        "E_ARG",
        `initProcessGroup: ${name} must be a number of milliseconds in [1, 86400000], got ${v}`,
        "initProcessGroup",
      );
    return v;
  };
  const timeout = millis("timeout", o.timeout ?? DEFAULT_TIMEOUT_MS);
  const rendezvousTimeout = millis("rendezvousTimeout", o.rendezvousTimeout ?? timeout);
  const ifname = o.ifname ?? (process.env.GLOO_SOCKET_IFNAME || undefined);
  return { backend: "gloo", rank, worldSize, masterAddr, masterPort, timeout, rendezvousTimeout, ...(ifname ? { ifname } : {}) };
}

/**
 * Joins the group: rank 0 hosts the TCPStore at masterAddr:masterPort, every rank meets
 * there, and Gloo connects them all. The first group becomes the default one.
 */
export async function initProcessGroup(options: InitProcessGroupOptions = {}): Promise<ProcessGroup> {
  const o = resolveInitOptions(options);
  let handle: GroupHandle;
  try {
    handle = await distNative().initProcessGroup({
      rank: o.rank,
      worldSize: o.worldSize,
      masterAddr: o.masterAddr,
      masterPort: o.masterPort,
      timeoutMs: o.timeout,
      rendezvousTimeoutMs: o.rendezvousTimeout,
      ...(o.ifname ? { ifname: o.ifname } : {}),
    });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new FlambeauError(
      "E_NATIVE",
      `initProcessGroup: rank ${o.rank} of ${o.worldSize} could not join the group at ${o.masterAddr}:${o.masterPort} within ${o.rendezvousTimeout} ms (${msg})`,
      "initProcessGroup",
    );
  }
  const g = new ProcessGroup(handle, o);
  defaultGroup ??= g;
  open.add(g);
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const k of open) k.destroy();
    });
  }
  return g;
}

/** The default group, or an error saying to call initProcessGroup first. */
export function getDefaultGroup(): ProcessGroup {
  if (!defaultGroup || defaultGroup.destroyed)
    throw new FlambeauError("E_STATE", "distributed: no process group; call initProcessGroup() first", "distributed");
  return defaultGroup;
}

export const isInitialized = (): boolean => defaultGroup !== undefined && !defaultGroup.destroyed;
export const getRank = (group?: ProcessGroup): number => (group ?? getDefaultGroup()).rank;
export const getWorldSize = (group?: ProcessGroup): number => (group ?? getDefaultGroup()).worldSize;

/** Leaves the group (the default one unless given); collectives on it then fail. */
export function destroyProcessGroup(group?: ProcessGroup): void {
  const g = group ?? defaultGroup;
  g?.destroy();
  if (g) open.delete(g);
  if (g === defaultGroup) defaultGroup = undefined;
}
