// The class folders of an ImageFolder / AudioFolder (root/<class>/<file>) as data inspect
// walks them: every file with one of the extensions, in a deterministic order, and the
// problems of the layout itself (no class folders, an empty class).
import { existsSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { addProblem, type Scan } from "./scan.js";

export const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/** root/train when root holds train/ and test/ (the test split is then inspected beside it). */
export function folderSplits(root: string): { data: string; test?: string } {
  if (!isDir(root)) throw new FlambeauError("E_IO", `data inspect: ${root} is not a directory`, "data inspect");
  return isDir(join(root, "train")) && isDir(join(root, "test")) ? { data: join(root, "train"), test: join(root, "test") } : { data: root };
}

/** (file, class) pairs under root/<class>/ with one of `extensions`. */
export function classFiles(root: string, extensions: readonly string[], scan: Scan): { file: string; label: string }[] {
  const out: { file: string; label: string }[] = [];
  const classes = readdirSync(root)
    .filter((d) => isDir(join(root, d)))
    .sort();
  if (classes.length === 0) addProblem(scan, `${root}: no class folders (expected ${root}/<class>/<file>)`);
  for (const c of classes) {
    const files = readdirSync(join(root, c))
      .filter((f) => extensions.includes(extname(f).toLowerCase()))
      .sort();
    if (files.length === 0) addProblem(scan, `${join(root, c)}: class folder with no ${extensions.join("/")} files`);
    for (const f of files) out.push({ file: join(root, c, f), label: c });
  }
  return out;
}
