// Scale figure for large-graph node classification: R-MAT graphs written straight to a graph
// store, then time per epoch and peak RSS for full-graph training, sampled training (store read
// by offset: neighbour sampling, GraphSAINT random walks, Cluster-GCN parts) and a PyG-style
// full-batch GCN in PyTorch (scripts/graph-scale-torch.py).
//   node dist/bench/graph-scale.js gen --edges 1000000 --out DIR [--scale S] [--seed 0]
//   node dist/bench/graph-scale.js convert --csv FOLDER --out DIR          (nodes.csv + edges.csv)
//   node dist/bench/graph-scale.js point --data DIR --mode full|sampled|saint|cluster [--epochs 2] [--model gcn]
//                                        [--parts K --parts-per-batch q]   (cluster; default sized to the graph)
//   node dist/bench/graph-scale.js run --edges 1e6,1e7 --root DIR [--timeout 600] [--rss-limit-gib 12]
//                                      [--modes full,sampled,saint,cluster,torch]   (default full,sampled,torch)
//                                      [--limit N]   (sampled: an epoch over a seeded subset of N training nodes)
//   node dist/bench/graph-scale.js partition --data DIR --parts 87,16,4 [--seed 0]
//                                      (Cluster-GCN's partitioner: edge cut against a random balanced partition)
//   node dist/bench/graph-scale.js metis-graph --data DIR --out FILE.graph      (the store for METIS's gpmetis)
//   node dist/bench/graph-scale.js cut --data DIR --part FILE.graph.part.K      (edge cut of gpmetis's parts)
// `run` makes each store once (DIR/rmat-<edges>), measures every point in a fresh child process
// (nice 10, one thread) under a wall-clock limit and an RSS limit (the child is killed past
// it: on a shared machine a run that would exhaust memory is stopped rather than let the
// kernel pick a victim), and prints a markdown table. Time per epoch is the training steps of
// an epoch (the Trainer's `seconds`; validation and loading excluded), the mean over epochs 2…E.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setNumThreads } from "../src/core/index.js";
import { edgeCut, partitionGraph, randomPartition, symmetricGraph } from "../src/graph/partition.js";
import { convertCsvToStore } from "../src/graph/store/convert-csv.js";
import { GraphStore } from "../src/graph/store/graph-store.js";
import { generateRmat } from "../src/graph/store/rmat.js";
import { nodeClassification } from "../src/graph/tasks/node-classification.js";

const arg = (name: string, dflt?: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : dflt;
};
const need = (name: string): string => {
  const v = arg(name);
  if (v === undefined) throw new Error(`graph-scale: ${name} is required`);
  return v;
};

/** Modes of `point` and `run` → the task's --sampler. */
const SAMPLER_OF: Record<string, "full" | "neighbor" | "saint" | "cluster"> = {
  full: "full",
  sampled: "neighbor",
  saint: "saint",
  cluster: "cluster",
};

/** The partitioner alone: seconds, peak RSS, edge cut against a random balanced partition, part sizes. */
function partition(data: string, parts: number[], seed: number): void {
  const s = new GraphStore(data);
  console.log("| parts K | seconds | levels | part sizes | edge cut (multilevel) | edge cut (random) |\n|---|---|---|---|---|---|");
  for (const k of parts) {
    const t0 = performance.now();
    const p = partitionGraph(s, k, { seed });
    const secs = (performance.now() - t0) / 1000;
    const cut = edgeCut(s, p.parts);
    const rnd = edgeCut(s, randomPartition(s.numNodes, k, seed));
    let lo = s.numNodes;
    let hi = 0;
    for (const z of p.sizes) {
      lo = Math.min(lo, z);
      hi = Math.max(hi, z);
    }
    console.log(
      `| ${k} | ${secs.toFixed(1)} | ${p.levels} | ${lo}–${hi} | ${(100 * cut.fraction).toFixed(1)} % | ${(100 * rnd.fraction).toFixed(1)} % |`,
    );
  }
  console.log(
    JSON.stringify({
      nodes: s.numNodes,
      edges: s.numEdges,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      load: readFileSync("/proc/loadavg", "utf8").trim(),
    }),
  );
  s.close();
}

