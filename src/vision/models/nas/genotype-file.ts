// A searched cell on disk: genotype.json ({"nodes": [[[input, op], [input, op]], …]}), the
// file `flambeau nas` writes beside nas.json and `--model nas-cell --genotype` reads. The
// reader also takes nas.json itself (its "genotype" field) or the folder of either.

import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { FlambeauError } from "../../../core/errors.js";
import { writeTextAtomic } from "../../../io/atomic.js";
import { checkGenotype, type Genotype } from "./genotype.js";

export const GENOTYPE_FILE = "genotype.json";

/** Writes `g` (checked) to `path` atomically. */
export async function saveGenotype(path: string, g: Genotype): Promise<void> {
  checkGenotype(g);
  await writeTextAtomic("nas", path, `${JSON.stringify({ nodes: g.nodes })}\n`);
}

/** The genotype of JSON text (a genotype, or an object with one under "genotype"); `source` names the file in errors. */
export function parseGenotype(text: string, source: string): Genotype {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new FlambeauError("E_FORMAT", `nas: ${source} is not JSON: ${(e as Error).message}`);
  }
  const g = v && typeof v === "object" && "genotype" in v ? (v as { genotype: unknown }).genotype : v;
  if (!g || typeof g !== "object" || !Array.isArray((g as Genotype).nodes))
    throw new FlambeauError("E_FORMAT", `nas: ${source} holds no genotype (an object {"nodes": [[[input, op], [input, op]], …]})`);
  try {
    return checkGenotype({ nodes: (g as Genotype).nodes });
  } catch (e) {
    if (e instanceof FlambeauError) throw new FlambeauError(e.code, `${e.message} (in ${source})`, e.op);
    throw e;
  }
}

/** Reads a genotype from a genotype.json or nas.json file, or a folder holding one (genotype.json first). */
export async function loadGenotype(path: string): Promise<Genotype> {
  const info = await stat(path).catch(() => undefined);
  if (!info)
    throw new FlambeauError("E_IO", `nas: no genotype at ${path} (a genotype.json, a nas.json or the folder of \`flambeau nas --out\`)`);
  let file = path;
  if (info.isDirectory()) {
    const found = [];
    for (const name of [GENOTYPE_FILE, "nas.json"]) if (await stat(join(path, name)).catch(() => undefined)) found.push(join(path, name));
    if (found.length === 0) throw new FlambeauError("E_IO", `nas: ${path} holds neither ${GENOTYPE_FILE} nor nas.json`);
    file = found[0]!;
  }
  return parseGenotype(await readFile(file, "utf8"), file);
}
