// ImageFolder: root/<class>/<image> (torchvision's layout). Images are decoded once into
// one uint8 tensor [N, C, H, W] so batching is a single indexSelect.
import { existsSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import sharp from "sharp";
import { FlambeauError } from "../core/errors.js";
import { type Tensor, tensor } from "../core/index.js";
import { IMAGE_EXTENSIONS, readImage } from "./image-io.js";

export interface ImageFolderOptions {
  /** Side length images are resized to; default: the median size of a sample of the images, within [8, 64]. */
  size?: number;
  /** 1 or 3; default: 1 when every sampled image is grayscale. */
  channels?: 1 | 3;
  /** Class names to use (and their order), e.g. from a trained model's config. */
  classes?: readonly string[];
  limit?: number;
}

export interface ImageSet {
  images: Tensor; // uint8 [N, C, H, W]
  labels: Tensor; // int64 [N]
  classes: string[];
  files: string[];
}

export function isImageFolder(root: string): boolean {
  if (!existsSync(root) || !statSync(root).isDirectory()) return false;
  return readdirSync(root).some((d) => {
    const p = join(root, d);
    return statSync(p).isDirectory() && readdirSync(p).some((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()));
  });
}

/** Lists (file, class index) pairs in a deterministic order. */
export function listImageFolder(root: string, classes?: readonly string[]): { files: string[]; labels: number[]; classes: string[] } {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new FlambeauError("E_IO", `ImageFolder: ${root} is not a directory`);
  const found = readdirSync(root)
    .filter((d) => statSync(join(root, d)).isDirectory())
    .sort();
  const names = classes ? [...classes] : found;
  const files: string[] = [];
  const labels: number[] = [];
  for (const d of found) {
    const idx = names.indexOf(d);
    if (idx < 0)
      throw new FlambeauError(
        "E_FORMAT",
        `ImageFolder: class folder "${d}" in ${root} is not one of the model's classes (${names.join(", ")})`,
      );
    for (const f of readdirSync(join(root, d)).sort()) {
      if (!IMAGE_EXTENSIONS.includes(extname(f).toLowerCase())) continue;
      files.push(join(root, d, f));
      labels.push(idx);
    }
  }
  if (files.length === 0)
    throw new FlambeauError("E_FORMAT", `ImageFolder: no images (${IMAGE_EXTENSIONS.join(" ")}) under ${root}/<class>/`);
  return { files, labels, classes: names };
}

/** Picks a common size and channel count from a sample of the files. */
export async function inferImageShape(files: readonly string[]): Promise<{ size: number; channels: 1 | 3 }> {
  const step = Math.max(1, Math.floor(files.length / 64));
  const sides: number[] = [];
  let gray = true;
  for (let i = 0; i < files.length; i += step) {
    const m = await sharp(files[i]!).metadata();
    sides.push(Math.max(m.width ?? 0, m.height ?? 0));
    if ((m.channels ?? 3) > 2 && m.space !== "b-w") gray = false;
  }
  sides.sort((a, b) => a - b);
  const median = sides[Math.floor(sides.length / 2)] ?? 32;
  return { size: Math.min(64, Math.max(8, median)), channels: gray ? 1 : 3 };
}

/** Decodes a whole ImageFolder into memory. */
export async function loadImageFolder(root: string, o: ImageFolderOptions = {}): Promise<ImageSet> {
  let { files, labels, classes } = listImageFolder(root, o.classes);
  if (o.limit !== undefined && files.length > o.limit) {
    files = files.slice(0, o.limit);
    labels = labels.slice(0, o.limit);
  }
  const shape = o.size !== undefined && o.channels !== undefined ? { size: o.size, channels: o.channels } : await inferImageShape(files);
  const size = o.size ?? shape.size;
  const channels = o.channels ?? shape.channels;
  const per = channels * size * size;
  const all = new Uint8Array(files.length * per);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const img = await readImage(files[i]!, { size, channels });
      all.set(img.data, i * per);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return {
    images: tensor(all, { shape: [files.length, channels, size, size] }),
    labels: tensor(BigInt64Array.from(labels, BigInt)),
    classes,
    files,
  };
}
