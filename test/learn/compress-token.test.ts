// `compress` on a token-classification model (BiLSTM + char CNN + CRF on a tiny CoNLL file):
// pruning masks and int8 storage reach the tagger through the task's loadModule, the CRF's
// transition matrix is refused for int8 by name unless kept in float, and each variant loads
// back through the task's own evaluate. Distillation is per token (padding left out) into a
// CRF-free student; a CRF student is refused.
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

test("distillationLoss over [batch, tokens, classes] is the [rows, classes] loss of the labelled tokens", () => {
  fl.manualSeed(0);
  const student = fl.randn([2, 3, 4]);
  const teacher = fl.randn([2, 3, 4]);
  const target = fl.tensor(new BigInt64Array([1n, 3n, -100n, 0n, -100n, 2n])).reshape([2, 3]);
  const kept = fl.tensor(new BigInt64Array([0n, 1n, 3n, 5n]));
  const rows = (t: fl.Tensor) => t.reshape([-1, 4]).indexSelect(0, kept);
  const o = { temperature: 2, alpha: 0.5 };
  const seq = fl.learn.compress.distillationLoss(student, teacher, target, o).item() as number;
  const flat = fl.learn.compress
    .distillationLoss(rows(student), rows(teacher), target.reshape([-1]).indexSelect(0, kept), o)
    .item() as number;
  assert.ok(Math.abs(seq - flat) < 1e-6, `${seq} against ${flat}`);
});

test("token-classification: a smaller CRF-free tagger is distilled from the saved one; a CRF student is refused", async () => {
  const task = fl.tasks.getTask("token-classification");
  const data = join(root, "train.conll");
  const held = join(root, "test.conll");
  const base = join(root, "base");
  const results = await fl.learn.compress.compressModelDir(task, {
    dir: base,
    out: join(root, "kd"),
    data: held,
    trainData: data,
    distillTo: "bilstm:hiddenSize=16",
    distillEpochs: 1,
    log: () => {},
  });
  assert.deepEqual(
    results.map((r) => r.variant),
    ["baseline", "student-bilstm-hiddenSize-16"],
  );
  assert.ok(results[1]!.parameters < results[0]!.parameters, `${results[1]!.parameters} against ${results[0]!.parameters} parameters`);
  await assert.rejects(
    fl.learn.compress.compressModelDir(task, {
      dir: base,
      out: join(root, "kd2"),
      data: held,
      trainData: data,
      distillTo: "bilstm-crf",
      log: () => {},
    }),
    /distil into --model bilstm .*bilstm-crf's CRF would not be trained/,
  );
});
