// Community detection against planted truth as the mixing μ grows:
//   node dist/bench/graph-communities.js [--data lfr|sbm] [--seed S] [--methods leiden,louvain,dmon,dgi-kmeans]
//                                         [--mus 0.1,0.2,…] [--epochs E] [--svg DIR]
// prints NMI, ARI and modularity per method and μ as a markdown table; --svg writes the NMI and
// ARI charts (DIR/communities-<data>-nmi.svg, -ari.svg). LFR: n 1000, τ1 3, τ2 1.5, ⟨k⟩ 20,
// k_max 50, sizes 20–100 (the TS generator, src/graph/community/lfr.ts); sbm: 500 nodes, 5 blocks, degree 16.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { communityBenchmark } from "../src/graph/community/benchmark.js";
import { scoreChartSvg } from "../src/graph/community/chart.js";
import { COMMUNITY_METHODS, type CommunityMethod } from "../src/graph/community/detect.js";

const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const data = (arg("--data") ?? "lfr") as "lfr" | "sbm";
if (data !== "lfr" && data !== "sbm") throw new Error(`--data must be lfr or sbm, got ${data}`);
const seed = Number(arg("--seed") ?? 0);
const methods = (arg("--methods") ?? "leiden,louvain,dmon,dgi-kmeans").split(",") as CommunityMethod[];
for (const m of methods)
  if (!COMMUNITY_METHODS.includes(m)) throw new Error(`unknown method ${m}; methods: ${COMMUNITY_METHODS.join(", ")}`);
const mus = (arg("--mus") ?? (data === "lfr" ? "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8" : "0.1,0.2,0.3,0.4,0.5,0.6")).split(",").map(Number);
const epochs = arg("--epochs") === undefined ? undefined : Number(arg("--epochs"));
console.log(`${data}: seed ${seed}, methods ${methods.join(", ")}${epochs ? `, ${epochs} epochs` : ""}`);
const rows = await communityBenchmark({ data, mus, methods, seed, epochs, log: console.log });
console.log(`| μ | edges | ${methods.map((m) => `${m} NMI / ARI`).join(" | ")} |`);
console.log(`|---|---|${methods.map(() => "---|").join("")}`);
for (const r of rows)
  console.log(
    `| ${r.mu} | ${r.edges} | ${methods.map((m) => `${r.scores[m]!.nmi.toFixed(3)} / ${r.scores[m]!.ari.toFixed(3)}`).join(" | ")} |`,
  );
const svg = arg("--svg");
if (svg) {
  mkdirSync(svg, { recursive: true });
  for (const score of ["nmi", "ari"] as const) {
    const file = join(svg, `communities-${data}-${score}.svg`);
    // Written beside and renamed: a reader never sees half a chart.
    writeFileSync(`${file}.tmp`, scoreChartSvg(rows, score, `${score.toUpperCase()} against planted ${data.toUpperCase()} communities`));
    renameSync(`${file}.tmp`, file);
    console.log(`wrote ${file}`);
  }
}
