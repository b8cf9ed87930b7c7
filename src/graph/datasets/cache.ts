// Where prepared graph data sets are cached: the "graph" folder of the shared data cache.
import { join } from "node:path";
import { cacheRoot } from "../../data/cache.js";

export function cacheDir(): string {
  return join(cacheRoot(), "graph");
}
