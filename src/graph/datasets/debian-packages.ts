// The Debian package graph, a real Cora-like node-classification set read from this machine's
// apt lists: nodes = binary packages of the Packages indices, edges = their Depends (and
// Pre-Depends; every alternative of "a | b" that is itself a package), features = bag of words
// of the one-line descriptions (the K most frequent words), labels = the Section (rare ones
// merged into "other"). The parse also keeps the typed relations (Depends, Recommends,
// Suggests, Conflicts, Provides) and each package's Maintainer for the relational graph
// (typed-packages.ts). The parsed form is cached as JSON, keyed by the lists' sizes and dates.
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { tensor } from "../../core/index.js";
import { APT_LISTS, packageStanzas, packagesListFiles, readAptList, relationNames } from "../../data/debian-packages-index.js";
import { writeTextAtomic } from "../../io/index.js";
import { Graph } from "../graph.js";
import { cacheDir } from "./cache.js";

const STOP = new Set(
  "a an and the of for to in on with from by as is it its or this that be are at into via your you using use based all other which not can".split(
    " ",
  ),
);

export interface PackageIndex {
  names: string[];
  sections: string[];
  /** Tokenised one-line descriptions. */
  words: string[][];
  /** Dependency edges package → dependency, as indices into names. */
  src: number[];
  dst: number[];
  /** Typed edges package → package: relation[k] indexes PACKAGE_RELATIONS. */
  typed: { src: number[]; dst: number[]; relation: number[] };
  /** The Maintainer field of each package (name and address as written). */
  maintainers: string[];
  files: string[];
}

/** The package-to-package relations kept as typed edges (Depends includes Pre-Depends). */
export const PACKAGE_RELATIONS = ["Depends", "Recommends", "Suggests", "Conflicts", "Provides"] as const;
const FIELD_RELATION: Record<string, number> = {
  Depends: 0,
  "Pre-Depends": 0,
  Recommends: 1,
  Suggests: 2,
  Conflicts: 3,
  Provides: 4,
};
/** Bumped when the parsed form gains fields, so older caches are rebuilt. */
const CACHE_VERSION = 2;

