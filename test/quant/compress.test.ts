// `flambeau compress --quantize int8` end to end at a tiny budget: a small-cnn trained on a
// 3-class image folder becomes a statically quantized variant (its plan in config.json), which
// the task's own evaluate, loadModule and pipeline read unchanged and run on quantized kernels.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";
import { writeFashionImageFolder } from "../helpers/image-folder.js";

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

test("compress --quantize int8 writes a static int8 variant that eval, loadModule and pipeline run", async () => {
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
    quantize: "int8",
    qengine: "qnnpack",
    calibrationLimit: 12,
    log: (s) => lines.push(s),
  });
  assert.deepEqual(
    results.map((r) => r.variant),
    ["baseline", "int8"],
  );
  assert.ok(
    lines.some((l) => /int8: static quantization \(qnnpack\), 4 quantized layers, calibrated on 12 examples/.test(l)),
    lines.join("\n"),
  );
  const dir = results[1]!.dir;
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  assert.equal(config.compression.int8Kernels.kernels, "static");
  assert.equal(config.compression.int8Kernels.engine, "qnnpack");
  assert.ok(results[1]!.bytes < results[0]!.bytes / 3);
  // The accuracy of 24 test images moves by at most a few images.
  assert.ok(Math.abs(results[1]!.value - results[0]!.value) <= 3 / 24 + 1e-9, `${results[0]!.value} → ${results[1]!.value}`);
  const model = await task.loadModule!(dir);
  const conv = model.modules().find((m) => m instanceof fl.nn.Conv2d)!;
  assert.ok(fl.quantization.quantizedModuleOf(conv) instanceof fl.quantization.QuantizedConv2d);
  model.dispose();
  const classify = await fl.pipeline("image-classification", dir);
  try {
    const bag = join(root, "test", "bag");
    const [first] = await classify.predict([join(bag, (await import("node:fs")).readdirSync(bag)[0]!)]);
    assert.ok(first!.labels[0]!.probability > 0);
  } finally {
    classify.dispose();
  }
  fl.quantization.setQuantizedEngine("onednn");
});

test("--qengine names an engine this libtorch has", async () => {
  const root = await writeFashionImageFolder({ train: 6, test: 2 });
  roots.push(root);
  const task = fl.tasks.getTask("image-classification");
  const base = join(root, "model");
  await task.train({ data: join(root, "train"), out: base, epochs: 1, seed: 0, model: "mlp" });
  await assert.rejects(
    fl.learn.compress.compressModelDir(task, {
      dir: base,
      out: join(root, "cmp"),
      data: join(root, "test"),
      quantize: "int8",
      qengine: "fbgemm",
    }),
    /--qengine must be one of .*qnnpack.*, got "fbgemm"/,
  );
});
