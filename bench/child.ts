// One side of one workload in its own process, so its peak RSS is its own:
//   node dist/bench/child.js <workload[,workload…]> <flambeau|tfjs|ort> <smoke 0|1> <dir>
// Prints one JSON line: RunResult + rssMB (process.resourceUsage().maxRSS at the end).
import type { RunOptions, RunResult } from "./workload.js";

type Run = (o: RunOptions & { dir: string }) => Promise<RunResult>;

async function flambeauSide(name: string): Promise<Run | undefined> {
  switch (name) {
    case "engine":
      return (await import("./fl-engine.js")).engine;
    case "mlp":
      return (await import("./fl-training.js")).trainMlp;
    case "cnn":
      return (await import("./fl-training.js")).trainCnn;
    case "inference":
      return (await import("./fl-training.js")).inference;
    case "lstm":
      return (await import("./fl-sequence.js")).lstm;
    case "transformer":
      return (await import("./fl-sequence.js")).transformer;
    case "gcn":
      return (await import("./fl-graph.js")).gcn;
    case "kg":
      return (await import("./fl-graph.js")).kgEmbedding;
    case "data":
      return (await import("./fl-data.js")).dataLoading;
    case "event-loop":
      return (await import("./fl-event-loop.js")).eventLoop;
    case "scaling":
      return (await import("./fl-scaling.js")).scaling;
  }
  return undefined;
}

async function tfjsSide(name: string): Promise<Run | undefined> {
  const t = await import("./tfjs-workloads.js");
  const table: Record<string, Run> = {
    engine: t.engine,
    mlp: t.trainMlp,
    cnn: t.trainCnn,
    inference: t.inference,
    lstm: t.lstm,
    transformer: t.transformer,
    gcn: t.gcn,
    data: t.dataLoading,
  };
  return table[name];
}

async function ortSide(name: string): Promise<Run | undefined> {
  return name === "inference" ? (await import("./ort-workloads.js")).inference : undefined;
}

// A comma-separated list runs several workloads in this one process (smoke runs), one line each.
const [names = "", side = "", smoke = "0", dir = ""] = process.argv.slice(2);
for (const name of names.split(",")) {
  const run =
    side === "tfjs"
      ? await tfjsSide(name)
      : side === "ort"
        ? await ortSide(name)
        : side === "flambeau"
          ? await flambeauSide(name)
          : undefined;
  if (!run) {
    process.stderr.write(`bench child: no ${side} side for workload "${name}"\n`);
    process.exit(2);
  }
  const result = await run({ smoke: smoke === "1", dir });
  process.stdout.write(`${JSON.stringify({ workload: name, ...result, rssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
}
// Worker threads or tfjs's wasm module may keep the loop alive; the figures are out.
process.exit(0);
