// `compare` end to end on a small ImageFolder of real Fashion-MNIST items: the shallow and
// deep sides see the same splits, every run is reported, and bad options get clear errors.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { writeCompareReport } from "../../src/cli/compare-report.js";
import { compare, ladder, markdownTable, shallowPipelineFor } from "../../src/compare/index.js";
import { writeFashionImageFolder } from "../helpers/image-folder.js";

let root = "";
before(async () => {
  root = await writeFashionImageFolder({ train: 40, test: 15 });
});

test("compare trains both sides on each size and seed and summarises them", async () => {
  const report = await compare("image-classification", { data: root, fractions: [0.5, 1], seeds: 2, epochs: 2 });
  // 120 training images, 12 carved for validation → 108 available; 54 and 108 used.
  assert.deepEqual(
    report.runs.map((r) => [r.fraction, r.seed, r.trainExamples]),
    [
      [0.5, 0, 54],
      [0.5, 1, 54],
      [1, 0, 108],
      [1, 1, 108],
    ],
  );
  assert.equal(report.testExamples, 45);
  for (const r of report.runs) {
    // Trousers, bags and sneakers are far apart in HOG space.
    assert.ok(r.shallow.accuracy > 0.8, `shallow accuracy ${r.shallow.accuracy}`);
    assert.ok(r.deep && r.deep.accuracy >= 0 && r.deep.accuracy <= 1);
    assert.ok(r.shallow.trainSeconds > 0 && r.shallow.inferMs > 0 && r.deep.inferMs > 0);
  }
  const rows = ladder(report);
  assert.equal(rows.length, 2);
  const mean = (report.runs[2]!.shallow.accuracy + report.runs[3]!.shallow.accuracy) / 2;
  assert.ok(Math.abs(rows[1]!.shallow.accuracy.mean - mean) < 1e-12);
  assert.match(markdownTable(report), /\| 108 \(100%\) \| \d+\.\d\d ± \d+\.\d\d \|/);
  const dir = mkdtempSync(join(tmpdir(), "fl-compare-"));
  await writeCompareReport(report, dir);
  assert.ok(existsSync(join(dir, "compare.json")) && existsSync(join(dir, "compare.md")));
  assert.match(readFileSync(join(dir, "compare.html"), "utf8"), /<polyline/);
});

test("compare rejects bad options and tasks without a shallow pipeline", async () => {
  await assert.rejects(compare("image-classification", { data: root, fractions: [0] }), /fractions must be in \(0, 1\], got 0/);
  await assert.rejects(compare("image-classification", { data: root, seeds: 0 }), /seeds must be a positive integer/);
  assert.throws(() => shallowPipelineFor("no-such-task"), /no shallow pipeline for task "no-such-task"/);
});