/** The store as a METIS graph file: undirected, self-loops dropped, edge weight = stored edges joining the pair. */
function metisGraph(data: string, out: string): void {
  const s = new GraphStore(data);
  const g = symmetricGraph(s);
  s.close();
  const fd = openSync(out, "w");
  writeSync(fd, `${g.n} ${g.adj.length / 2} 001\n`);
  let lines: string[] = [];
  for (let v = 0; v < g.n; v++) {
    const row: string[] = [];
    for (let j = g.xadj[v]!; j < g.xadj[v + 1]!; j++) row.push(`${g.adj[j]! + 1} ${g.ew[j]}`);
    lines.push(row.join(" "));
    if (lines.length === 4096 || v === g.n - 1) {
      writeSync(fd, `${lines.join("\n")}\n`);
      lines = [];
    }
  }
  closeSync(fd);
  console.log(`graph-scale: wrote ${out}: ${g.n} vertices, ${g.adj.length / 2} undirected edges`);
}

/** Edge cut of a part file (one part id a line, gpmetis's output) on the store. */
function cutOfPartFile(data: string, file: string): void {
  const s = new GraphStore(data);
  const parts = Int32Array.from(readFileSync(file, "utf8").trim().split("\n"), Number);
  const k = parts.reduce((a, b) => Math.max(a, b), 0) + 1;
  const sizes = new Int32Array(k);
  for (const p of parts) sizes[p]!++;
  const c = edgeCut(s, parts);
  const minSize = sizes.reduce((a, b) => Math.min(a, b), parts.length);
  const maxSize = sizes.reduce((a, b) => Math.max(a, b), 0);
  console.log(JSON.stringify({ file, parts: k, minSize, maxSize, cut: c.cut, edges: c.edges, fraction: c.fraction }));
  s.close();
}

/** R-MAT scale for a target edge count: about 8–12 stored edges per node. */
const scaleFor = (edges: number): number => Math.max(4, Math.round(Math.log2(edges / 8)));

