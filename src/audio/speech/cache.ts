// Generated data lives under a cache directory keyed by the generator's parameters, so a
// second run (or a second process) reuses it. Clips are written one file each, so an
// interrupted generation resumes; the manifest is written last and atomically.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { cacheRoot } from "../../data/cache.js";

/** The shared data cache (src/data/cache.ts). */
export function defaultCacheDir(): string {
  return cacheRoot();
}

/** A directory under the cache named by a hash of the parameters. */
export function keyedDir(root: string, prefix: string, params: unknown): string {
  const key = createHash("sha1").update(JSON.stringify(params)).digest("hex").slice(0, 16);
  const dir = join(root, `${prefix}-${key}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function readJsonIfExists<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

/** Runs `job` over items with at most `concurrency` in flight (default: one per CPU). */
export async function runPool<T>(
  items: readonly T[],
  job: (item: T, i: number) => Promise<void>,
  concurrency = cpus().length,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await job(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
