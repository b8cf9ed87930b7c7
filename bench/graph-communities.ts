// Community detection against planted truth: `node dist/bench/graph-communities.js [--seed S]`
// prints Louvain's and DMoN's NMI and ARI on planted-partition graphs as the mixing μ grows.
import { plantedCommunityBenchmark } from "../src/graph/tasks/planted-communities.js";

const seedAt = process.argv.indexOf("--seed");
const seed = seedAt > 0 ? Number(process.argv[seedAt + 1]) : 0;
console.log("planted partition: 500 nodes, 5 blocks, expected degree 16; DMoN 300 epochs; seed", seed);
const rows = await plantedCommunityBenchmark({ seed, log: console.log });
console.log("| μ | Louvain NMI | Louvain ARI | DMoN NMI | DMoN ARI |");
console.log("|---|---|---|---|---|");
for (const r of rows)
  console.log(
    `| ${r.mu} | ${r.louvain.nmi.toFixed(3)} | ${r.louvain.ari.toFixed(3)} | ${r.dmon.nmi.toFixed(3)} | ${r.dmon.ari.toFixed(3)} |`,
  );
