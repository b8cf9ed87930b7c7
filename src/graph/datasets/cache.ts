// Where prepared graph data sets are cached: $FLAMBEAU_CACHE or $XDG_CACHE_HOME/flambeau or ~/.cache/flambeau.
import { homedir } from "node:os";
import { join } from "node:path";

export function cacheDir(): string {
  const base =
    process.env.FLAMBEAU_CACHE ??
    (process.env.XDG_CACHE_HOME ? join(process.env.XDG_CACHE_HOME, "flambeau") : join(homedir(), ".cache", "flambeau"));
  return join(base, "graph");
}
