// The node-classification demo: GCN on the karate club with one labelled member per club,
// drawn coloured by prediction; communities (Louvain vs k-means on GNN embeddings) beside it;
// at full budget also GCN / GraphSAGE / MLP on the Debian package graph.
import { join } from "node:path";
import { noGrad, tidy } from "../../core/index.js";
import type { DemoOptions, DemoSection } from "../../tasks/task.js";
import { drawGraphSvg, forceLayout } from "../layout.js";
import { maskIndex } from "./fit-nodes.js";
import { karateCommunities } from "./karate-communities.js";
import { evaluateOn, trainNodes } from "./node-classification.js";

const pairsOf = (d: BigInt64Array, e: number): [number, number][] => {
  const out: [number, number][] = [];
  for (let k = 0; k < e; k++) if (Number(d[k]) < Number(d[e + k])) out.push([Number(d[k]), Number(d[e + k])]);
  return out;
};

export async function nodeDemo(o: DemoOptions): Promise<DemoSection> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const r = await trainNodes({ data: "karate", out: join(o.out, "karate-gcn"), seed: 0, log, progress: o.progress });
  const g = r.graph;
  const test = evaluateOn(r.model, g, g.testMask!);
  const pred = noGrad(() => tidy(() => Int32Array.from(r.model.forward(g.x!, g.edgeIndex).argmax(1).data() as BigInt64Array, Number)));
  const truth = Int32Array.from(g.y!.data() as BigInt64Array, Number);
  const edges = pairsOf(g.edgeIndex.data() as BigInt64Array, g.numEdges);
  const layout = forceLayout(g.numNodes, edges, { seed: 1 });
  const wrong = new Set([...pred.keys()].filter((i) => pred[i] !== truth[i]));
  const trainNodes_ = new Set(Array.from(maskIndex(g.trainMask!).data() as BigInt64Array, Number));
  const classes = [...(g.classes ?? [])];
  const com = await karateCommunities({ seed: 0 });
  const metrics: Record<string, number> = {
    accuracy: test.accuracy,
    macroF1: test.macroF1 as number,
    louvainModularity: com.louvain.modularity,
    gnnKMeansModularity: com.gnn.modularity,
    louvainARI: com.louvain.ari,
    gnnKMeansARI: com.gnn.ari,
    gnnKMeansAccuracy: com.gnn.accuracy,
  };
  log(
    `node-classification demo: karate test accuracy ${test.accuracy.toFixed(3)} (${test.nodes} nodes); communities ${JSON.stringify(metrics)}`,
  );
  const svg = (colors: Int32Array, title: string, legend?: string[], extra: { highlight?: Set<number>; wrong?: Set<number> } = {}) =>
    drawGraphSvg(layout, edges, {
      colors,
      title,
      legend,
      labels: g.nodeNames?.map((n, i) => `node ${n}: ${classes[truth[i]!]}`),
      size: 300,
      ...extra,
    });
  const extraHtml = [
    '<div style="display:flex;flex-wrap:wrap;gap:12px">',
    svg(pred, "GCN: thick = labelled, ✗ = wrong", classes, { highlight: trainNodes_, wrong }),
    svg(com.louvain.labels, `Louvain: ${com.louvain.count} groups, Q=${com.louvain.modularity.toFixed(3)}`),
    svg(com.gnn.labels, `GNN k-means: Q=${com.gnn.modularity.toFixed(3)}, ARI=${com.gnn.ari.toFixed(2)}`),
    "</div>",
    `<p>Zachary's karate club: ${g.numNodes} members, ${edges.length} friendships. Truth = the club each member joined. ` +
      `Louvain ARI with the clubs ${com.louvain.ari.toFixed(2)}; GNN-embedding k-means (k = 2) matched accuracy ${(100 * com.gnn.accuracy).toFixed(1)}%.</p>`,
  ].join("");
  const commands = [
    `flambeau train node-classification --data karate --out ${join(o.out, "karate-gcn")}`,
    `flambeau eval ${join(o.out, "karate-gcn")} --data karate --json`,
  ];
  if (o.full) {
    for (const model of ["gcn", "sage", "mlp"]) {
      const dir = join(o.out, `packages-${model}`);
      const pr = await trainNodes({ data: "debian-packages", out: dir, model, seed: 0, log, progress: o.progress });
      const m = evaluateOn(pr.model, pr.graph, pr.graph.testMask!);
      metrics[`packages_${model}_accuracy`] = m.accuracy;
      commands.push(
        `flambeau train node-classification --data debian-packages --model ${model} --out ${dir}`,
        `flambeau eval ${dir} --data debian-packages --json`,
      );
    }
  }
  return {
    task: "node-classification",
    dataset: o.full ? "Zachary's karate club + Debian package graph" : "Zachary's karate club",
    commands,
    metrics,
    history: r.history.epochs.map((e) => ({ loss: e.loss!, valLoss: e.valLoss, valAccuracy: e.valAccuracy })),
    seconds: (performance.now() - t0) / 1000,
    confusion: { labels: classes, matrix: test.confusionMatrix as number[][] },
    extraHtml,
  };
}
