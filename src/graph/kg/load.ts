// Resolving the knowledge-graph task's --data: the built-in WordNet graph, the Debian package
// graph, a WN18RR-style folder (train.txt, valid.txt, test.txt), or one TSV file split by the seed.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { NodeIds } from "../convert.js";
import { packageKnowledgeGraph } from "./debian-packages.js";
import { kCore, splitTriples } from "./split.js";
import { type KnowledgeGraph, parseTriples, readTriples, TRIPLES_FORMAT } from "./triples.js";
import { wordNetGraph } from "./wordnet.js";

export const KG_DATASETS = ["wordnet", "debian-packages"] as const;

export interface KgLoadOptions {
  seed?: number;
  /** k-core filter of the built-in graph and of single files (1: none). */
  minDegree?: number;
}

function readFolder(dir: string): KnowledgeGraph {
  const files = ["train.txt", "valid.txt", "test.txt"].map((f) => join(dir, f));
  for (const f of files)
    if (!existsSync(f)) throw new FlambeauError("E_IO", `knowledge graph: ${f} is missing; expected ${TRIPLES_FORMAT}`);
  const entities = new NodeIds();
  const relations = new NodeIds();
  const train = readTriples(files[0]!, { entities, relations });
  // Held-out triples must name entities and relations the model can have learned.
  const valid = readTriples(files[1]!, { entities, relations, closed: true });
  const test = readTriples(files[2]!, { entities, relations, closed: true });
  return { entities: entities.names, relationNames: relations.names, train, valid, test };
}

function readOne(file: string, o: KgLoadOptions): KnowledgeGraph {
  const entities = new NodeIds();
  const relations = new NodeIds();
  const t = parseTriples(readFileSync(file, "utf8"), { entities, relations }, file);
  const rows = Array.from(
    t.heads,
    (h, k) => [entities.names[h]!, relations.names[t.relations[k]!]!, entities.names[t.tails[k]!]!] as [string, string, string],
  );
  const kept = (o.minDegree ?? 1) > 1 ? kCore(rows, o.minDegree!) : rows;
  return splitTriples(kept, { seed: o.seed ?? 0, valid: 0.1, test: 0.1 });
}

export async function loadKnowledgeGraph(spec: string, o: KgLoadOptions = {}): Promise<{ kg: KnowledgeGraph; source: string }> {
  if (spec === "wordnet" || spec === "wn18rr") return { kg: wordNetGraph({ seed: o.seed, minDegree: o.minDegree }), source: "wordnet" };
  if (spec === "debian-packages")
    return { kg: await packageKnowledgeGraph({ seed: o.seed, minDegree: o.minDegree }), source: "debian-packages" };
  if (!existsSync(spec))
    throw new FlambeauError(
      "E_IO",
      `knowledge-graph data "${spec}" is neither a built-in set (${KG_DATASETS.join(", ")}) nor an existing file or folder; expected ${TRIPLES_FORMAT}`,
    );
  const kg = statSync(spec).isDirectory() ? readFolder(spec) : readOne(spec, o);
  if (kg.train.heads.length === 0) throw new FlambeauError("E_FORMAT", `knowledge graph ${spec}: no training triples`);
  return { kg, source: spec };
}
