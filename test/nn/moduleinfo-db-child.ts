// The ModuleInfo replay's worker process (moduleinfo-db.test.ts spawns it through runIsolated):
// replays every sample from the ordinal in argv[2] on, one JSON line per sample on stdout.
import { writeSync } from "node:fs";
import { readModuleIndex, sampleName } from "./moduleinfo-db-load.js";
import { moduleClass, replay } from "./moduleinfo-db-replay.js";

const start = Number(process.argv[2] ?? 0);
let k = 0;
for (const o of readModuleIndex().moduleinfos) {
  const C = moduleClass(o);
  if (!C) continue;
  for (const s of o.samples) {
    if (k >= start) {
      writeSync(1, `${JSON.stringify({ start: k, sample: sampleName(o, s) })}\n`);
      writeSync(1, `${JSON.stringify({ k, ...replay(o, s, C) })}\n`);
    }
    k++;
  }
}
