// `flambeau compress <model-dir>`: pruned, quantized and distilled variants of a saved
// classification model, each re-evaluated by its task; writes results.json and table.md.
import { join } from "node:path";
import { writeTextAtomic } from "../io/atomic.js";
import { type CompressOptions, compressionTable, compressModelDir, type VariantResult } from "../learn/compress/index.js";
import { getTask } from "../tasks/registry.js";
import { readModelConfig } from "../train/model-dir.js";

export type CompressCliOptions = Omit<CompressOptions, "dir">;

export async function runCompressCli(dir: string, o: CompressCliOptions): Promise<{ results: VariantResult[]; table: string }> {
  const task = getTask(readModelConfig(dir).task);
  const results = await compressModelDir(task, { ...o, dir });
  const table = compressionTable(results);
  await writeTextAtomic("compress", join(o.out, "results.json"), `${JSON.stringify({ task: task.name, source: dir, results }, null, 2)}\n`);
  await writeTextAtomic("compress", join(o.out, "table.md"), `${table}\n`);
  return { results, table };
}
