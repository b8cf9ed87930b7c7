// The reports' charts and tables: axes with tick labels (epochs on the loss chart), one summary
// card per task instead of a merged table, compare's points drawn as circles and its table as
// HTML, and numbers that read as counts or as measurements.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { writeCompareReport } from "../../src/cli/compare-report.js";
import { lossChart, renderReport } from "../../src/cli/report.js";
import type { CompareReport } from "../../src/compare/index.js";
import { accuracyChart, htmlTable } from "../../src/compare/index.js";
import { epochTicks, niceTicks, tickLabel } from "../../src/tasks/chart-axes.js";
import { formatMetric, plural } from "../../src/tasks/format.js";
import type { DemoSection } from "../../src/tasks/task.js";

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

test("nice ticks, epoch ticks, labels", () => {
  assert.deepEqual(niceTicks(0, 2.3), [0, 0.5, 1, 1.5, 2, 2.5]);
  assert.deepEqual(niceTicks(0.62, 0.97), [0.6, 0.7, 0.8, 0.9, 1]);
  assert.deepEqual(niceTicks(3, 3), [2.6, 2.8, 3, 3.2, 3.4]);
  assert.deepEqual(epochTicks(3), [1, 2, 3]);
  assert.deepEqual(epochTicks(25), [1, 4, 7, 10, 13, 16, 19, 22, 25]);
  assert.equal(tickLabel(0.5, 0.5), "0.5");
  assert.equal(tickLabel(2, 1), "2");
  assert.equal(tickLabel(0.05, 0.05), "0.05");
});

test("the loss chart has epoch ticks and loss ticks", () => {
  const svg = lossChart([
    { loss: 2.3, valLoss: 2.0 },
    { loss: 1.2, valLoss: 1.4 },
    { loss: 0.7, valLoss: 1.1 },
  ]);
  assert.match(svg, /^<svg[\s\S]*<\/svg>$/);
  const t = texts(svg);
  for (const label of ["1", "2", "3", "epoch", "loss", "0.0", "0.5", "2.5"])
    assert.ok(t.includes(label), `tick "${label}" missing from ${t.join(" ")}`);
  assert.equal((svg.match(/<circle/g) ?? []).length, 6);
  // One epoch: a visible point in the middle, not a zero-length line.
  assert.match(lossChart([{ loss: 1 }]), /<circle cx="239\.0"/);
});

const section = (task: string, metrics: Record<string, number>): DemoSection => ({
  task,
  dataset: `${task} data`,
  commands: [`flambeau train ${task}`],
  metrics,
  history: [{ loss: 1 }, { loss: 0.5 }],
  seconds: 3,
});

test("the demo report: one card per task with its own metrics", () => {
  const html = renderReport([section("a-task", { accuracy: 0.91234, examples: 48 }), section("b-task", { bleu: 12.5 })], {
    full: false,
    seconds: 6,
  });
  const cards = html.match(/<div class="card">[\s\S]*?<\/dl><\/div>/g) ?? [];
  assert.equal(cards.length, 2);
  assert.match(cards[0]!, /<dt>accuracy<\/dt><dd>0\.9123<\/dd><dt>examples<\/dt><dd>48<\/dd>/);
  assert.doesNotMatch(cards[0]!, /bleu/);
  assert.match(cards[1]!, /<dt>bleu<\/dt><dd>12\.5000<\/dd>/);
  assert.match(html, /<section id="task-a-task">/);
  assert.match(html, /<svg[^>]*aria-label="loss per epoch"/);
});

const side = (accuracy: number) => ({ accuracy, trainSeconds: 1, inferMs: 0.1 });
const report: CompareReport = {
  task: "t<x>",
  data: "d",
  shallowModel: "s",
  deepModel: "m",
  testExamples: 10,
  runs: [
    { fraction: 0.01, trainExamples: 10, seed: 0, shallow: side(0.7), deep: side(0.6) },
    { fraction: 0.1, trainExamples: 100, seed: 0, shallow: side(0.72), deep: side(0.8) },
  ],
};

test("compare: points as circles, y ticks in %, the table as HTML", async () => {
  const svg = accuracyChart(report);
  assert.equal((svg.match(/<circle/g) ?? []).length, 4);
  const t = texts(svg);
  for (const label of ["10", "100", "60%", "80%", "test accuracy"]) assert.ok(t.includes(label), `"${label}" missing from ${t.join(" ")}`);
  const table = htmlTable(report);
  assert.match(table, /<table class="ladder"><thead><tr><th>train examples<\/th>/);
  assert.match(table, /<td>100 \(10%\)<\/td><td>72\.00 ± 0\.00<\/td><td>80\.00 ± 0\.00<\/td>/);
  assert.match(table, /t&lt;x&gt; on d/);
  const dir = mkdtempSync(join(tmpdir(), "fl-report-"));
  try {
    await writeCompareReport(report, dir);
    const html = readFileSync(join(dir, "compare.html"), "utf8");
    assert.doesNotMatch(html, /<pre>/);
    assert.match(html, /<table class="ladder">/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("numbers: counts as integers, '1 epoch'", () => {
  assert.equal(formatMetric(48), "48");
  assert.equal(formatMetric(0.912345), "0.9123");
  assert.equal(formatMetric(123456.789), "123457");
  assert.equal(plural(1, "epoch"), "1 epoch");
  assert.equal(plural(3, "epoch"), "3 epochs");
});
