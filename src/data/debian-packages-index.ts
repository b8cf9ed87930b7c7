// Debian's Packages indices (deb822 stanzas, one per binary package) as apt keeps them in
// /var/lib/apt/lists: finding the lists, decompressing them through apt-helper, splitting
// stanzas into their one-line fields, and reading a relation field ("a (>= 1) | b, c:any")
// into the package names it names. The graph reader (package graph) and the text reader
// (relation extraction) both build on it.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../core/errors.js";

export const APT_LISTS = "/var/lib/apt/lists";
const APT_HELPER = "/usr/lib/apt/apt-helper";

/** The *_Packages lists (compressed or not) in `dir`, sorted by name. */
export function packagesListFiles(dir = APT_LISTS): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /_Packages(\.(lz4|gz|xz|zst|bz2))?$/.test(f))
    .map((f) => join(dir, f))
    .sort();
}

/** The text of an apt list, decompressed by apt-helper when it is compressed. */
export function readAptList(file: string): string {
  if (!/\.(lz4|gz|xz|zst|bz2)$/.test(file)) return readFileSync(file, "utf8");
  const r = spawnSync(APT_HELPER, ["cat-file", file], { maxBuffer: 1 << 30, encoding: "utf8" });
  if (r.error || r.status !== 0)
    throw new FlambeauError("E_IO", `debian-packages: ${APT_HELPER} cat-file ${file} failed: ${r.error?.message ?? r.stderr.trim()}`);
  return r.stdout;
}

/**
 * The stanzas of a Packages text, each as its fields' first-line values (continuation lines,
 * which start with a space, are skipped; later duplicates of a key win).
 */
export function* packageStanzas(text: string): Generator<Map<string, string>> {
  for (const stanza of text.split(/\n\n+/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split("\n")) {
      const c = line.indexOf(": ");
      if (c < 0 || line.startsWith(" ")) continue;
      fields.set(line.slice(0, c), line.slice(c + 2));
    }
    if (fields.size) yield fields;
  }
}

/** The package names of a relation field, every alternative of "a | b" included, versions and :arch dropped, in order. */
export function relationNames(value: string): string[] {
  const out: string[] = [];
  for (const clause of value.split(","))
    for (const alt of clause.split("|")) {
      const name = alt.trim().split(/[\s:([]/)[0];
      if (name) out.push(name);
    }
  return out;
}