function gen(edges: number, out: string, scale = scaleFor(edges), seed = 0): void {
  const t0 = performance.now();
  const m = generateRmat(out, { scale, edges, seed });
  console.log(
    `graph-scale: wrote ${out}: ${m.numNodes} nodes, ${m.numEdges} stored edges, ${m.numFeatures} features, ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
}

async function point(data: string, mode: string, epochs: number, model: string): Promise<void> {
  setNumThreads(1);
  const out = join(resolve(data), "..", `.model-${mode}-${process.pid}`);
  const t0 = performance.now();
  try {
    const r = await nodeClassification.train({
      data: `store:${data}`,
      out,
      model,
      epochs,
      seed: 0,
      sampler: SAMPLER_OF[mode] ?? "full",
      parts: arg("--parts") ? Number(arg("--parts")) : undefined,
      partsPerBatch: arg("--parts-per-batch") ? Number(arg("--parts-per-batch")) : undefined,
      fanouts: arg("--fanouts", "10,5"),
      batchSize: Number(arg("--batch-size", "1024")),
      // An epoch over N training nodes only (a seeded subset; the 50M-edge point, to fit its time limit).
      limit: arg("--limit") ? Number(arg("--limit")) : undefined,
      log: (l) => console.error(l),
    });
    const secs = r.history.epochs.map((e) => e.seconds as number);
    // Cluster-GCN: the partition's cost and cut, as the task saved them.
    const partition = (JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as { metrics: { partition?: unknown } }).metrics
      .partition;
    const later = secs.length > 1 ? secs.slice(1) : secs;
    const s = new GraphStore(data);
    console.log(
      JSON.stringify({
        mode,
        model,
        nodes: s.numNodes,
        edges: s.numEdges,
        trainNodes:
          mode === "sampled" && arg("--limit")
            ? Math.min(Number(arg("--limit")), s.splitNodes("train").length)
            : s.splitNodes("train").length,
        secondsPerEpoch: later.reduce((a, b) => a + b, 0) / later.length,
        epochSeconds: secs,
        wallSeconds: (performance.now() - t0) / 1000,
        peakRssMiB: process.resourceUsage().maxRSS / 1024,
        valAccuracy: r.metrics.accuracy,
        ...(partition ? { partition } : {}),
      }),
    );
    s.close();
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

interface PointResult {
  ok: boolean;
  json?: Record<string, unknown>;
  why?: string;
  peakRssMiB: number;
}

/** Runs one point in a child (nice 10, one thread), killed past `timeout` s or `rssLimit` MiB. */
function child(cmd: string, args: string[], timeout: number, rssLimit: number): Promise<PointResult> {
  return new Promise((done) => {
    const p = spawn("nice", ["-n", "10", cmd, ...args], {
      env: { ...process.env, FLAMBEAU_NUM_THREADS: "1", OMP_NUM_THREADS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let why: string | undefined;
    let peak = 0;
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.stderr.on("data", (d) => {
      err += d;
      process.stderr.write(d);
    });
    const rssOf = (pid: number): number => {
      // nice execs the command in place, so the child's pid is the measured process.
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) / 1024 : 0;
      } catch {
        return 0;
      }
    };
    const poll = setInterval(() => {
      const rss = rssOf(p.pid!);
      peak = Math.max(peak, rss);
      if (rss > rssLimit && !why) {
        why = `stopped at ${(rss / 1024).toFixed(1)} GiB RSS (limit ${(rssLimit / 1024).toFixed(0)} GiB)`;
        p.kill("SIGKILL");
      }
    }, 500);
    const timer = setTimeout(() => {
      why ??= `stopped after ${timeout} s`;
      p.kill("SIGKILL");
    }, timeout * 1000);
    p.on("close", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      const line = out
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .pop();
      if (code === 0 && line) done({ ok: true, json: JSON.parse(line), peakRssMiB: peak });
      else done({ ok: false, why: why ?? `exit ${code}: ${err.trim().split("\n").slice(-2).join(" ")}`, peakRssMiB: peak });
    });
  });
}

async function run(): Promise<void> {
  const root = resolve(need("--root"));
  const sizes = need("--edges").split(",").map(Number);
  const timeout = Number(arg("--timeout", "600"));
  const rssLimit = Number(arg("--rss-limit-gib", "12")) * 1024;
  const epochs = arg("--epochs", "2")!;
  const modes = arg("--modes", "full,sampled,torch")!.split(",");
  const self = fileURLToPath(import.meta.url);
  const torch = resolve(self, "../../../scripts/graph-scale-torch.py");
  mkdirSync(root, { recursive: true });
  const rows: string[] = [];
  for (const edges of sizes) {
    const dir = join(root, `rmat-${edges}`);
    if (!existsSync(join(dir, "meta.json"))) gen(edges, dir);
    for (const mode of modes) {
      const args =
        mode === "torch"
          ? [torch, dir, "--epochs", epochs]
          : [
              self,
              "point",
              ...["--data", dir, "--mode", mode, "--epochs", epochs, "--model", arg("--model", "gcn")!],
              ...(arg("--limit") && mode === "sampled" ? ["--limit", arg("--limit")!] : []),
              ...(mode === "cluster" && arg("--parts") ? ["--parts", arg("--parts")!] : []),
              ...(mode === "cluster" && arg("--parts-per-batch") ? ["--parts-per-batch", arg("--parts-per-batch")!] : []),
            ];
      const cmd = mode === "torch" ? "/usr/bin/python3" : process.execPath;
      const load0 = readFileSync("/proc/loadavg", "utf8").split(" ")[0];
      const r = await child(cmd, args, timeout, rssLimit);
      const load1 = readFileSync("/proc/loadavg", "utf8").split(" ")[0];
      const j = r.json ?? {};
      const row = r.ok
        ? `| ${edges} | ${j.nodes} | ${mode} | ${(j.secondsPerEpoch as number).toFixed(2)} | ${((j.peakRssMiB as number) / 1024).toFixed(2)} | ${(j.valAccuracy as number).toFixed(3)} | ${load0}→${load1} |`
        : `| ${edges} | | ${mode} | ${r.why} | ≥ ${(r.peakRssMiB / 1024).toFixed(2)} | | ${load0}→${load1} |`;
      console.log(row);
      console.log(JSON.stringify({ edges, mode, ...r }));
      rows.push(row);
    }
  }
  console.log("\n| edges | nodes | training | s / epoch | peak RSS GiB | val acc | load avg |\n|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(r);
}

const cmd = process.argv[2];
if (cmd === "gen")
  gen(Number(need("--edges")), need("--out"), arg("--scale") ? Number(arg("--scale")) : undefined, Number(arg("--seed", "0")));
else if (cmd === "convert") {
  const m = convertCsvToStore(need("--csv"), need("--out"));
  console.log(`graph-scale: wrote ${need("--out")}: ${m.numNodes} nodes, ${m.numEdges} stored edges, ${m.numFeatures} features`);
} else if (cmd === "point") await point(need("--data"), need("--mode"), Number(arg("--epochs", "2")), arg("--model", "gcn")!);
else if (cmd === "run") await run();
else if (cmd === "metis-graph") metisGraph(need("--data"), need("--out"));
else if (cmd === "cut") cutOfPartFile(need("--data"), need("--part"));
else if (cmd === "partition") partition(need("--data"), need("--parts").split(",").map(Number), Number(arg("--seed", "0")));
else {
  console.error("usage: node dist/bench/graph-scale.js gen|convert|point|run … (see the header of bench/graph-scale.ts)");
  process.exit(2);
}
