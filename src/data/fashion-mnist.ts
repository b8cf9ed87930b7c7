// Fashion-MNIST (Zalando, 2017): 70,000 28×28 grayscale clothing images in 10 classes,
// read from Debian's dataset-fashion-mnist package.
import { existsSync } from "node:fs";
import { FlambeauError } from "../core/errors.js";
import type { Tensor } from "../core/index.js";
import { idxFolder, type Split } from "./idx.js";

export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
]);

export interface FashionMnistOptions {
  /** Folder holding the IDX files (default: Debian's /usr/share/datasets/fashion-mnist). */
  root?: string;
  /** "train" (60,000 images) or "test" (10,000). */
  split: Split;
}

export interface LabelledImages {
  /** uint8 [N, 28, 28]. */
  images: Tensor;
  /** int64 [N]. */
  labels: Tensor;
  classes: string[];
}

export const FASHION_MNIST_ROOT = "/usr/share/datasets/fashion-mnist";

/** One split of Fashion-MNIST. */
export async function fashionMnist(options: FashionMnistOptions): Promise<LabelledImages> {
  const root = options.root ?? FASHION_MNIST_ROOT;
  if (!existsSync(root))
    throw new FlambeauError(
      "E_IO",
      `fashionMnist: ${root} does not exist. Install the data with \`apt-get install dataset-fashion-mnist\` (Debian/Ubuntu), or pass { root } pointing to a folder with the Fashion-MNIST IDX files`,
      "fashionMnist",
    );
  const { images, labels } = await idxFolder(root, options.split);
  if (images.ndim !== 3 || images.shape[1] !== 28 || images.shape[2] !== 28 || images.dtype !== "uint8") {
    const got = `${images.dtype} [${images.shape.join(", ")}]`;
    images.dispose();
    labels.dispose();
    throw new FlambeauError("E_FORMAT", `fashionMnist: images in ${root} are ${got}, expected uint8 [N, 28, 28]`, "fashionMnist");
  }
  return { images, labels, classes: [...FASHION_MNIST_CLASSES] };
}
