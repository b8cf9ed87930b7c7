// `flambeau train … --nproc N [--nnodes M --node-rank K --master host:port]`, like torchrun:
// this node starts N worker processes of the same command, each with torch.distributed's
// variables (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) and cores/N threads.
// In a worker, the train command joins the group before the task runs; the Trainer then
// trains data-parallel, and only rank 0 logs and writes the model directory.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FlambeauError } from "../core/errors.js";
import { DEFAULT_TIMEOUT_MS, destroyProcessGroup, initProcessGroup } from "../train/distributed/index.js";

export interface LaunchOptions {
  nproc: number;
  nnodes: number;
  nodeRank: number;
  /** host:port of rank 0's store; default 127.0.0.1 and a free port (one node only). */
  master?: string;
  /** The command line (after `flambeau`) every worker runs, without the launch flags. */
  argv: readonly string[];
}

/** Marks a process started by the launcher, so a stray RANK in a user's shell does not start a group. */
export const LAUNCHED_ENV = "FLAMBEAU_LAUNCHED";

export function parseMaster(s: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(s);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !(port >= 1 && port <= 65535))
    throw new FlambeauError("E_ARG", `--master must be host:port with a port in [1, 65535], got "${s}"`, "train");
  return { host: m[1]!.replace(/^\[(.*)\]$/, "$1"), port };
}

/** The environment of local worker `localRank` (threads: this machine's cores shared by the N workers). */
export function workerEnv(
  o: LaunchOptions,
  localRank: number,
  host: string,
  port: number,
  cores = availableParallelism(),
): Record<string, string> {
  return {
    RANK: String(o.nodeRank * o.nproc + localRank),
    LOCAL_RANK: String(localRank),
    WORLD_SIZE: String(o.nnodes * o.nproc),
    LOCAL_WORLD_SIZE: String(o.nproc),
    GROUP_RANK: String(o.nodeRank),
    MASTER_ADDR: host,
    MASTER_PORT: String(port),
    FLAMBEAU_NUM_THREADS: String(Math.max(1, Math.floor(cores / o.nproc))),
    OMP_NUM_THREADS: String(Math.max(1, Math.floor(cores / o.nproc))),
    [LAUNCHED_ENV]: "1",
  };
}

/** A port nobody listens on now (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

function checkLaunch(o: LaunchOptions): void {
  const int = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max)
      throw new FlambeauError("E_ARG", `${name} must be an integer in [${min}, ${max}], got ${v}`, "train");
  };
  int("--nproc", o.nproc, 1, 1024);
  int("--nnodes", o.nnodes, 1, 65536);
  int("--node-rank", o.nodeRank, 0, o.nnodes - 1);
  if (o.nnodes > 1 && o.master === undefined)
    throw new FlambeauError(
      "E_ARG",
      "--nnodes > 1 needs --master host:port (the address of node 0, where rank 0 hosts the store)",
      "train",
    );
}

/** Starts this node's workers and waits for them; throws naming the first rank that failed. */
export async function launch(o: LaunchOptions): Promise<void> {
  checkLaunch(o);
  const { host, port } = o.master !== undefined ? parseMaster(o.master) : { host: "127.0.0.1", port: await freePort() };
  const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bin", "flambeau.js");
  const args = [...o.argv];
  const timeout = Number(process.env.FLAMBEAU_DIST_TIMEOUT) || DEFAULT_TIMEOUT_MS;
  const children = Array.from({ length: o.nproc }, (_, local) => {
    const env = workerEnv(o, local, host, port);
    const rank = Number(env.RANK);
    const p = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...env },
      // Rank 0 speaks for the group; the others only report their errors.
      stdio: rank === 0 ? "inherit" : ["ignore", "ignore", "pipe"],
    });
    p.stderr?.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n")) if (line.trim() !== "") process.stderr.write(`[rank ${rank}] ${line}\n`);
    });
    return { rank, p, done: new Promise<number>((resolve) => p.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)))) };
  });
  const failures: string[] = [];
  let killer: NodeJS.Timeout | undefined;
  await Promise.all(
    children.map(async (c) => {
      const code = await c.done;
      if (code === 0) return;
      failures.push(`rank ${c.rank} exited with code ${code}`);
      // The others fail on their own within the group timeout; stop any that do not.
      killer ??= setTimeout(() => {
        for (const k of children) if (k.p.exitCode === null) k.p.kill("SIGTERM");
      }, timeout + 10_000);
    }),
  );
  if (killer) clearTimeout(killer);
  if (failures.length > 0) throw new FlambeauError("E_STATE", `distributed training failed: ${failures.join("; ")}`, "train");
}

/** In a launched worker: joins the group; rank ≠ 0 gets a scratch output directory. Undefined outside a launch. */
export async function joinLaunchedGroup(): Promise<{ rank: number; worldSize: number; scratch?: string; leave(): void } | undefined> {
  if (process.env[LAUNCHED_ENV] !== "1") return undefined;
  const timeout = Number(process.env.FLAMBEAU_DIST_TIMEOUT) || DEFAULT_TIMEOUT_MS;
  const g = await initProcessGroup({ timeout });
  const scratch = g.rank === 0 ? undefined : mkdtempSync(join(tmpdir(), `flambeau-rank${g.rank}-`));
  return {
    rank: g.rank,
    worldSize: g.worldSize,
    ...(scratch ? { scratch } : {}),
    leave: () => {
      destroyProcessGroup(g);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}
