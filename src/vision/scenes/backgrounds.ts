// Backgrounds for scenes: crops of real photos (a folder, or `debian-photos`). The photo
// split of photos.ts holds whole scenes out, so test scenes are pasted on unseen photos.
import { FlambeauError } from "../../core/errors.js";
import { listPhotos, loadPhotos, splitPhotos } from "../photos.js";

export interface Background {
  file: string;
  height: number;
  width: number;
  /** uint8 [3, height, width] */
  pixels: Uint8Array;
}

/** Photos are shrunk to this longer side: scenes are small, and crops then show whole surfaces, not pixels. */
const MAX_SIDE = 192;
const cache = new Map<string, Promise<Background[]>>();

async function load(photos: string, split: "train" | "test", minSide: number): Promise<Background[]> {
  const files = splitPhotos(await listPhotos(photos))[split];
  const loaded = await loadPhotos(files, { maxSide: Math.max(MAX_SIDE, minSide) });
  const out: Background[] = [];
  for (const p of loaded) {
    const [, height, width] = p.pixels.shape as [number, number, number];
    if (Math.min(height, width) >= minSide) out.push({ file: p.file, height, width, pixels: (p.pixels.data() as Uint8Array).slice() });
    p.pixels.dispose();
  }
  if (out.length === 0)
    throw new FlambeauError("E_FORMAT", `scenes: no ${split} photo in ${photos} has both sides ≥ ${minSide} px (the scene size)`);
  return out;
}

/** The background photos of one split, decoded once per process. */
export function loadBackgrounds(photos: string, split: "train" | "test", minSide: number): Promise<Background[]> {
  const key = `${photos}\u0000${split}\u0000${minSide}`;
  let p = cache.get(key);
  if (!p) {
    p = load(photos, split, minSide);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}
