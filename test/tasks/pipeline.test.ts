// fl.pipeline(task, dir): a saved model loaded once, its predictions typed by the task.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { writeFashionImageFolder } from "../helpers/image-folder.js";

test("pipeline loads once and types predictions by task; another task's directory is refused", async () => {
  const root = await writeFashionImageFolder({ train: 12, test: 2 });
  const dir = join(root, "model");
  await fl.tasks.getTask("image-classification").train({ data: join(root, "train"), out: dir, epochs: 1 });
  const bag = join(root, "test", "bag");
  const image = join(bag, readdirSync(bag)[0]!);
  const classify = await fl.pipeline("image-classification", dir);
  try {
    // Typed: `labels` and `probability` are known to the compiler, `topK` is the task's own option.
    const [first] = await classify.predict([image], { topK: 2 });
    const top: { label: string; probability: number } = first!.labels[0]!;
    assert.equal(first!.labels.length, 2);
    assert.ok(["trouser", "bag", "sneaker"].includes(top.label));
    assert.ok(top.probability > 0 && top.probability <= 1);
    const again = await classify.predict([image, image]);
    assert.equal(again.length, 2);
  } finally {
    classify.dispose();
  }
  await assert.rejects(fl.pipeline("text-classification", dir), /pipeline: .* holds a image-classification model, not text-classification/);
});