const tokenise = (s: string): string[] =>
  (s.toLowerCase().match(/[a-z][a-z0-9+#.-]*[a-z0-9+#]|[a-z]/g) ?? []).filter((w) => w.length > 1 && !STOP.has(w));

/** Parses Packages stanzas (later files override earlier ones for the same package). */
export function parsePackages(texts: readonly string[], files: string[] = []): PackageIndex {
  const byName = new Map<string, { section: string; desc: string; maintainer: string; targets: string[][] }>();
  for (const text of texts) {
    for (const fields of packageStanzas(text)) {
      const name = fields.get("Package")?.trim() ?? "";
      const section = (fields.get("Section") ?? "").trim().replace(/^(contrib|non-free|non-free-firmware)\//, "");
      const desc = (fields.get("Description") ?? "").trim();
      const maintainer = (fields.get("Maintainer") ?? "").trim();
      // Named packages per relation (PACKAGE_RELATIONS order).
      const targets: string[][] = PACKAGE_RELATIONS.map(() => []);
      for (const [key, val] of fields) if (FIELD_RELATION[key] !== undefined) targets[FIELD_RELATION[key]!]!.push(...relationNames(val));
      if (name) byName.set(name, { section: section || "unknown", desc, maintainer, targets });
    }
  }
  const names = [...byName.keys()].sort();
  const id = new Map(names.map((n, i) => [n, i]));
  const src: number[] = [];
  const dst: number[] = [];
  const sections: string[] = [];
  const words: string[][] = [];
  const maintainers: string[] = [];
  const typed = { src: [] as number[], dst: [] as number[], relation: [] as number[] };
  names.forEach((n, i) => {
    const p = byName.get(n)!;
    sections.push(p.section);
    words.push(tokenise(p.desc));
    maintainers.push(p.maintainer);
    p.targets.forEach((ts, r) => {
      const seen = new Set<number>();
      for (const d of ts) {
        const j = id.get(d);
        if (j === undefined || j === i || seen.has(j)) continue;
        seen.add(j);
        typed.src.push(i);
        typed.dst.push(j);
        typed.relation.push(r);
        if (r === 0) {
          src.push(i);
          dst.push(j);
        }
      }
    });
  });
  return { names, sections, words, src, dst, typed, maintainers, files };
}

/** Reads (or loads the cached parse of) the machine's Packages indices. */
export async function loadPackageIndex(o: { dir?: string; log?: (s: string) => void } = {}): Promise<PackageIndex> {
  const files = packagesListFiles(o.dir ?? APT_LISTS);
  if (files.length === 0)
    throw new FlambeauError(
      "E_IO",
      `debian-packages: no *_Packages lists in ${o.dir ?? APT_LISTS} (run apt-get update, or give a graph file with --data)`,
    );
  const stamp = `v${CACHE_VERSION}|${files.map((f) => `${f}:${statSync(f).size}:${statSync(f).mtimeMs}`).join("|")}`;
  const cache = join(cacheDir(), "debian-packages.json");
  if (existsSync(cache)) {
    try {
      const c = JSON.parse(readFileSync(cache, "utf8")) as PackageIndex & { stamp: string };
      if (c.stamp === stamp) return c;
    } catch {
      // A corrupt cache is rebuilt below.
    }
  }
  o.log?.(`debian-packages: parsing ${files.length} Packages lists (cached afterwards in ${cache})`);
  const idx = parsePackages(files.map(readAptList), files);
  mkdirSync(cacheDir(), { recursive: true });
  await writeTextAtomic("debian-packages", cache, JSON.stringify({ ...idx, stamp }));
  return idx;
}

export interface PackageGraphOptions {
  /** Vocabulary size of the bag-of-words features (default 500). */
  vocabulary?: number;
  /** Sections with fewer packages are merged into "other" (default 300). */
  minSection?: number;
  dir?: string;
  log?: (s: string) => void;
}

/** Bag-of-words features (rows of `rows` ≥ the package count; extra rows stay 0) and Section labels. */
export function packageNodeData(
  idx: PackageIndex,
  o: PackageGraphOptions = {},
  rows = idx.names.length,
): { x: Float32Array; vocabulary: string[]; label: string[]; classes: string[] } {
  const k = o.vocabulary ?? 500;
  const df = new Map<string, number>();
  for (const ws of idx.words) for (const w of new Set(ws)) df.set(w, (df.get(w) ?? 0) + 1);
  const vocabulary = [...df.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, k)
    .map(([w]) => w);
  const wid = new Map(vocabulary.map((w, i) => [w, i]));
  const x = new Float32Array(rows * vocabulary.length);
  idx.words.forEach((ws, i) => {
    for (const w of ws) {
      const j = wid.get(w);
      if (j !== undefined) x[i * vocabulary.length + j] = 1;
    }
  });
  const count = new Map<string, number>();
  for (const s of idx.sections) count.set(s, (count.get(s) ?? 0) + 1);
  const min = o.minSection ?? 300;
  const label = idx.sections.map((s) => (count.get(s)! >= min ? s : "other"));
  const classes = [...new Set(label)].sort();
  return { x, vocabulary, label, classes };
}

/** The package graph as an undirected Graph with x, y, classes and node names (no masks). */
export async function debianPackageGraph(o: PackageGraphOptions = {}): Promise<{ graph: Graph; vocabulary: string[] }> {
  const idx = await loadPackageIndex(o);
  const n = idx.names.length;
  const { x, vocabulary, label, classes } = packageNodeData(idx, o);
  const cid = new Map(classes.map((c, i) => [c, i]));
  const e = idx.src.length;
  const ei = new BigInt64Array(2 * e);
  for (let t = 0; t < e; t++) {
    ei[t] = BigInt(idx.src[t]!);
    ei[e + t] = BigInt(idx.dst[t]!);
  }
  const directed = new Graph({
    edgeIndex: tensor(ei, { shape: [2, e] }),
    numNodes: n,
    x: tensor(x, { shape: [n, vocabulary.length] }),
    y: tensor(
      BigInt64Array.from(label, (l) => BigInt(cid.get(l)!)),
      { shape: [n] },
    ),
    classes,
    nodeNames: idx.names,
  });
  // Messages flow both ways: a library learns from its users and they from it.
  const graph = directed.toUndirected();
  directed.edgeIndex.dispose();
  return { graph, vocabulary };
}
