// Typed graph files (source,target,relation): relations by name or by declared id, and errors
// naming the line for relation ids out of range, unknown relation names, missing relations,
// edges naming missing nodes and self-loops where not allowed; parsePackages' typed relations.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { parsePackages } from "../../src/graph/datasets/debian-packages.js";
import { readTypedGraphFile } from "../../src/graph/typed-graph-file.js";
import { tempFiles } from "../helpers/temp-files.js";

const isFl = (re: RegExp) => (e: Error) => e instanceof fl.FlambeauError && re.test(e.message);
const tmp = tempFiles("fl-typed-graph-");
let n = 0;

function csvGraph(edges: string, relations?: string): string {
  const dir = join(tmp.dir, `g${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "nodes.csv"), "id,label\na,x\nb,y\nc,x\n");
  writeFileSync(join(dir, "edges.csv"), edges);
  if (relations !== undefined) writeFileSync(join(dir, "relations.csv"), relations);
  return dir;
}

test("typed CSV graphs: relations by name or declared id, one directed edge per line", () => {
  const t = readTypedGraphFile(csvGraph("source,target,relation\na,b,depends\nb,c,suggests\nc,a,depends\n"));
  assert.deepEqual(t.relations, ["depends", "suggests"]);
  assert.deepEqual(Array.from(t.edgeType.data() as BigInt64Array, Number), [0, 1, 0]);
  assert.deepEqual(Array.from(t.graph.edgeIndex.data() as BigInt64Array, Number), [0, 1, 2, 1, 2, 0]);
  const d = readTypedGraphFile(csvGraph("source,target,relation\na,b,1\nb,c,depends\n", "name\ndepends\nsuggests\n"));
  assert.deepEqual(d.relations, ["depends", "suggests"]);
  assert.deepEqual(Array.from(d.edgeType.data() as BigInt64Array, Number), [1, 0]);
});

test("bad typed graphs name the line: relation ids out of range, unknown names, missing relations, missing nodes, self-loops", () => {
  const rels = "name\ndepends\nsuggests\n";
  assert.throws(
    () => readTypedGraphFile(csvGraph("source,target,relation\na,b,0\nb,c,2\n", rels)),
    isFl(/edges\.csv:3: edge b → c has relation id 2, outside \[0, 2\) \(2 relations declared: depends, suggests\)/),
  );
  assert.throws(
    () => readTypedGraphFile(csvGraph("source,target,relation\na,b,-1\n", rels)),
    isFl(/edges\.csv:2: edge a → b has relation id -1, outside \[0, 2\)/),
  );
  assert.throws(
    () => readTypedGraphFile(csvGraph("source,target,relation\na,b,depends\nb,c,conflicts\n", rels)),
    isFl(/edges\.csv:3: edge b → c has relation "conflicts", not one of the declared depends, suggests/),
  );
  assert.throws(
    () => readTypedGraphFile(csvGraph("source,target,relation\na,b,3\n")),
    isFl(/edges\.csv:2: edge a → b has relation id 3, but no relations are declared/),
  );
  assert.throws(
    () => readTypedGraphFile(csvGraph("source,target,relation\na,b,depends\nb,c,\n")),
    isFl(/edges\.csv:3: edge b → c has no relation/),
  );
  assert.throws(() => readTypedGraphFile(csvGraph("source,target\na,b\n")), isFl(/edges\.csv:2: edge a → b has no relation/));
  assert.throws(
    () => readTypedGraphFile(csvGraph("source,target,relation\na,b,depends\nb,zebra,depends\n")),
    isFl(/edges\.csv:3: edge b → zebra names node "zebra", which is not in the node list/),
  );
  const loops = csvGraph("source,target,relation\na,b,depends\nc,c,depends\n");
  assert.equal(readTypedGraphFile(loops).graph.numEdges, 2);
  assert.throws(() => readTypedGraphFile(loops, { allowSelfLoops: false }), isFl(/edges\.csv:3: self-loop c → c is not allowed/));
  assert.throws(
    () => readTypedGraphFile(csvGraph("source,target,relation\na,b,depends\n", "name\ndepends\ndepends\n")),
    isFl(/relations\.csv:3: relation "depends" is listed twice/),
  );
});

test("typed JSON graphs: declared relations and errors naming the edge", () => {
  const write = (edges: unknown[], relations?: unknown) =>
    tmp.write(
      `g${n++}.json`,
      JSON.stringify({
        nodes: [
          { id: "a", label: "x" },
          { id: "b", label: "y" },
        ],
        edges,
        relations,
      }),
    );
  const t = readTypedGraphFile(write([{ source: "a", target: "b", relation: "r1" }], ["r0", "r1"]));
  assert.deepEqual(Array.from(t.edgeType.data() as BigInt64Array, Number), [1]);
  assert.throws(
    () => readTypedGraphFile(write([{ source: "a", target: "b", relation: 5 }], ["r0", "r1"])),
    isFl(/edges\[0\]: edge a → b has relation id 5, outside \[0, 2\)/),
  );
  assert.throws(
    () => readTypedGraphFile(write([{ source: "a", target: "b", relation: "r" }], [])),
    isFl(/"relations" must be a non-empty array/),
  );
});

test("parsePackages keeps the typed relations and maintainers", () => {
  const text = [
    "Package: a\nSection: libs\nMaintainer: Ann <ann@x.org>\nDescription: A\nDepends: b\nPre-Depends: c\nRecommends: c, missing\nSuggests: b | c\nConflicts: b\nProvides: virtual-a",
    "Package: b\nSection: utils\nMaintainer: Ann <ann@x.org>\nDescription: B\nProvides: c",
    "Package: c\nSection: utils\nDescription: C",
  ].join("\n\n");
  const idx = parsePackages([text]);
  const facts = idx.typed.src.map(
    (s, k) =>
      `${idx.names[s]} ${["Depends", "Recommends", "Suggests", "Conflicts", "Provides"][idx.typed.relation[k]!]} ${idx.names[idx.typed.dst[k]!]}`,
  );
  assert.deepEqual(facts.sort(), [
    "a Conflicts b",
    "a Depends b",
    "a Depends c",
    "a Recommends c",
    "a Suggests b",
    "a Suggests c",
    "b Provides c",
  ]);
  assert.deepEqual(idx.maintainers, ["Ann <ann@x.org>", "Ann <ann@x.org>", ""]);
  // The untyped Depends edges are unchanged (Depends and Pre-Depends).
  assert.deepEqual(
    [idx.src, idx.dst],
    [
      [0, 0],
      [1, 2],
    ],
  );
});
