// `flambeau compress --quantize int8 --qat-epochs 1` end to end at a tiny budget: besides the
// post-training int8 variant, an `int8-qat` one fine-tuned quantization-aware through the
// task's own training, with the same kind of static plan, which eval and loadModule run on
// quantized kernels; --qat-epochs without int8 is refused.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";
import { writeFashionImageFolder } from "../helpers/image-folder.js";

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  fl.quantization.setQuantizedEngine("onednn");
});

test("compress --qat-epochs writes an int8-qat variant with a static plan that eval and loadModule run", async () => {
  const root = await writeFashionImageFolder({ train: 20, test: 8 });
  roots.push(root);
  const task = fl.tasks.getTask("image-classification");
  const base = join(root, "model");
  await task.train({ data: join(root, "train"), out: base, epochs: 1, seed: 0 });
  const lines: string[] = [];
  const results = await fl.learn.compress.compressModelDir(task, {
    dir: base,
    out: join(root, "cmp"),
    data: join(root, "test"),
    trainData: join(root, "train"),
    quantize: "int8",
    qengine: "qnnpack",
    calibrationLimit: 12,
    qatEpochs: 1,
    log: (s) => lines.push(s),
  });
  assert.deepEqual(
    results.map((r) => r.variant),
    ["baseline", "int8", "int8-qat"],
  );
  assert.ok(
    lines.some((l) => /quantization-aware plan, 4 quantized layers/.test(l)),
    lines.join("\n"),
  );
  const qat = results[2]!;
  const config = JSON.parse(readFileSync(join(qat.dir, "config.json"), "utf8"));
  assert.equal(config.compression.int8Kernels.kernels, "static");
  assert.equal(config.compression.int8Kernels.engine, "qnnpack");
  assert.equal(config.compression.int8Kernels.groups.length, 4);
  assert.ok(qat.bytes < results[0]!.bytes / 3);
  assert.ok(Math.abs(qat.value - results[0]!.value) <= 4 / 24 + 1e-9, `${results[0]!.value} → ${qat.value}`);
  const model = await task.loadModule!(qat.dir);
  const conv = model.modules().find((m) => m instanceof fl.nn.Conv2d)!;
  assert.ok(fl.quantization.quantizedModuleOf(conv) instanceof fl.quantization.QuantizedConv2d);
  model.dispose();

  await assert.rejects(
    fl.learn.compress.compressModelDir(task, { dir: base, out: join(root, "cmp2"), data: join(root, "test"), qatEpochs: 1 }),
    /--qat-epochs needs --quantize int8/,
  );
});
