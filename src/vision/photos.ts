// Real photographs for image-to-image tasks: any folder of images, or `debian-photos` —
// the natural photos that Debian's python3-skimage and opencv-doc packages ship. Whole
// photos are held out for evaluation (every fifth, by sorted name), never patches of a
// photo seen in training.
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import sharp from "sharp";
import { FlambeauError } from "../core/errors.js";
import { type Tensor, tensor } from "../core/index.js";
import { IMAGE_EXTENSIONS, readImage } from "./image-io.js";

export const DEBIAN_PHOTO_DIRS = ["/usr/lib/python3/dist-packages/skimage/data", "/usr/share/doc/opencv-doc/examples/data"] as const;

// Drawings, charts, text, calibration targets and masks: not natural photos, or not usable.
const NOT_PHOTOS = new Set([
  "truncated.jpg",
  "aloeGT.png",
  "logo.png",
  "page.png",
  "text.png",
  "bw_text.png",
  "horse.png",
  "phantom.png",
  "microaneurysms.png",
  "green_palette.png",
  "palette_color.png",
  "palette_gray.png",
  "chessboard.png",
  "digits.png",
  "notes.png",
  "mask.png",
  "gradient.png",
  "box.png",
  "box_in_scene.png",
  "opencv-logo.png",
  "opencv-logo-white.png",
  "LinuxLogo.jpg",
  "WindowsLogo.jpg",
  "imageTextN.png",
  "imageTextR.png",
  "text_defocus.jpg",
  "text_motion.jpg",
  "licenseplate_motion.jpg",
  "detect_blob.png",
  "ellipses.jpg",
  "pic1.png",
  "pic2.png",
  "pic3.png",
  "pic4.png",
  "pic5.png",
  "pic6.png",
  "ml.png",
  "sudoku.png",
  "templ.png",
  "tmpl.png",
  "cards.png",
  "alphabet_36.txt",
]);
/** Photos smaller than this (shorter side) give too few patches to be worth reading. */
export const MIN_PHOTO_SIDE = 96;
const ALIASES = new Set(["debian-photos", "photos"]);

const isImageName = (f: string) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase());

/** The image files of a folder (one level of subfolders too), or of Debian's photo folders. */
export async function listPhotos(path: string): Promise<string[]> {
  if (ALIASES.has(path)) {
    const out: string[] = [];
    for (const dir of DEBIAN_PHOTO_DIRS) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).sort()) {
        if (!isImageName(f) || NOT_PHOTOS.has(f) || /^(left|right)\d+\.jpg$/.test(f) || /chessboard|checker|foo3x5|block\.png/.test(f))
          continue;
        const p = join(dir, f);
        try {
          const m = await sharp(p, { failOn: "error" }).metadata();
          if (Math.min(m.width ?? 0, m.height ?? 0) >= MIN_PHOTO_SIDE && (m.pages ?? 1) === 1) out.push(p);
        } catch {
          // a damaged file in a package's data is skipped, not fatal
        }
      }
    }
    if (out.length < 5)
      throw new FlambeauError(
        "E_IO",
        `debian-photos: found ${out.length} photos in ${DEBIAN_PHOTO_DIRS.join(" and ")}; install python3-skimage and opencv-doc (\`npm run setup\` does as root)`,
      );
    return out;
  }
  if (!existsSync(path)) throw new FlambeauError("E_IO", `photos: no such directory ${path}`);
  if (!statSync(path).isDirectory()) throw new FlambeauError("E_IO", `photos: ${path} is not a directory (give a folder of images)`);
  const out: string[] = [];
  for (const f of readdirSync(path).sort()) {
    const p = join(path, f);
    if (statSync(p).isDirectory()) {
      for (const g of readdirSync(p).sort()) if (isImageName(g)) out.push(join(p, g));
    } else if (isImageName(f)) out.push(p);
  }
  if (out.length === 0) throw new FlambeauError("E_FORMAT", `photos: no images (${IMAGE_EXTENSIONS.join(" ")}) in ${path}`);
  return out;
}

/** The scene a file shows: stereo pairs, sequences and edited copies share one (aloeL/aloeR/aloeGT, leuvenA/B, ela_original/_modified). */
export function sceneKey(file: string): string {
  let k = basename(file, extname(file));
  for (;;) {
    const next = k.replace(/(_?(left|right|modified|original|GT)|[LRAB]|_?\d+)$/, "");
    if (next === k) return k.toLowerCase();
    k = next;
  }
}

/** Every fifth scene by sorted key is held out whole (so no view of a test scene is trained on). */
export function splitPhotos(files: readonly string[]): { train: string[]; test: string[] } {
  if (files.length < 2) throw new FlambeauError("E_FORMAT", `photos: need at least 2 images to hold one out, got ${files.length}`);
  const keys = [...new Set(files.map(sceneKey))].sort();
  const held = new Set(keys.length >= 3 ? keys.filter((_, i) => i % 5 === 2) : [keys[keys.length - 1]!]);
  const test = files.filter((f) => held.has(sceneKey(f)));
  const train = files.filter((f) => !held.has(sceneKey(f)));
  // One scene only (e.g. two views of it): hold out a file instead.
  if (train.length === 0) return { train: files.slice(0, -1), test: files.slice(-1) };
  return { train, test };
}

export interface Photo {
  file: string;
  /** uint8 [3, H, W] */
  pixels: Tensor;
}

/** Decodes photos as RGB uint8, shrinking any side above `maxSide` (keeps memory and epochs bounded). */
export async function loadPhotos(files: readonly string[], o: { maxSide?: number; minSide?: number } = {}): Promise<Photo[]> {
  const out: Photo[] = [];
  for (const file of files) {
    const meta = await readImage(file, { channels: 3 }).catch((e: unknown) => {
      throw e instanceof FlambeauError ? e : new FlambeauError("E_FORMAT", `photos: cannot decode ${file}: ${(e as Error).message}`);
    });
    let { data, height, width } = meta;
    const maxSide = o.maxSide ?? 512;
    if (Math.max(height, width) > maxSide) {
      const k = maxSide / Math.max(height, width);
      const size: [number, number] = [Math.max(1, Math.round(height * k)), Math.max(1, Math.round(width * k))];
      ({ data, height, width } = await readImage(file, { channels: 3, size }));
    }
    const min = o.minSide ?? 0;
    if (Math.min(height, width) < min)
      throw new FlambeauError("E_FORMAT", `photos: ${file} is ${height}×${width}; this task needs photos of at least ${min} px per side`);
    out.push({ file, pixels: tensor(data, { shape: [3, height, width] }).keep() });
  }
  return out;
}
