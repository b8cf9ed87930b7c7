// `flambeau train <task> --nproc 2` then `flambeau eval`, as each modality's nproc test runs
// them: one JSON line from rank 0 with worldSize 2, a model directory, and its evaluation.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bin", "flambeau.js");
const ENV = { ...process.env, FLAMBEAU_NUM_THREADS: "1" };

function run(args: string[], timeout: number): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: ENV, timeout });
  assert.equal(r.status, 0, `flambeau ${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Trains `task` with two worker processes into `out` and evaluates the saved model on
 * `evalData`; returns rank 0's training summary and the evaluation. Timeouts are generous:
 * on a loaded machine a worker may wait 30 s for the rendezvous.
 */
export function trainTwoProcessesThenEval(
  task: string,
  trainArgs: string[],
  out: string,
  evalArgs: string[],
): { train: Record<string, unknown>; eval: Record<string, unknown> } {
  const stdout = run(["train", task, ...trainArgs, "--nproc", "2", "--out", out, "--json"], 300_000);
  const lines = stdout.trim().split("\n");
  assert.equal(lines.length, 1, `expected one JSON line from rank 0, got: ${stdout}`);
  const train = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(train.worldSize, 2);
  assert.equal(train.dir, out);
  assert.ok(existsSync(join(out, "model.safetensors")) && existsSync(join(out, "config.json")));
  const ev = JSON.parse(
    run(["eval", out, ...evalArgs, "--json"], 120_000)
      .trim()
      .split("\n")
      .at(-1)!,
  ) as Record<string, unknown>;
  assert.equal(ev.task, task);
  return { train, eval: ev };
}
