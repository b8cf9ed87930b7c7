// The Debian package graph as a knowledge graph: every fact of a Packages list becomes one
// triple (typed package relations, Maintainer and Section entities), duplicates and self-loops
// dropped, and the split keeps held-out triples to entities seen in training.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { packageKnowledgeGraph, packageTriples } from "../../src/graph/kg/debian-packages.js";

const dir = mkdtempSync(join(tmpdir(), "fl-pkg-kg-"));
// The index is cached by content; keep this test's cache out of the user's.
process.env.FLAMBEAU_CACHE = join(dir, "cache");
after(() => rmSync(dir, { recursive: true, force: true }));

const stanza = (name: string, section: string, fields: string) =>
  `Package: ${name}\nSection: ${section}\nMaintainer: Team ${section} <t@x>\nDescription: ${name} tool\n${fields}`;

test("packageTriples: typed relations, Maintainer and Section facts, no duplicates or self-loops", async () => {
  const lists = join(dir, "lists");
  mkdirSync(lists);
  writeFileSync(
    join(lists, "fixture_Packages"),
    [
      stanza("a", "libs", "Depends: b, c (>= 1), b\nSuggests: a\nConflicts: c"),
      stanza("b", "utils", "Recommends: c"),
      stanza("c", "libs", "Provides: d"),
      stanza("d", "libs", ""),
    ].join("\n\n"),
  );
  const rows = (await packageTriples({ dir: lists })).map((r) => r.join(" "));
  for (const fact of [
    "a Depends b",
    "a Depends c",
    "a Conflicts c",
    "b Recommends c",
    "a Maintainer maintainer:Team libs <t@x>",
    "b Section section:utils",
  ])
    assert.ok(rows.includes(fact), `missing ${fact} in ${rows.join("; ")}`);
  assert.equal(rows.filter((r) => r === "a Depends b").length, 1);
  assert.ok(!rows.includes("a Suggests a"));
  // A 2-core keeps only entities in at least two facts; every held-out entity is in training.
  const kg = await packageKnowledgeGraph({ dir: lists, seed: 0, minDegree: 2 });
  const total = kg.train.heads.length + kg.valid.heads.length + kg.test.heads.length;
  assert.ok(total > 0 && total <= rows.length);
  const seen = new Set([...kg.train.heads, ...kg.train.tails]);
  for (const t of [kg.valid, kg.test]) for (const e of [...t.heads, ...t.tails]) assert.ok(seen.has(e));
});
