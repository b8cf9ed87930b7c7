// Writes opencv-doc's 5,000 handwritten digits (digits.png: 50 rows × 100 columns of 20 px
// cells, five rows per digit) as ImageFolders for the transfer-learning figure: each digit
// centred in 28 × 28 as MNIST's were (a 4 px border), so a model pre-trained on
// Fashion-MNIST's 28 px images takes them as they are. Columns 0–79 are the training pool
// (400 per digit), columns 80–99 the test set (100 per digit). Run after `npx tsc -p .`:
//   node scripts/opencv-digits.mjs OUT [PER_CLASS,…]   (default 50,100,400)
// → OUT/test/<digit>/*.png and OUT/train-<n>/<digit>/*.png (the first n of each digit's pool
// in a seeded shuffle, so the 50 are among the 100).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodePng, readImage } from "../dist/src/vision/image-io.js";

const SHEET = "/usr/share/doc/opencv-doc/examples/data/digits.png";
const [out, counts = "50,100,400"] = process.argv.slice(2);
if (!out) {
  console.error("usage: node scripts/opencv-digits.mjs OUT [PER_CLASS,…]");
  process.exit(2);
}
const perClass = counts.split(",").map(Number);
if (perClass.some((n) => !Number.isInteger(n) || n < 1 || n > 400)) {
  console.error(`opencv-digits: per-class counts must be integers in 1..400, got ${counts}`);
  process.exit(2);
}
const sheet = await readImage(SHEET, { channels: 1 });
const cell = (row, col) => {
  const px = new Uint8Array(28 * 28);
  for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) px[(y + 4) * 28 + x + 4] = sheet.data[(row * 20 + y) * 2000 + col * 20 + x];
  return px;
};
// A small seeded shuffle (mulberry32) so every run picks the same subsets.
let s = 20261204;
const rand = () => {
  s = (s + 0x6d2b79f5) | 0;
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const write = async (dir, digit, name, px) => {
  mkdirSync(join(out, dir, String(digit)), { recursive: true });
  writeFileSync(join(out, dir, String(digit), `${name}.png`), await encodePng(px, 1, 28, 28));
};
for (let digit = 0; digit < 10; digit++) {
  const pool = [];
  for (let r = digit * 5; r < digit * 5 + 5; r++) {
    for (let c = 0; c < 80; c++) pool.push([r, c]);
    for (let c = 80; c < 100; c++) await write("test", digit, `${r}-${c}`, cell(r, c));
  }
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  for (const n of perClass) for (const [r, c] of pool.slice(0, n)) await write(`train-${n}`, digit, `${r}-${c}`, cell(r, c));
}
console.log(`opencv-digits: ${out}/test (1,000 images) and ${perClass.map((n) => `train-${n} (${n * 10})`).join(", ")}`);
