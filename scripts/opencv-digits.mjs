// Writes opencv-doc's 5,000 handwritten digits as 28 px ImageFolders for the transfer-learning
// figure (src/vision/digit-folders.ts says how). Run after `npx tsc -p .`:
//   node scripts/opencv-digits.mjs OUT [PER_CLASS,…]   (default 50,100,400)
// → OUT/test/<digit>/*.png and OUT/train-<n>/<digit>/*.png (the first n of each digit's pool
// in a seeded shuffle, so the 50 are among the 100).
import { writeDigitFolders } from "../dist/src/vision/digit-folders.js";

const [out, counts = "50,100,400"] = process.argv.slice(2);
if (!out) {
  console.error("usage: node scripts/opencv-digits.mjs OUT [PER_CLASS,…]");
  process.exit(2);
}
const perClass = counts.split(",").map(Number);
await writeDigitFolders(out, perClass);
console.log(`opencv-digits: ${out}/test (1,000 images) and ${perClass.map((n) => `train-${n} (${n * 10})`).join(", ")}`);
