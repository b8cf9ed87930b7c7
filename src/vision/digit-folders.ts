// opencv-doc's 5,000 handwritten digits (digits.png: 50 rows × 100 columns of 20 px cells,
// five rows per digit) written as ImageFolders, for transfer learning from Fashion-MNIST: each
// digit centred in 28 × 28 as MNIST's were (a 4 px border), so a model pre-trained on
// Fashion-MNIST's 28 px images takes them as they are. Columns 0–79 are the training pool
// (400 per digit), columns 80–99 the test set (100 per digit).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { argError } from "../core/errors.js";
import { writeAll, writeAtomic } from "../io/atomic.js";
import { encodePng, readImage } from "./image-io.js";
import { OPENCV_DIGITS } from "./scenes/objects.js";

/** mulberry32: every run picks the same subsets. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes `out/test/<digit>/*.png` (1,000 images) and `out/train-<n>/<digit>/*.png` for each n of
 * `perClass`: the first n of each digit's pool in a seeded shuffle, so a smaller set is inside
 * a larger one.
 */
export async function writeDigitFolders(out: string, perClass: readonly number[]): Promise<void> {
  for (const n of perClass)
    if (!Number.isInteger(n) || n < 1 || n > 400) argError("writeDigitFolders", `per-class counts must be integers in 1..400, got ${n}`);
  const sheet = await readImage(OPENCV_DIGITS, { channels: 1 });
  const cell = (row: number, col: number) => {
    const px = new Uint8Array(28 * 28);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) px[(y + 4) * 28 + x + 4] = sheet.data[(row * 20 + y) * 2000 + col * 20 + x]!;
    return px;
  };
  const write = async (dir: string, digit: number, name: string, px: Uint8Array) => {
    mkdirSync(join(out, dir, String(digit)), { recursive: true });
    const png = await encodePng(px, 1, 28, 28);
    await writeAtomic("writeDigitFolders", join(out, dir, String(digit), `${name}.png`), (fh) => writeAll(fh, [png]));
  };
  const rand = seeded(20261204);
  for (let digit = 0; digit < 10; digit++) {
    const pool: [number, number][] = [];
    for (let r = digit * 5; r < digit * 5 + 5; r++) {
      for (let c = 0; c < 80; c++) pool.push([r, c]);
      for (let c = 80; c < 100; c++) await write("test", digit, `${r}-${c}`, cell(r, c));
    }
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    for (const n of perClass) for (const [r, c] of pool.slice(0, n)) await write(`train-${n}`, digit, `${r}-${c}`, cell(r, c));
  }
}
