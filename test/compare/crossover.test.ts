// Where deep overtakes shallow, on hand-made reports: the smallest size from which deep stays
// ahead at every larger size of the ladder, or none.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { writeCompareReport } from "../../src/cli/compare-report.js";
import { type CompareReport, crossover, crossoverSentence, markdownTable } from "../../src/compare/index.js";

const side = (accuracy: number) => ({ accuracy, trainSeconds: 1, inferMs: 0.1 });
function report(pairs: [number, number, number][]): CompareReport {
  return {
    task: "t",
    data: "d",
    shallowModel: "s",
    deepModel: "m",
    testExamples: 10,
    runs: pairs.map(([n, s, d], i) => ({ fraction: n / 1000, trainExamples: n, seed: i % 2, shallow: side(s), deep: side(d) })),
  };
}

test("crossover: the first size of the final run where deep leads on the mean", () => {
  // Sizes 10, 100, 1000 with two seeds each: deep means 0.6, 0.75, 0.9 vs shallow 0.7, 0.7, 0.8.
  const r = report([
    [10, 0.7, 0.5],
    [10, 0.7, 0.7],
    [100, 0.7, 0.8],
    [100, 0.7, 0.7],
    [1000, 0.8, 0.9],
    [1000, 0.8, 0.9],
  ]);
  assert.equal(crossover(r)?.trainExamples, 100);
  assert.equal(crossoverSentence(r), "deep ahead at every size from 100 training examples (10%) up");
  assert.match(markdownTable(r), /deep ahead at every size from 100 training examples/);
  // Deep ahead at the smallest size only, then behind: no crossover.
  const flip = report([
    [10, 0.6, 0.7],
    [1000, 0.9, 0.8],
  ]);
  assert.equal(crossover(flip), undefined);
  assert.equal(crossoverSentence(flip), "deep never stays ahead of shallow on this ladder");
  // A tie is not a lead.
  assert.equal(crossover(report([[10, 0.7, 0.7]])), undefined);
  const shallowOnly = { ...r, runs: r.runs.map(({ deep: _d, ...u }) => u) };
  assert.equal(crossoverSentence(shallowOnly), "deep side not run");
});

test("the report writes a standalone SVG chart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-crossover-"));
  await writeCompareReport(
    report([
      [10, 0.7, 0.6],
      [100, 0.7, 0.8],
    ]),
    dir,
  );
  assert.ok(existsSync(join(dir, "compare.svg")));
  assert.match(
    readFileSync(join(dir, "compare.svg"), "utf8"),
    /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<polyline[\s\S]*<\/svg>\n$/,
  );
});
