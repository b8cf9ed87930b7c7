// The one cache directory for prepared and generated data sets (apt-derived corpora, the
// package graph, synthesized speech): $FLAMBEAU_CACHE, else $XDG_CACHE_HOME/flambeau, else
// ~/.cache/flambeau.
import { homedir } from "node:os";
import { join } from "node:path";

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLAMBEAU_CACHE) return env.FLAMBEAU_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "flambeau");
}
