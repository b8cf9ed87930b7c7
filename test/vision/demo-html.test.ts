// The demo fragments: self-contained HTML with inline PNGs, escaped text and no scripts.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";
import { restoredCropsHtml } from "../../src/vision/tasks/image-to-image-html.js";
import { neighboursHtml } from "../../src/vision/tasks/retrieval-html.js";

const { vision } = fl;

test("the super-resolution strip shows input, bicubic, model and original crops with PSNR", async () => {
  const h = vision.restorerHyper("espcn-x2");
  const model = vision.buildRestorer(h);
  model.eval();
  const photo = { file: "/x/<odd>&name.png", pixels: fl.rand([3, 40, 50]).mul(255).to("uint8") };
  const html = await restoredCropsHtml(model, h, [photo]);
  assert.equal((html.match(/<img /g) ?? []).length, 4);
  assert.equal((html.match(/src="data:image\/png;base64,/g) ?? []).length, 4);
  assert.match(html, /bicubic \d+\.\d\d dB/);
  assert.match(html, /&lt;odd&gt;&amp;name\.png/, "file names are escaped");
  assert.doesNotMatch(html, /<script/);
});

test("the retrieval strip shows each held-out query with its k neighbours", async () => {
  const model = new vision.EmbeddingCNN({ inChannels: 1, width: 4, dim: 8 });
  const test = {
    images: fl.randint(0, 256, [12, 1, 28, 28]).to("uint8"),
    labels: fl.tensor(BigInt64Array.from({ length: 12 }, (_, i) => BigInt(i % 4))),
    classes: ["a", "b", "c", "d"],
    source: "idx" as const,
  };
  const html = await neighboursHtml(model, (x) => x.float().div(255), test, test.classes, [2, 3], 2, 3);
  // 2 classes × 2 queries × (1 query + 3 neighbours)
  assert.equal((html.match(/<img /g) ?? []).length, 16);
  assert.match(html, /query: c/);
  assert.doesNotMatch(html, /<script/);
});
