// predict's inputs: a support folder (one subfolder of images per class) and query images,
// normalised as the training images are.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { readClassFolders, readGlyphImage } from "./data.js";
import type { ClassPool } from "./episodes.js";

export interface SupportSet {
  pool: ClassPool;
  /** Class of each support image, in pool order. */
  labels: number[];
  names: string[];
}

export async function readSupportFolder(dir: string): Promise<SupportSet> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new FlambeauError("E_IO", `few-shot: support folder ${dir} is not a directory`);
  const classes = readdirSync(dir)
    .filter((d) => statSync(join(dir, d)).isDirectory())
    .sort();
  if (classes.length === 0)
    throw new FlambeauError("E_FORMAT", `few-shot: the support set ${dir} is empty: it needs one subfolder of images per class`);
  if (classes.length < 2)
    throw new FlambeauError("E_FORMAT", `few-shot: the support set ${dir} has 1 class (${classes[0]}); it needs 2 or more`);
  const pool = await readClassFolders(classes.map((c) => ({ name: c, dir: join(dir, c) })));
  const labels = pool.count.flatMap((n, c) => Array<number>(n).fill(c));
  return { pool, labels, names: classes };
}

export async function readQueries(paths: readonly string[]): Promise<ClassPool> {
  if (paths.length === 0) throw new FlambeauError("E_ARG", "few-shot: no query images given");
  const imgs = [];
  for (const p of paths) imgs.push(await readGlyphImage(p));
  const size = 28;
  const pixels = new Uint8Array(imgs.length * size * size);
  imgs.forEach((im, i) => pixels.set(im, i * size * size));
  return { size, pixels, first: imgs.map((_, i) => i), count: imgs.map(() => 1) };
}
