// COCO caption files: what writeCocoCaptions writes, readCocoCaptions reads back (images and
// every caption), and malformed files fail with the file and the field named.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { cocoTokenize } from "../../../src/train/text-metrics/coco-tokenize.js";
import { captionsFile, readCocoCaptions, writeCocoCaptions } from "../../../src/vision/captions/data.js";

test("captions_<split>.json round trip: COCO's layout, pixels and captions back unchanged", async () => {
  const dir = mkdtempSync(join(tmpdir(), "captions-"));
  try {
    const s = 16;
    const images = Uint8Array.from({ length: 2 * 3 * s * s }, (_, i) => (i * 7) % 256);
    const captions = [["a red 3", "one red 3 on a photo"], ["a blue 7 above a gray 1"]];
    const file = await writeCocoCaptions(dir, "train", { size: s, images, captions, graphs: null, names: ["a", "b"] });
    const json = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(json.images[1], { id: 2, file_name: "images/train-000002.png", width: 16, height: 16 });
    assert.deepEqual(json.annotations[2], { id: 3, image_id: 2, caption: "a blue 7 above a gray 1" });
    assert.equal(captionsFile(dir, "train"), file);
    const back = await readCocoCaptions(file, { size: s });
    assert.deepEqual(back.captions, captions);
    assert.deepEqual(back.images, images);
    writeFileSync(join(dir, "captions_test.json"), JSON.stringify({ images: [{ id: 1 }], annotations: [] }));
    await assert.rejects(
      readCocoCaptions(join(dir, "captions_test.json"), { size: s }),
      /images\[0\] needs a numeric "id" and a "file_name"/,
    );
    assert.throws(() => captionsFile(join(dir, "images"), "train"), /needs one captions_train\*\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cocoTokenize: lowercase, punctuation dropped as pycocoevalcap's PTB step does", () => {
  assert.equal(cocoTokenize("A red 3, a blue 7 and a green 1."), "a red 3 a blue 7 and a green 1");
  assert.equal(cocoTokenize("Two dogs -- playing!"), "two dogs playing");
});
