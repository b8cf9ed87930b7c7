// The real objects scenes are made of: Fashion-MNIST items (Debian's dataset-fashion-mnist)
// or the 5,000 handwritten digits of opencv-doc's digits.png, each cut out with a mask.
// Train and test scenes draw from disjoint item sets, so a held-out scene shows objects
// the model has never seen.
import { existsSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { fashionMnist } from "../../data/fashion-mnist.js";
import { readImage } from "../image-io.js";

export type ObjectSource = "fashion" | "digits";
export const OBJECT_SOURCES: readonly ObjectSource[] = ["fashion", "digits"];
export const OPENCV_DIGITS = "/usr/share/doc/opencv-doc/examples/data/digits.png";

/** Cut-out objects of one split: `count` square gray items of side `side`, their masks and labels. */
export interface ObjectBank {
  source: ObjectSource;
  classes: string[];
  side: number;
  count: number;
  /** uint8 [count, side, side] intensities. */
  pixels: Uint8Array;
  labels: Int32Array;
  /** 0/1 [side, side]: item i's silhouette (holes inside it filled). */
  mask(i: number): Uint8Array;
}

/**
 * Silhouette of a dark-background item: pixels above `threshold`, plus the dark pixels the
 * background cannot reach from the border (a black sole inside a boot belongs to the boot).
 */
export function silhouette(gray: Uint8Array, side: number, threshold: number): Uint8Array {
  const n = side * side;
  const outside = new Uint8Array(n);
  const stack: number[] = [];
  const push = (i: number) => {
    if (!outside[i] && gray[i]! <= threshold) {
      outside[i] = 1;
      stack.push(i);
    }
  };
  for (let k = 0; k < side; k++) {
    push(k);
    push((side - 1) * side + k);
    push(k * side);
    push(k * side + side - 1);
  }
  while (stack.length) {
    const i = stack.pop()!;
    const y = Math.floor(i / side);
    const x = i - y * side;
    if (x > 0) push(i - 1);
    if (x < side - 1) push(i + 1);
    if (y > 0) push(i - side);
    if (y < side - 1) push(i + side);
  }
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = outside[i] ? 0 : 1;
  return mask;
}

/**
 * A bank whose masks are computed on first use (60,000 flood fills cost seconds; a scene set
 * touches a fraction). With `dropBlank`, near-empty items (blank cells of a sheet) are removed first.
 */
function bankOf(
  source: ObjectSource,
  classes: string[],
  side: number,
  pixels: Uint8Array,
  labels: Int32Array,
  threshold: number,
  dropBlank: boolean,
): ObjectBank {
  const area = side * side;
  if (dropBlank) {
    const keep: number[] = [];
    for (let i = 0; i < labels.length; i++) {
      const m = silhouette(pixels.subarray(i * area, (i + 1) * area), side, threshold);
      let s = 0;
      for (let k = 0; k < area; k++) s += m[k]!;
      if (s >= area * 0.04) keep.push(i);
    }
    const p = new Uint8Array(keep.length * area);
    keep.forEach((i, j) => p.set(pixels.subarray(i * area, (i + 1) * area), j * area));
    pixels = p;
    labels = Int32Array.from(keep, (i) => labels[i]!);
  }
  const masks = new Map<number, Uint8Array>();
  return {
    source,
    classes,
    side,
    count: labels.length,
    pixels,
    labels,
    mask(i: number): Uint8Array {
      let m = masks.get(i);
      if (!m) {
        m = silhouette(pixels.subarray(i * area, (i + 1) * area), side, threshold);
        masks.set(i, m);
      }
      return m;
    },
  };
}

async function fashionBank(split: "train" | "test"): Promise<ObjectBank> {
  const d = await fashionMnist({ split });
  const pixels = (d.images.data() as Uint8Array).slice();
  const labels = Int32Array.from(d.labels.data() as BigInt64Array, (v) => Number(v));
  d.images.dispose();
  d.labels.dispose();
  return bankOf("fashion", d.classes, 28, pixels, labels, 8, false);
}

/** digits.png: a 50 × 100 grid of 20 px cells, five rows per digit; columns 80–99 are the test items. */
async function digitsBank(split: "train" | "test", file = OPENCV_DIGITS): Promise<ObjectBank> {
  if (!existsSync(file))
    throw new FlambeauError("E_IO", `scenes: ${file} not found; the "digits" objects come from opencv-doc (apt-get install opencv-doc)`);
  const img = await readImage(file, { channels: 1 });
  if (img.width !== 2000 || img.height !== 1000)
    throw new FlambeauError("E_FORMAT", `scenes: ${file} is ${img.width}×${img.height}, expected OpenCV's 2000×1000 digits sheet`);
  const [c0, c1] = split === "train" ? [0, 80] : [80, 100];
  const n = 50 * (c1 - c0);
  const pixels = new Uint8Array(n * 400);
  const labels = new Int32Array(n);
  let k = 0;
  for (let r = 0; r < 50; r++)
    for (let c = c0; c < c1; c++, k++) {
      labels[k] = Math.floor(r / 5);
      for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) pixels[k * 400 + y * 20 + x] = img.data[(r * 20 + y) * 2000 + c * 20 + x]!;
    }
  return bankOf("digits", ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], 20, pixels, labels, 40, true);
}

const cache = new Map<string, Promise<ObjectBank>>();

/** The object bank of one source and split (read once per process). */
export function loadObjectBank(source: ObjectSource, split: "train" | "test"): Promise<ObjectBank> {
  if (!OBJECT_SOURCES.includes(source))
    throw new FlambeauError("E_ARG", `scenes: unknown object source "${String(source)}"; sources: ${OBJECT_SOURCES.join(", ")}`);
  const key = `${source}/${split}`;
  let p = cache.get(key);
  if (!p) {
    p = source === "fashion" ? fashionBank(split) : digitsBank(split);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}
