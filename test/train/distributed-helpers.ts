// Starting the ranks of the distributed tests as real processes on loopback.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../src/cli/launch.js";

export { freePort };

const here = dirname(fileURLToPath(import.meta.url));
export const WORKER = join(here, "distributed-worker.js");
export const ROOT = join(here, "..", "..", "..");
export const PYTHON = "/usr/bin/python3";

export type Json = Record<string, unknown>;

/** Runs one command per rank with torch.distributed's variables set; resolves their JSON lines. */
export async function ranks(cmds: { cmd: string; args: string[] }[], env: Record<string, string> = {}): Promise<Json[]> {
  const port = await freePort();
  const runs = cmds.map(
    ({ cmd, args }, rank) =>
      new Promise<Json>((resolve, reject) => {
        const p = spawn(cmd, args, {
          cwd: ROOT,
          env: {
            ...process.env,
            RANK: String(rank),
            WORLD_SIZE: String(cmds.length),
            MASTER_ADDR: "127.0.0.1",
            MASTER_PORT: String(port),
            FLAMBEAU_NUM_THREADS: "1",
            OMP_NUM_THREADS: "1",
            ...env,
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        p.stdout.on("data", (d: Buffer) => {
          out += d;
        });
        p.stderr.on("data", (d: Buffer) => {
          err += d;
        });
        const kill = setTimeout(() => p.kill("SIGKILL"), 55_000);
        p.on("error", reject);
        p.on("close", (code) => {
          clearTimeout(kill);
          const line = out.trim().split("\n").pop() ?? "";
          try {
            resolve(JSON.parse(line) as Json);
          } catch {
            resolve({ fatal: `rank ${rank} exited with ${code} and no result: ${out} ${err}`, exitCode: code });
          }
        });
      }),
  );
  return Promise.all(runs);
}
export const node = (scenario: string) => ({ cmd: process.execPath, args: [WORKER, scenario] });
