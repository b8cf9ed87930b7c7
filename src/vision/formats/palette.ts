// Palette PNGs (VOC's SegmentationClass masks are stored this way): the decoder hands back
// the palette's colours, so the class ids are recovered from the file's own PLTE chunk.
import { readFileSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { readImage } from "../image-io.js";

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** The PLTE colours of an indexed-colour PNG (colour type 3), or null for any other image. */
export function pngPalette(bytes: Uint8Array): Uint8Array | null {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[8 + 8 + 9] !== 3) return null;
  let p = 8;
  while (p + 8 <= bytes.length) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    if (type === "PLTE") return bytes.slice(p + 8, p + 8 + len);
    if (type === "IDAT" || type === "IEND") break;
    p += 12 + len;
  }
  return null;
}

/** A label mask's class ids: grey values as they are, palette colours back to their indices. */
export async function readClassIds(file: string): Promise<{ ids: Uint8Array; height: number; width: number }> {
  const bytes = readFileSync(file);
  const palette = pngPalette(bytes);
  if (!palette) {
    const img = await readImage(bytes);
    if (img.channels !== 1)
      throw new FlambeauError(
        "E_FORMAT",
        `${file}: a ${img.channels}-channel colour mask without a palette; save label masks as grey or palette (indexed) PNGs of class ids`,
        "readMaskFolder",
      );
    return { ids: img.data, height: img.height, width: img.width };
  }
  const img = await readImage(bytes, { channels: 3 });
  const byColour = new Map<number, number>();
  for (let k = palette.length / 3 - 1; k >= 0; k--)
    byColour.set((palette[3 * k]! << 16) | (palette[3 * k + 1]! << 8) | palette[3 * k + 2]!, k);
  const hw = img.height * img.width;
  const ids = new Uint8Array(hw);
  for (let i = 0; i < hw; i++) {
    const c = (img.data[i]! << 16) | (img.data[hw + i]! << 8) | img.data[2 * hw + i]!;
    const k = byColour.get(c);
    if (k === undefined)
      throw new FlambeauError(
        "E_FORMAT",
        `${file}: the colour #${c.toString(16).padStart(6, "0")} at (x ${i % img.width}, y ${Math.floor(i / img.width)}) is not in its palette`,
        "readMaskFolder",
      );
    ids[i] = k;
  }
  return { ids, height: img.height, width: img.width };
}
