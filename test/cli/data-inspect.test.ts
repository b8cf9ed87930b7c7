// `flambeau data inspect` on tiny fixtures: class counts, sizes, a planted duplicate (within
// the data and shared with another split), an unreadable file and a too-small class.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import sharp from "sharp";
import { formatSummary, inspectData } from "../../src/cli/inspect/index.js";
import { encodePng } from "../../src/vision/image-io.js";
import { FIXTURES } from "../helpers/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "fl-inspect-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("an ImageFolder: counts, sizes, a duplicate shared with test/, an unreadable image, a one-image class", async () => {
  const root = join(dir, "images");
  const sizes: Record<string, [number, number][]> = {
    cat: [
      [8, 6],
      [10, 6],
      [12, 6],
    ],
    dog: [[4, 4]],
  };
  for (const split of ["train", "test"])
    for (const [cls, list] of Object.entries(sizes)) {
      mkdirSync(join(root, split, cls), { recursive: true });
      if (split === "test") continue;
      for (const [k, [w, h]] of list.entries())
        await sharp(Buffer.alloc(w * h * 3, 40 * k + (cls === "dog" ? 7 : 0)), { raw: { width: w, height: h, channels: 3 } })
          .png()
          .toFile(join(root, split, cls, `${k}.png`));
    }
  copyFileSync(join(root, "train", "cat", "0.png"), join(root, "train", "cat", "copy.png"));
  copyFileSync(join(root, "train", "cat", "1.png"), join(root, "test", "cat", "leak.png"));
  writeFileSync(join(root, "train", "dog", "broken.png"), "not an image");
  const r = await inspectData({ task: "image-classification", data: root });
  assert.equal(r.data.path, join(root, "train"));
  assert.equal(r.data.examples, 5);
  assert.deepEqual(r.data.classes, { cat: 4, dog: 1 });
  assert.deepEqual(r.data.imageWidth, { min: 4, median: 8, max: 12 });
  assert.equal(r.data.duplicates, 1);
  assert.deepEqual(r.data.duplicateGroups, [[join(root, "train", "cat", "0.png"), join(root, "train", "cat", "copy.png")]]);
  assert.equal(r.data.overlaps[0]!.examples, 1);
  assert.equal(r.data.overlaps[0]!.first[0]!.other, join(root, "test", "cat", "leak.png"));
  assert.match(r.data.problems[0]!, /train\/dog\/broken\.png: unreadable image/);
  assert.match(r.data.problems.join("\n"), /class "dog" has 1 example/);
  // test/dog is an empty class folder.
  assert.match(r.splits[0]!.problems.join("\n"), /test\/dog: class folder with no/);
  const text = formatSummary(r.data);
  assert.match(text, /5 examples\nclasses \(2\): cat 4, dog 1/);
  assert.match(text, /exact duplicates shared with .*test: 1/);
});

test("a CSV: token lengths, a duplicate under two labels, a broken split named by file and line", async () => {
  const csv = join(dir, "t.csv");
  writeFileSync(csv, 'text,label\n"the cat sat",pets\n"a dog",pets\n"the cat sat",cars\n"one two three four",cars\n');
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, '{"text": "a dog", "label": "pets"}\n{"text": "x"}\n');
  const r = await inspectData({ task: "text-classification", data: csv, val: bad });
  assert.equal(r.data.examples, 4);
  assert.deepEqual(r.data.classes, { cars: 2, pets: 2 });
  assert.deepEqual(r.data.tokens, { min: 2, median: 3, max: 4 });
  assert.equal(r.data.duplicates, 1);
  assert.match(r.data.problems.join("\n"), /t\.csv:2 = .*t\.csv:4: the same example labelled "pets" and "cars"/);
  assert.match(r.splits[0]!.problems[0]!, /bad\.jsonl:2: no column "label"; columns are: text/);
  await assert.rejects(inspectData({ task: "fill-mask", data: csv }), /no inspector for task "fill-mask"/);
});

/** A w × w PNG of one value: an RGB image, or a grey label mask with one channel. */
const flatPng = async (file: string, w: number, v: number, channels: 1 | 3) =>
  writeFileSync(file, await encodePng(new Uint8Array(w * w * channels).fill(v), channels, w, w));

test("scene data as users bring it: COCO train/ and test/ with bare names in images/, a missing image, a leak; a label-mask folder", async () => {
  const root = join(dir, "coco");
  for (const [split, names] of [
    ["train", ["a.png", "b.png", "gone.png"]],
    ["test", ["c.png"]],
  ] as const) {
    mkdirSync(join(root, split, "images"), { recursive: true });
    for (const [k, n] of names.entries())
      if (n !== "gone.png") await flatPng(join(root, split, "images", n), 8, split === "test" ? 10 : 10 + 40 * k, 3);
    const coco = {
      images: names.map((n, k) => ({ id: k + 1, file_name: n, width: 8, height: 8 })),
      annotations: names.map((_, k) => ({
        id: k + 1,
        image_id: k + 1,
        category_id: 1 + (k % 2),
        bbox: [1, 1, 4, 4],
        area: 16,
        iscrowd: 0,
      })),
      categories: [
        { id: 1, name: "circle" },
        { id: 2, name: "square" },
      ],
    };
    writeFileSync(join(root, split, "annotations.json"), JSON.stringify(coco));
  }
  const r = await inspectData({ task: "object-detection", data: root });
  assert.equal(r.data.path, join(root, "train", "annotations.json"));
  assert.equal(r.data.examples, 3);
  assert.deepEqual(r.data.classes, { circle: 2, square: 1 });
  // train's a.png and test's c.png hold the same pixels: a leak between the splits.
  assert.equal(r.data.overlaps[0]!.examples, 1);
  assert.match(r.data.problems.join("\n"), /image id 3 "gone\.png" not found; looked in .*train\/images\/gone\.png/);
  assert.equal(r.splits[0]!.examples, 1);

  const masks = join(dir, "masks");
  mkdirSync(join(masks, "images"), { recursive: true });
  mkdirSync(join(masks, "masks"), { recursive: true });
  writeFileSync(join(masks, "classes.txt"), "background\nroad\n");
  await flatPng(join(masks, "images", "x.png"), 8, 90, 3);
  await flatPng(join(masks, "masks", "x.png"), 8, 1, 1);
  const m = await inspectData({ task: "image-segmentation", data: masks });
  assert.equal(m.data.format, "mask-folder");
  assert.deepEqual([m.data.examples, m.data.problems], [1, []]);
  await flatPng(join(masks, "masks", "x.png"), 8, 7, 1);
  const bad = await inspectData({ task: "image-segmentation", data: masks });
  assert.match(bad.data.problems[0]!, /masks\/x\.png: class id 7 .* past the 1 classes/);
});

test("the command prints --json and a bad task is a one-line error", () => {
  const bin = join(FIXTURES, "..", "..", "bin", "flambeau.js");
  const csv = join(dir, "cli.csv");
  writeFileSync(csv, 'text,label\n"a b",x\n"c d",x\n');
  const ok = spawnSync(process.execPath, [bin, "data", "inspect", "--task", "text-classification", "--data", csv, "--json"], {
    encoding: "utf8",
  });
  assert.equal(ok.status, 0, ok.stderr);
  const r = JSON.parse(ok.stdout) as { data: { examples: number; classes: Record<string, number> } };
  assert.deepEqual([r.data.examples, r.data.classes], [2, { x: 2 }]);
  const bad = spawnSync(process.execPath, [bin, "data", "inspect", "--task", "nope", "--data", csv], { encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^flambeau: data inspect: no inspector for task "nope"/);
});
