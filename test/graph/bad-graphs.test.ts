// Bad graph files give errors naming the file, the line (or JSON path) and the value: edges
// naming missing nodes, self-loops where not allowed, malformed lines, non-numeric weights.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { parseEdgeList } from "../../src/graph/convert.js";
import { readGraphFile } from "../../src/graph/graph-file.js";

const isFl = (re: RegExp) => (e: Error) => e instanceof fl.FlambeauError && re.test(e.message);

function csvGraph(nodes: string, edges: string): string {
  const dir = mkdtempSync(join(tmpdir(), "fl-badgraph-"));
  writeFileSync(join(dir, "nodes.csv"), nodes);
  writeFileSync(join(dir, "edges.csv"), edges);
  return dir;
}

test("CSV graphs: the edges.csv line of a missing node, a self-loop, a bad weight or a short row", () => {
  const nodes = "id,label\na,x\nb,y\nc,x\n";
  assert.throws(
    () => readGraphFile(csvGraph(nodes, "source,target\na,b\nb,zebra\n")),
    isFl(/edges\.csv:3: edge b → zebra names node "zebra", which is not in the node list/),
  );
  const loops = csvGraph(nodes, "source,target\na,b\n\nc,c\n");
  assert.equal(readGraphFile(loops).numNodes, 3);
  assert.throws(() => readGraphFile(loops, { allowSelfLoops: false }), isFl(/edges\.csv:4: self-loop c → c is not allowed/));
  assert.throws(
    () => readGraphFile(csvGraph(nodes, "source,target,weight\na,b,1\nb,c,heavy\n")),
    isFl(/edges\.csv:3: edge b → c has weight "heavy", not a number/),
  );
  assert.throws(() => readGraphFile(csvGraph(nodes, "source,target\na,b\nc\n")), isFl(/edges\.csv:3: 1 fields, the header has 2/));
  assert.throws(
    () => readGraphFile(csvGraph("id,label\na,x\nb,y\na,x\n", "source,target\na,b\n")),
    isFl(/nodes\.csv:4: node "a" is listed twice/),
  );
});

test("JSON graphs: the edge's index names it", () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-badgraph-"));
  const f = join(dir, "g.json");
  writeFileSync(
    f,
    JSON.stringify({
      nodes: ["a", "b"],
      edges: [
        ["a", "b"],
        ["b", "c"],
      ],
    }),
  );
  assert.throws(() => readGraphFile(f), isFl(/g\.json: edges\[1\]: edge b → c names node "c"/));
  writeFileSync(f, JSON.stringify({ nodes: ["a", "b"], edges: [["a", "b"], { source: "b", target: "b" }] }));
  assert.throws(() => readGraphFile(f, { allowSelfLoops: false }), isFl(/g\.json: edges\[1\]: self-loop b → b/));
});

test("edge lists: self-loops and unknown nodes name the line", () => {
  assert.throws(
    () => parseEdgeList("a b\n# c\nb b\n", { allowSelfLoops: false }, "e.txt"),
    isFl(/e\.txt:3: self-loop "b" → "b" is not allowed/),
  );
  assert.equal(parseEdgeList("a b\nb b\n", {}, "e.txt").numEdges, 2);
});
