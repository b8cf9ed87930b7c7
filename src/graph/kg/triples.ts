// Knowledge-graph triples (head, relation, tail) as dense ids, and the TSV format WN18RR and
// FB15k-237 ship: one "head<TAB>relation<TAB>tail" line per fact. Errors name the file, the
// line and the offending value.
import { existsSync, readFileSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { NodeIds } from "../convert.js";

export const TRIPLES_FORMAT =
  'TSV lines "head<TAB>relation<TAB>tail" (WN18RR / FB15k-237 layout; # comments and blank lines skipped): a folder with train.txt, valid.txt and test.txt, or one file split 80/10/10 by --seed';

/** Facts as parallel id arrays into a shared entity and relation vocabulary. */
export interface Triples {
  heads: Int32Array;
  relations: Int32Array;
  tails: Int32Array;
}

/** The vocabulary and the three splits of a knowledge graph. */
export interface KnowledgeGraph {
  entities: string[];
  relationNames: string[];
  train: Triples;
  valid: Triples;
  test: Triples;
}

export const tripleCount = (t: Triples): number => t.heads.length;

export const triplesFrom = (rows: readonly (readonly [number, number, number])[]): Triples => ({
  heads: Int32Array.from(rows, (r) => r[0]),
  relations: Int32Array.from(rows, (r) => r[1]),
  tails: Int32Array.from(rows, (r) => r[2]),
});

const bad = (source: string, line: number, msg: string): never => {
  throw new FlambeauError("E_FORMAT", `readTriples: ${source}:${line}: ${msg}`, "readTriples");
};

export interface ParseTriplesOptions {
  entities?: NodeIds;
  relations?: NodeIds;
  /** Names not already in the vocabularies are errors (valid/test files must name known entities). */
  closed?: boolean;
  /** Self-loops (head = tail) are errors rather than facts. */
  allowSelfLoops?: boolean;
}

/** Parses TSV triples (tab-separated; three fields a line) into ids, growing the vocabularies unless `closed`. */
export function parseTriples(text: string, o: ParseTriplesOptions = {}, source = "<text>"): Triples {
  const ents = o.entities ?? new NodeIds();
  const rels = o.relations ?? new NodeIds();
  const h: number[] = [];
  const r: number[] = [];
  const t: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const f = line.split("\t").map((s) => s.trim());
    if (f.length !== 3 || f.some((s) => s === ""))
      bad(source, ln + 1, `expected "head<TAB>relation<TAB>tail", got ${f.length} field(s) in "${line.slice(0, 80)}"`);
    const id = (v: NodeIds, name: string, what: string): number => {
      const i = v.get(name);
      if (i !== undefined) return i;
      if (o.closed) bad(source, ln + 1, `${what} "${name}" does not occur in the training triples`);
      return v.id(name);
    };
    if (f[0] === f[2] && o.allowSelfLoops === false) bad(source, ln + 1, `self-loop "${f[0]}" ${f[1]} "${f[2]}" is not allowed`);
    h.push(id(ents, f[0]!, "entity"));
    r.push(id(rels, f[1]!, "relation"));
    t.push(id(ents, f[2]!, "entity"));
  }
  return { heads: Int32Array.from(h), relations: Int32Array.from(r), tails: Int32Array.from(t) };
}

/** Reads a TSV triples file (see parseTriples). */
export function readTriples(file: string, o: ParseTriplesOptions = {}): Triples {
  if (!existsSync(file)) throw new FlambeauError("E_IO", `readTriples: ${file} does not exist`, "readTriples");
  return parseTriples(readFileSync(file, "utf8"), o, file);
}

/**
 * Checks id triples against their vocabulary sizes: every id an integer in range. `where(k)`
 * names triple k's origin (file and line) in the error.
 */
export function checkTriples(t: Triples, numEntities: number, numRelations: number, where: (k: number) => string): void {
  const n = t.heads.length;
  if (t.relations.length !== n || t.tails.length !== n)
    throw new FlambeauError(
      "E_SHAPE",
      `checkTriples: heads, relations and tails differ in length (${n}, ${t.relations.length}, ${t.tails.length})`,
    );
  for (let k = 0; k < n; k++) {
    const e =
      t.heads[k]! < 0 || t.heads[k]! >= numEntities ? t.heads[k] : t.tails[k]! < 0 || t.tails[k]! >= numEntities ? t.tails[k] : null;
    if (e !== null)
      throw new FlambeauError("E_FORMAT", `checkTriples: ${where(k)}: entity id ${e} is out of range [0, ${numEntities})`, "checkTriples");
    const r = t.relations[k]!;
    if (r < 0 || r >= numRelations)
      throw new FlambeauError(
        "E_FORMAT",
        `checkTriples: ${where(k)}: relation id ${r} is out of range [0, ${numRelations})`,
        "checkTriples",
      );
  }
}

/**
 * Parses integer-id triples "h<TAB>r<TAB>t" (the OpenKE train2id layout, without its count
 * line) checked against known vocabulary sizes: a relation id out of range names its line.
 */
export function parseIdTriples(text: string, numEntities: number, numRelations: number, source = "<text>"): Triples {
  const rows: [number, number, number][] = [];
  const lineOf: number[] = [];
  text.split(/\r?\n/).forEach((raw, ln) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const f = line.split(/\s+/);
    const v = f.map(Number);
    if (f.length !== 3 || v.some((x) => !Number.isInteger(x)))
      bad(source, ln + 1, `expected three integer ids "head relation tail", got "${line.slice(0, 80)}"`);
    rows.push([v[0]!, v[1]!, v[2]!]);
    lineOf.push(ln + 1);
  });
  const t = triplesFrom(rows);
  checkTriples(t, numEntities, numRelations, (k) => `${source}:${lineOf[k]}`);
  return t;
}

/** Concatenates triple sets. */
export function concatTriples(...ts: readonly Triples[]): Triples {
  const cat = (f: (t: Triples) => Int32Array) => {
    const out = new Int32Array(ts.reduce((s, t) => s + t.heads.length, 0));
    let o = 0;
    for (const t of ts) {
      out.set(f(t), o);
      o += t.heads.length;
    }
    return out;
  };
  return { heads: cat((t) => t.heads), relations: cat((t) => t.relations), tails: cat((t) => t.tails) };
}

/** Triples k of `t` for k in `idx`. */
export const pickTriples = (t: Triples, idx: ArrayLike<number>): Triples => ({
  heads: Int32Array.from(idx as ArrayLike<number>, (k) => t.heads[k]!),
  relations: Int32Array.from(idx as ArrayLike<number>, (k) => t.relations[k]!),
  tails: Int32Array.from(idx as ArrayLike<number>, (k) => t.tails[k]!),
});
