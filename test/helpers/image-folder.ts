// A small ImageFolder of real Fashion-MNIST test images written as PNGs (root/train and
// root/test, one folder per class), for end-to-end tests of the image tasks.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as fl from "flambeau";
import sharp from "sharp";

export const FOLDER_CLASSES = ["trouser", "bag", "sneaker"];
const LABELS = [1, 8, 7];

/** Writes `perClass.train` and `perClass.test` images of each class; returns the root. */
export async function writeFashionImageFolder(perClass = { train: 60, test: 20 }): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), "fl-images-"));
  const { images, labels } = await fl.data.fashionMnist({ split: "test" });
  const lab = labels.data() as BigInt64Array;
  for (const split of ["train", "test"] as const) {
    const counts = [0, 0, 0];
    const limit = perClass[split];
    const offset = split === "train" ? 0 : 5000;
    for (let i = offset; i < lab.length && counts.some((c) => c < limit); i++) {
      const k = LABELS.indexOf(Number(lab[i]));
      if (k < 0 || counts[k]! >= limit) continue;
      const dir = join(root, split, FOLDER_CLASSES[k]!);
      mkdirSync(dir, { recursive: true });
      const px = images.select(0, i).data() as Uint8Array;
      await sharp(Buffer.from(px), { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(join(dir, `${i}.png`));
      counts[k]!++;
    }
  }
  images.dispose();
  labels.dispose();
  return root;
}
