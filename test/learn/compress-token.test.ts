// `compress` on a token-classification model (BiLSTM + char CNN + CRF on a tiny CoNLL file):
// pruning masks and int8 storage reach the tagger through the task's loadModule, the CRF's
// transition matrix is refused for int8 by name unless kept in float, and each variant loads
// back through the task's own evaluate.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";

const root = mkdtempSync(join(tmpdir(), "fl-compress-token-"));
after(() => rmSync(root, { recursive: true, force: true }));

const names = ["Alice", "Bob", "Carol", "Dave"];
const places = ["Paris", "Rome", "Oslo", "Lima"];
const conll = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return [`${names[i % 4]}\tB-PER`, "went\tO", "to\tO", `${places[(i * 3) % 4]}\tB-LOC`, `day${i}\tO`].join("\n");
  }).join("\n\n");

test("token-classification: compress prunes and stores int8 through loadModule; the CRF is kept in float by name", async () => {
  const data = join(root, "train.conll");
  const held = join(root, "test.conll");
  writeFileSync(data, `${conll(0, 40)}\n`);
  writeFileSync(held, `${conll(40, 12)}\n`);
  const task = fl.tasks.getTask("token-classification");
  const base = join(root, "base");
  await task.train({ data, out: base, epochs: 1, seed: 0, log: () => {} } as Parameters<typeof task.train>[0]);
  await assert.rejects(
    fl.learn.compress.compressModelDir(task, { dir: base, out: join(root, "refused"), data: held, quantize: "int8", log: () => {} }),
    /layer "crf" \(CRF\) holds matrix weights .*--keep-float crf/,
  );
  const results = await fl.learn.compress.compressModelDir(task, {
    dir: base,
    out: join(root, "cmp"),
    data: held,
    trainData: data,
    prune: [0.5],
    quantize: "int8",
    keepFloat: ["crf"],
    log: () => {},
  });
  assert.deepEqual(
    results.map((r) => r.variant),
    ["baseline", "pruned-50", "int8", "pruned-50+int8"],
  );
  const [baseline, pruned, int8] = results as [
    fl.learn.compress.VariantResult,
    fl.learn.compress.VariantResult,
    fl.learn.compress.VariantResult,
  ];
  assert.ok(pruned.nonzero < baseline.nonzero, `pruning zeroes weights: ${pruned.nonzero} of ${baseline.nonzero}`);
  assert.ok(int8.bytes < baseline.bytes / 3, `int8 storage: ${int8.bytes} against ${baseline.bytes} bytes`);
  for (const r of results) assert.ok(Number.isFinite(r.value) && r.value >= 0 && r.value <= 1, `${r.variant}: ${r.metric} ${r.value}`);
  // The pruned directory's masks survive a reload through the task.
  const model = await task.loadModule!(pruned.dir);
  let zeros = 0;
  for (const p of model.parameters()) zeros += p.numel - (p.ne(0).sum().item() as number);
  assert.ok(zeros >= baseline.nonzero - pruned.nonzero, `${zeros} zero weights after reload`);
  model.dispose();
});
