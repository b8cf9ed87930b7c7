// image-classification with --seed --deterministic on a small ImageFolder of PNGs (shuffled
// batches, shift augmentation, the default CNN): reruns are bit-identical, another seed trains
// other weights.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeFashionImageFolder } from "../helpers/image-folder.js";
import { assertReproducible } from "./reruns.js";

let root: string | undefined;
after(() => root && rmSync(root, { recursive: true, force: true }));

test("image-classification: --seed 1 --deterministic twice saves identical weights and metrics", async () => {
  root = await writeFashionImageFolder({ train: 12, test: 4 });
  await assertReproducible("image-classification", { data: join(root, "train"), epochs: 1, batchSize: 8, limit: 30 });
});
