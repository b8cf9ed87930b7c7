// A compressed variant is a copy of the source model directory (tokenizer, vocabulary and
// processor files included) with new weights and a `compression` record in config.json, so the
// task's own evaluate, predict and serve read it as they read the original.
import { cpSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Tensor } from "../../core/index.js";
import { save, writeTextAtomic } from "../../io/index.js";

const WEIGHTS = "model.safetensors";
const CONFIG = "config.json";

/** Writes `dest` as `source` with these weights and `compression` added to its config. */
export async function writeVariant(
  source: string,
  dest: string,
  weights: ReadonlyMap<string, Tensor>,
  compression: Record<string, unknown>,
): Promise<void> {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  cpSync(source, dest, { recursive: true, filter: (p) => p === source || !/[/\\](model\.safetensors|config\.json)$/.test(p) });
  const config = JSON.parse(readFileSync(join(source, CONFIG), "utf8")) as Record<string, unknown>;
  const earlier = (config.compression as Record<string, unknown> | undefined) ?? {};
  await save(weights, join(dest, WEIGHTS), { format: "pt", task: String(config.task), architecture: String(config.architecture) });
  await writeTextAtomic(
    "compress",
    join(dest, CONFIG),
    `${JSON.stringify({ ...config, compression: { ...earlier, ...compression } }, null, 2)}\n`,
  );
}

/** Adds a `compression` record to a model directory's config.json (a student trained in place). */
export async function annotate(dir: string, compression: Record<string, unknown>): Promise<void> {
  const config = JSON.parse(readFileSync(join(dir, CONFIG), "utf8")) as Record<string, unknown>;
  await writeTextAtomic("compress", join(dir, CONFIG), `${JSON.stringify({ ...config, compression }, null, 2)}\n`);
}

/** Bytes of a directory's weights file, as stored and gzipped (zeros of a pruned model compress). */
export function weightsSize(dir: string): { bytes: number; gzipBytes: number } {
  const path = join(dir, WEIGHTS);
  return { bytes: statSync(path).size, gzipBytes: gzipSync(readFileSync(path), { level: 6 }).length };
}
