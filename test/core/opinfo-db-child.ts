// The replay's worker process (opinfo-db.test.ts spawns it): replays every sample from the
// ordinal in argv[2] on, one JSON line per sample on stdout, written before the next starts, so
// that a crash (a signal) costs one sample, which the parent counts as a failure and skips.
import { writeSync } from "node:fs";
import { readIndex } from "./opinfo-db-load.js";
import { callFor, fullName, methodFor, replay } from "./opinfo-db-replay.js";

const start = Number(process.argv[2] ?? 0);
let k = 0;
for (const o of readIndex().opinfos) {
  const call = callFor(o);
  if (!call) continue;
  // The method variant too, where the function variant is a separate public function.
  const asMethod =
    o.variants.includes("method") && call.how !== "adapter" && !call.how.startsWith("Tensor.") ? methodFor(o.name) : undefined;
  for (const s of o.samples) {
    if (k >= start) {
      writeSync(1, `${JSON.stringify({ start: k, op: fullName(o) })}\n`);
      const r = replay(o, s, call.fn);
      const line: Record<string, unknown> = { k, ...r };
      if (asMethod) {
        writeSync(1, `${JSON.stringify({ start: k, op: fullName(o), method: true })}\n`);
        const rm = replay(o, { ...s, grads: undefined }, asMethod);
        line.method = rm.output;
        if (rm.output !== "match") line.methodMessage = rm.message;
      }
      writeSync(1, `${JSON.stringify(line)}\n`);
    }
    k++;
  }
}
