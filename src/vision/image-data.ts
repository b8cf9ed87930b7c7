// Reading image-classification data from any of the formats the task accepts: an
// MNIST-family IDX folder or an ImageFolder (optionally with train/ and test/ inside).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";
import { randperm, type Tensor, tidy } from "../core/index.js";
import { FASHION_MNIST_CLASSES, FASHION_MNIST_ROOT as FASHION_MNIST_DIR, idxFolder } from "../data/index.js";
import { isImageFolder, loadImageFolder } from "./image-folder.js";

export interface LabelledImages {
  /** uint8 [N, C, H, W] */
  images: Tensor;
  /** int64 [N] */
  labels: Tensor;
  classes: string[];
  source: "idx" | "imagefolder";
}

export interface ImageDataOptions {
  size?: number;
  channels?: 1 | 3;
  classes?: readonly string[];
  limit?: number;
}

const ALIASES: Record<string, string> = { "fashion-mnist": FASHION_MNIST_DIR, fashion_mnist: FASHION_MNIST_DIR };

export function resolveDataPath(path: string): string {
  return ALIASES[path] ?? path;
}

export function isIdxFolder(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).some((f) => /idx\d-ubyte/.test(f));
}

/** Class names for an IDX folder: classes.txt / labels.txt (one per line) if present, Fashion-MNIST's names for Debian's copy, else the digits. */
function idxClassNames(dir: string, labels: Tensor): string[] {
  for (const f of ["classes.txt", "labels.txt"]) {
    const p = join(dir, f);
    if (existsSync(p))
      return readFileSync(p, "utf8")
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean);
  }
  if (/fashion/i.test(dir)) return [...FASHION_MNIST_CLASSES];
  const max = labels.max().item();
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}

/** Loads the split ('train' or 'test') of an IDX folder or ImageFolder. */
export async function loadImageData(path: string, split: "train" | "test", o: ImageDataOptions = {}): Promise<LabelledImages> {
  const dir = resolveDataPath(path);
  if (!existsSync(dir)) {
    const hint = dir === FASHION_MNIST_DIR ? " (install Debian's dataset-fashion-mnist: `npm run setup` does as root)" : "";
    throw new FlambeauError("E_IO", `image data: no such directory ${dir}${hint}`);
  }
  if (isIdxFolder(dir)) {
    const { images, labels } = await idxFolder(dir, split);
    const imgs = images.ndim === 3 ? images.unsqueeze(1) : images;
    let out: LabelledImages = {
      images: imgs,
      labels: labels.to("int64"),
      classes: o.classes ? [...o.classes] : idxClassNames(dir, labels),
      source: "idx",
    };
    if (o.size !== undefined && o.size !== imgs.shape[2])
      throw new FlambeauError("E_FORMAT", `image data: ${dir} has ${imgs.shape[2]}px images, the model expects ${o.size}px`);
    if (o.limit !== undefined) out = take(out, o.limit);
    return out;
  }
  const sub = split === "train" ? ["train", "training"] : ["test", "val", "validation", "testing"];
  const inner = sub.map((s) => join(dir, s)).find((p) => isImageFolder(p));
  const root = inner ?? dir;
  if (!isImageFolder(root))
    throw new FlambeauError(
      "E_FORMAT",
      `image data: ${dir} is neither an MNIST-family IDX folder (train-images-idx3-ubyte …) nor an ImageFolder (root/<class>/*.png|jpg)`,
    );
  const set = await loadImageFolder(root, { size: o.size, channels: o.channels, classes: o.classes, limit: o.limit });
  return { images: set.images, labels: set.labels, classes: set.classes, source: "imagefolder" };
}

/** The first `n` examples (callers shuffle first where order matters). */
export function take(d: LabelledImages, n: number): LabelledImages {
  if (n >= d.images.shape[0]!) return d;
  return { ...d, images: d.images.narrow(0, 0, n), labels: d.labels.narrow(0, 0, n) };
}

/** Splits off a seeded random fraction for validation. */
export function carveValidation(d: LabelledImages, fraction: number): { train: LabelledImages; val: LabelledImages } {
  const n = d.images.shape[0]!;
  const nVal = Math.max(1, Math.round(n * fraction));
  return tidy(() => {
    const perm = randperm(n);
    const vi = perm.narrow(0, 0, nVal);
    const ti = perm.narrow(0, nVal, n - nVal);
    const pick = (idx: Tensor): LabelledImages => ({ ...d, images: d.images.indexSelect(0, idx), labels: d.labels.indexSelect(0, idx) });
    return { train: pick(ti), val: pick(vi) };
  });
}
