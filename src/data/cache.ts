// The one cache directory for prepared and generated data sets (apt-derived corpora, the
// package graph, synthesized speech): $FLAMBEAU_CACHE, else $XDG_CACHE_HOME/flambeau, else
// ~/.cache/flambeau.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { writeTextAtomic } from "../io/atomic.js";

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLAMBEAU_CACHE) return env.FLAMBEAU_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "flambeau");
}

/**
 * One split of a data set prepared once into `<cache>/<folder>/<name>.<split>.jsonl`, one JSON
 * record a line: when the asked-for split's file is missing, `build` makes every split and all
 * are written (atomically, so an interrupted build leaves no half file behind).
 */
export async function cachedSplit<T, S extends string>(
  where: { folder: string; name: string; op: string },
  split: S,
  build: () => Record<S, readonly T[]>,
): Promise<T[]> {
  const dir = join(cacheRoot(), where.folder);
  const file = (s: string) => join(dir, `${where.name}.${s}.jsonl`);
  if (!existsSync(file(split))) {
    mkdirSync(dir, { recursive: true });
    const all = build();
    for (const [s, rows] of Object.entries(all) as [S, readonly T[]][])
      await writeTextAtomic(where.op, file(s), rows.map((x) => `${JSON.stringify(x)}\n`).join(""));
  }
  return readFileSync(file(split), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}
