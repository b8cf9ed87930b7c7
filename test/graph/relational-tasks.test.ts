// node-classification --model rgcn | compgcn end to end on a small typed graph whose labels only
// the edge types tell (every node has the same feature and one incoming edge; its class is
// that edge's relation): train, evaluate, predict; and the Depends split and DistMult decoder
// of typed link prediction.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { GRAPH_TASKS } from "../../src/graph/tasks/index.js";
import { RelationalLinkModel, splitTypedLinks } from "../../src/graph/tasks/relational-links.js";
import { tempFiles } from "../helpers/temp-files.js";

const tmp = tempFiles("fl-relational-");
const N = 40;
const relationOf = (i: number) => ((i * 7) % 5 < 2 ? "likes" : "hates");

function typedFolder(): string {
  const dir = join(tmp.dir, "typed");
  mkdirSync(dir, { recursive: true });
  const nodes = ["id,label,f", ...Array.from({ length: N }, (_, i) => `n${i},${relationOf(i)},1`)];
  // Node i's one incoming edge comes from i + 5 and carries the node's class as its relation.
  const edges = ["source,target,relation", ...Array.from({ length: N }, (_, i) => `n${(i + 5) % N},n${i},${relationOf(i)}`)];
  writeFileSync(join(dir, "nodes.csv"), `${nodes.join("\n")}\n`);
  writeFileSync(join(dir, "edges.csv"), `${edges.join("\n")}\n`);
  return dir;
}

test("node-classification with rgcn and compgcn reads the edge types a homogeneous GNN cannot see", async () => {
  const data = typedFolder();
  const nc = GRAPH_TASKS["node-classification"];
  for (const model of ["rgcn", "compgcn"]) {
    const out = join(tmp.dir, `nc-${model}`);
    await nc.train({ data, out, model, epochs: 60, seed: 0 });
    const m = await nc.evaluate(out, data);
    assert.ok((m.accuracy as number) >= 0.9, `${model} test accuracy ${m.accuracy}`);
    const p = (await nc.predict(out, ["n0", "n1"])) as { labels: { label: string }[] }[];
    assert.deepEqual(
      p.map((q) => q.labels[0]!.label),
      [relationOf(0), relationOf(1)],
    );
  }
});

test("relational models name what is wrong with data they cannot read", async () => {
  const out = join(tmp.dir, "bad");
  const isFl = (re: RegExp) => (e: Error) => e instanceof fl.FlambeauError && re.test(e.message);
  await assert.rejects(
    GRAPH_TASKS["link-prediction"].train({ data: "wormnet", out, model: "rgcn" }),
    isFl(/relational models \(rgcn, compgcn\) read typed edges; the built-in typed set is debian-packages/),
  );
  const untyped = join(tmp.dir, "untyped");
  mkdirSync(untyped, { recursive: true });
  writeFileSync(join(untyped, "nodes.csv"), "id,label\na,x\nb,y\n");
  writeFileSync(join(untyped, "edges.csv"), "source,target\na,b\n");
  await assert.rejects(
    GRAPH_TASKS["node-classification"].train({ data: untyped, out, model: "compgcn" }),
    isFl(/edges\.csv:2: edge a → b has no relation/),
  );
});

test("typed link split holds out Depends facts only; DistMult scores are symmetric in s and o", () => {
  const pairs: [number, number][] = [];
  const types: number[] = [];
  for (let i = 0; i < 30; i++) {
    pairs.push([i, (i + 1) % 30], [i, (i + 7) % 30]);
    types.push(0, 1 + (i % 2));
  }
  const graph = new fl.graph.Graph({ edgeIndex: pairs, numNodes: 30, x: fl.randn([30, 4]) });
  const t = fl.graph.typedGraph(graph, fl.tensor(BigInt64Array.from(types, BigInt)), ["Depends", "Suggests", "Maintainer"]);
  const s = splitTypedLinks({ ...t, numPackages: 30 }, { val: 0.1, test: 0.2, seed: 0 });
  assert.equal(s.testPos.src.length, 6);
  assert.equal(s.valPos.src.length, 3);
  assert.equal(s.trainFacts.src.length, 60 - 9);
  // Every other relation's facts stay for training.
  assert.equal(s.trainFacts.rel.filter((r) => r !== 0).length, 30);
  const held = new Set([...s.testPos.src].map((a, k) => `${a},${s.testPos.dst[k]}`));
  for (let k = 0; k < s.trainFacts.src.length; k++)
    assert.ok(!(s.trainFacts.rel[k] === 0 && held.has(`${s.trainFacts.src[k]},${s.trainFacts.dst[k]}`)), "a test fact is in training");
  const m = new RelationalLinkModel({ arch: "rgcn", inChannels: 4, hidden: 8, outChannels: 6, layers: 2, dropout: 0, numRelations: 3 });
  const z = fl.randn([30, 6]);
  const a = m.score(z, { src: Int32Array.of(1, 2), dst: Int32Array.of(3, 4), rel: Int32Array.of(0, 2) });
  const b = m.score(z, { src: Int32Array.of(3, 4), dst: Int32Array.of(1, 2), rel: Int32Array.of(0, 2) });
  assert.deepEqual(Array.from(a.data() as Float32Array), Array.from(b.data() as Float32Array));
});
