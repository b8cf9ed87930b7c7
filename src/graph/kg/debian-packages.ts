// The Debian package graph as a knowledge graph: the facts of this machine's apt Packages index,
//   package Depends/Recommends/Suggests/Conflicts/Provides package,
//   package Maintainer maintainer, package Section section,
// as (head, relation, tail) triples with a seeded 90/5/5 split whose held-out triples name only
// entities seen in training (as the WordNet graph's). Entities are package names and
// "maintainer:…" / "section:…" nodes, so a model ranks "which section?" and "who maintains it?"
// among every entity, as WN18RR ranks synsets.
import { loadPackageIndex, PACKAGE_RELATIONS } from "../datasets/debian-packages.js";
import { kCore, splitTriples } from "./split.js";
import type { KnowledgeGraph } from "./triples.js";

export interface PackageKgOptions {
  seed?: number;
  /** k-core filter (1: none). */
  minDegree?: number;
  /** A folder of *_Packages lists instead of apt's. */
  dir?: string;
}

/** Every fact of the package index as [head, relation, tail] rows, duplicates and self-loops removed. */
export async function packageTriples(o: { dir?: string } = {}): Promise<[string, string, string][]> {
  const idx = await loadPackageIndex({ dir: o.dir });
  const seen = new Set<string>();
  const rows: [string, string, string][] = [];
  const fact = (h: string, r: string, t: string) => {
    const key = `${h}\t${r}\t${t}`;
    if (h === t || seen.has(key)) return;
    seen.add(key);
    rows.push([h, r, t]);
  };
  idx.typed.src.forEach((s, k) => fact(idx.names[s]!, PACKAGE_RELATIONS[idx.typed.relation[k]!]!, idx.names[idx.typed.dst[k]!]!));
  idx.maintainers.forEach((m, i) => {
    if (m) fact(idx.names[i]!, "Maintainer", `maintainer:${m}`);
  });
  idx.sections.forEach((s, i) => {
    if (s) fact(idx.names[i]!, "Section", `section:${s}`);
  });
  return rows;
}

export async function packageKnowledgeGraph(o: PackageKgOptions = {}): Promise<KnowledgeGraph> {
  const rows = await packageTriples(o);
  const kept = (o.minDegree ?? 1) > 1 ? kCore(rows, o.minDegree!) : rows;
  return splitTriples(kept, { seed: o.seed ?? 0, valid: 0.05, test: 0.05 });
}
