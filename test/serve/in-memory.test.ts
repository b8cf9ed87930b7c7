// Uploads to a task that decodes bytes itself (image classification) never touch the disk:
// the server's batch job hands them to the predictor in memory, with the same predictions as
// the file path gives and errors that name the client's file.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { predictBatchJob } from "../../src/serve/jobs.js";
import { getTask } from "../../src/tasks/registry.js";
import { type ImageModel, trainImageModel } from "./fixture.js";

let m: ImageModel;
before(async () => {
  m = await trainImageModel();
});
after(() => rmSync(m.root, { recursive: true, force: true }));

test("image uploads are classified from memory: no scratch file, the file path's predictions", async () => {
  // A scratch folder that does not exist: any write to it would fail the batch.
  const scratch = join(m.root, "no-such-scratch");
  const upload = { bytes: new Uint8Array(m.png), ext: ".png", name: "bag.png" };
  const r = await predictBatchJob(m.model, scratch, [upload, upload], [1, 1], { topK: 2 });
  const fromFile = await (await getTask("image-classification").load(m.model)).predict([m.file], { topK: 2 });
  type Labels = { labels: { label: string; probability: number }[] }[];
  const expected = fromFile as Labels;
  for (const g of r.groups) {
    assert.ok("predictions" in g, JSON.stringify(g));
    // The same labels; probabilities to float rounding, which oneDNN's kernels choose by batch size.
    const got = g.predictions as Labels;
    assert.deepEqual(
      got.map((p) => p.labels.map((l) => l.label)),
      expected.map((p) => p.labels.map((l) => l.label)),
    );
    got.forEach((p, i) => p.labels.forEach((l, j) => assert.ok(Math.abs(l.probability - expected[i]!.labels[j]!.probability) < 1e-6)));
  }
});

test("a broken upload fails its own request, named by the client's name", async () => {
  const broken = { bytes: new Uint8Array([...m.png.subarray(0, 33), ...new Array(64).fill(7)]), ext: ".png", name: "broken.png" };
  const good = { bytes: new Uint8Array(m.png), ext: ".png", name: "bag.png" };
  const r = await predictBatchJob(m.model, join(m.root, "no-such-scratch"), [good, broken], [1, 1], {});
  assert.ok("predictions" in r.groups[0]!);
  const bad = r.groups[1]!;
  assert.ok("error" in bad);
  assert.match(bad.error, /readImage: cannot decode broken\.png/);
  assert.equal(bad.code, "E_FORMAT");
});
