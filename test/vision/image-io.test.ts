// Image files: round trips, and clear errors for truncated, non-image and empty files,
// wrong channel counts and empty folders.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as fl from "flambeau";

const { vision } = fl;
const dir = mkdtempSync(join(tmpdir(), "fl-imgio-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const isFlambeau = (re: RegExp) => (e: unknown) => e instanceof fl.FlambeauError && re.test(e.message);

test("PNG round trip is exact for RGB and grayscale uint8 images", async () => {
  const rgb = fl.randint(0, 256, [3, 5, 7]).to("uint8");
  await vision.writeImage(join(dir, "rgb.png"), rgb);
  const back = await vision.readImageTensor(join(dir, "rgb.png"));
  assert.deepEqual(Array.from(back.data() as Uint8Array), Array.from(rgb.data() as Uint8Array));
  const gray = fl.randint(0, 256, [1, 4, 6]).to("uint8");
  await vision.writeImage(join(dir, "gray.png"), gray);
  const g = await vision.readImageTensor(join(dir, "gray.png"));
  assert.deepEqual([...g.shape], [1, 4, 6]);
  assert.deepEqual(Array.from(g.data() as Uint8Array), Array.from(gray.data() as Uint8Array));
  // Grayscale read as RGB repeats the plane; resizing on read gives the asked size.
  const g3 = await vision.readImageTensor(join(dir, "gray.png"), { channels: 3, size: [8, 12] });
  assert.deepEqual([...g3.shape], [3, 8, 12]);
});

test("truncated, non-image and empty files are rejected with the file named", async () => {
  const png = readFileSync(join(dir, "rgb.png"));
  writeFileSync(join(dir, "cut.png"), png.subarray(0, Math.floor(png.length / 2)));
  await assert.rejects(vision.readImage(join(dir, "cut.png")), isFlambeau(/readImage: cannot decode .*cut\.png/));
  writeFileSync(join(dir, "text.png"), "hello, not an image\n");
  await assert.rejects(vision.readImage(join(dir, "text.png")), isFlambeau(/readImage: cannot decode .*text\.png/));
  writeFileSync(join(dir, "empty.jpg"), "");
  await assert.rejects(vision.readImage(join(dir, "empty.jpg")), isFlambeau(/readImage: .*empty\.jpg is empty \(0 bytes\)/));
  await assert.rejects(vision.readImage(join(dir, "missing.png")), isFlambeau(/readImage: no such file .*missing\.png/));
  await assert.rejects(vision.readImage(new Uint8Array([1, 2, 3])), isFlambeau(/readImage: cannot decode <buffer>/));
  const debianTruncated = "/usr/lib/python3/dist-packages/skimage/data/truncated.jpg";
  if (existsSync(debianTruncated))
    await assert.rejects(vision.readImage(debianTruncated), isFlambeau(/readImage: cannot decode .*truncated\.jpg/));
});

test("wrong channel counts are refused before any work", async () => {
  await assert.rejects(
    vision.readImage(join(dir, "rgb.png"), { channels: 2 as 1 }),
    isFlambeau(/readImage: channels must be 1 \(grayscale\) or 3 \(RGB\), got 2/),
  );
  await assert.rejects(
    vision.writeImage(join(dir, "x.png"), fl.zeros([4, 3, 3])),
    isFlambeau(/encodePng: expects a \[1 or 3, H, W\] image, got \[4, 3, 3\]/),
  );
  assert.throws(() => vision.transforms.normalize(fl.zeros([2, 3, 3]), [0, 0, 0], [1, 1, 1]), /normalize: 2 channels need 2 means/);
  assert.throws(() => vision.transforms.rgbToGrayscale(fl.zeros([4, 3, 3])), /rgbToGrayscale: expects 1 or 3 channels, got 4/);
  const m = vision.IMAGE_CLASSIFIERS["small-cnn"]({ inChannels: 1, numClasses: 3, size: 28 });
  assert.throws(
    () => m.forward(fl.zeros([1, 3, 28, 28])),
    fl.FlambeauError,
    "an RGB batch into a grayscale model is an error, not a crash",
  );
});

test("empty folders and folders without images get clear errors", async () => {
  mkdirSync(join(dir, "empty"));
  assert.throws(() => vision.listImageFolder(join(dir, "empty")), isFlambeau(/ImageFolder: no images .* under .*empty\/<class>\//));
  mkdirSync(join(dir, "noimg", "cat"), { recursive: true });
  writeFileSync(join(dir, "noimg", "cat", "notes.txt"), "x");
  assert.throws(() => vision.listImageFolder(join(dir, "noimg")), isFlambeau(/ImageFolder: no images/));
  assert.throws(() => vision.listImageFolder(join(dir, "nope")), isFlambeau(/ImageFolder: .*nope is not a directory/));
  await assert.rejects(
    vision.loadImageData(join(dir, "empty"), "train"),
    isFlambeau(/neither an MNIST-family IDX folder .* nor an ImageFolder/),
  );
  await assert.rejects(vision.listPhotos(join(dir, "empty")), isFlambeau(/photos: no images/));
  // A folder whose one image is broken fails on that file.
  mkdirSync(join(dir, "broken", "dog"), { recursive: true });
  writeFileSync(join(dir, "broken", "dog", "a.png"), "not a png");
  await assert.rejects(vision.loadImageFolder(join(dir, "broken"), { size: 8, channels: 1 }), isFlambeau(/cannot decode .*a\.png/));
});
