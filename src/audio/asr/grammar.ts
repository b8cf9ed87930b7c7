// Decoding grammars: what a command-and-control recogniser may hear, as a graph of words. Two
// formats, both as CMU Sphinx reads them: JSGF (the Java Speech Grammar Format, W3C 2000 note:
// `<rule> = alternatives | of [optional] (grouped) sequences, <references>, repeats* +;`,
// every public rule a way in) and Sphinx's FSG (`TRANSITION from to prob [word]`, a
// transition without a word being an empty move). Both become one nondeterministic word graph;
// the CTC beam search asks it which characters may come next (grammar-constraint.ts).
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { normalizeTranscript } from "../metrics/asr.js";

const OP = "grammar";

/** A word graph: states 0…n−1, word edges and empty edges, one start and a set of final states. */
export class WordGraph {
  readonly words: { from: number; word: string; to: number }[] = [];
  readonly empty: { from: number; to: number }[] = [];
  start = 0;
  readonly finals = new Set<number>();
  size = 0;
  readonly #out = new Map<number, { word: string; to: number }[]>();
  readonly #eps = new Map<number, number[]>();

  newState(): number {
    return this.size++;
  }

  /** A word edge; a token that normalises to several words (`really_bad_word`) becomes a chain. */
  addWord(from: number, word: string, to: number): void {
    const parts = normalizeTranscript(word).split(" ").filter(Boolean);
    if (parts.length === 0) {
      this.addEmpty(from, to);
      return;
    }
    let at = from;
    parts.forEach((w, i) => {
      const next = i === parts.length - 1 ? to : this.newState();
      this.words.push({ from: at, word: w, to: next });
      let l = this.#out.get(at);
      if (!l) this.#out.set(at, (l = []));
      l.push({ word: w, to: next });
      at = next;
    });
  }

  addEmpty(from: number, to: number): void {
    this.empty.push({ from, to });
    let l = this.#eps.get(from);
    if (!l) this.#eps.set(from, (l = []));
    l.push(to);
  }

  /** The states reachable from `states` by empty edges (sorted). */
  closure(states: Iterable<number>): number[] {
    const seen = new Set<number>();
    const stack = [...states];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      for (const t of this.#eps.get(s) ?? []) stack.push(t);
    }
    return [...seen].sort((a, b) => a - b);
  }

  /** Word edges leaving any of `states`. */
  edgesFrom(states: readonly number[]): { word: string; to: number }[] {
    return states.flatMap((s) => this.#out.get(s) ?? []);
  }

  /** The closed state set after reading `words` from the start (empty: the words leave the grammar). */
  statesAfter(words: readonly string[]): number[] {
    let cur = this.closure([this.start]);
    for (const w of words) {
      cur = this.closure(this.edgesFrom(cur).flatMap((e) => (e.word === w ? [e.to] : [])));
      if (cur.length === 0) return cur;
    }
    return cur;
  }

  /** Whether the grammar accepts this word sequence. */
  accepts(text: string): boolean {
    const words = normalizeTranscript(text).split(" ").filter(Boolean);
    return this.statesAfter(words).some((s) => this.finals.has(s));
  }

  /** The distinct words of the grammar. */
  vocabulary(): string[] {
    return [...new Set(this.words.map((e) => e.word))].sort();
  }
}

// ---- JSGF ----

type Expansion =
  | { kind: "word"; word: string }
  | { kind: "ref"; name: string }
  | { kind: "seq"; items: Expansion[] }
  | { kind: "alt"; items: Expansion[] }
  | { kind: "opt"; item: Expansion }
  | { kind: "repeat"; item: Expansion; min: 0 | 1 };

/** Strips comments; returns the rule definitions' text after the header. */
function jsgfBody(text: string, source: string): string {
  const clean = text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
  const header = /^\s*#JSGF\s+V\d+(\.\d+)?[^;]*;/i.exec(clean);
  if (!header) throw new FlambeauError("E_FORMAT", `${source}: not a JSGF grammar (expected "#JSGF V1.0;" first)`, OP);
  let body = clean.slice(header[0].length);
  const name = /^\s*grammar\s+[\w.]+\s*;/.exec(body);
  if (!name) throw new FlambeauError("E_FORMAT", `${source}: expected "grammar <name>;" after the header`, OP);
  body = body.slice(name[0].length);
  if (/^\s*import\b/m.test(body)) throw new FlambeauError("E_FORMAT", `${source}: JSGF imports are not supported; inline the rules`, OP);
  return body;
}

/** Tokens of a rule's expansion: <ref>, words, | [ ] ( ) * +; weights /w/ and tags {…} dropped. */
function tokenize(s: string, where: string): string[] {
  const out: string[] = [];
  const re = /\s*(<[^>]+>|\/[^/]*\/|\{[^}]*\}|"[^"]*"|[|[\]()*+]|[^\s|[\]()*+<>/{}"]+)/y;
  let i = 0;
  while (i < s.length) {
    if (/^\s*$/.test(s.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw new FlambeauError("E_FORMAT", `${where}: cannot read ${JSON.stringify(s.slice(i, i + 20))}`, OP);
    i = re.lastIndex;
    const t = m[1]!;
    if (t.startsWith("/") || t.startsWith("{")) continue;
    out.push(t.startsWith('"') ? t.slice(1, -1) : t);
  }
  return out;
}

function parseExpansion(tokens: string[], where: string): Expansion {
  let pos = 0;
  const alt = (): Expansion => {
    const items = [seq()];
    while (tokens[pos] === "|") {
      pos++;
      items.push(seq());
    }
    return items.length === 1 ? items[0]! : { kind: "alt", items };
  };
  const seq = (): Expansion => {
    const items: Expansion[] = [];
    while (pos < tokens.length && tokens[pos] !== "|" && tokens[pos] !== ")" && tokens[pos] !== "]") {
      let item = unit();
      while (tokens[pos] === "*" || tokens[pos] === "+") item = { kind: "repeat", item, min: tokens[pos++] === "*" ? 0 : 1 };
      items.push(item);
    }
    if (items.length === 0) throw new FlambeauError("E_FORMAT", `${where}: an empty alternative`, OP);
    return items.length === 1 ? items[0]! : { kind: "seq", items };
  };
  const unit = (): Expansion => {
    const t = tokens[pos++]!;
    if (t === "(" || t === "[") {
      const inner = alt();
      const close = t === "(" ? ")" : "]";
      if (tokens[pos++] !== close) throw new FlambeauError("E_FORMAT", `${where}: "${t}" is never closed by "${close}"`, OP);
      return t === "(" ? inner : { kind: "opt", item: inner };
    }
    if (t.startsWith("<")) return { kind: "ref", name: t.slice(1, -1).trim() };
    return { kind: "word", word: t };
  };
  const e = alt();
  if (pos !== tokens.length) throw new FlambeauError("E_FORMAT", `${where}: unexpected "${tokens[pos]}"`, OP);
  return e;
}

/** Parses JSGF text into a word graph accepting any of its public rules. */
export function parseJsgf(text: string, source = "JSGF grammar"): WordGraph {
  const body = jsgfBody(text, source);
  const rules = new Map<string, Expansion>();
  const publics: string[] = [];
  for (const raw of body.split(";")) {
    if (!raw.trim()) continue;
    const m = /^\s*(public\s+)?<([^>]+)>\s*=([\s\S]*)$/.exec(raw);
    if (!m) throw new FlambeauError("E_FORMAT", `${source}: expected "<rule> = …;", got ${JSON.stringify(raw.trim().slice(0, 40))}`, OP);
    const name = m[2]!.trim();
    if (rules.has(name)) throw new FlambeauError("E_FORMAT", `${source}: rule <${name}> is defined twice`, OP);
    rules.set(name, parseExpansion(tokenize(m[3]!, `${source} <${name}>`), `${source} <${name}>`));
    if (m[1]) publics.push(name);
  }
  if (publics.length === 0) throw new FlambeauError("E_FORMAT", `${source}: no public rule to recognise`, OP);
  const g = new WordGraph();
  const start = g.newState();
  const end = g.newState();
  g.start = start;
  g.finals.add(end);
  // Thompson's construction; a rule reference expands the rule in place (recursion is refused:
  // a finite graph cannot hold it, and Sphinx allows only right recursion).
  const build = (e: Expansion, from: number, to: number, stack: string[]): void => {
    switch (e.kind) {
      case "word":
        g.addWord(from, e.word, to);
        return;
      case "ref": {
        if (e.name === "NULL") {
          g.addEmpty(from, to);
          return;
        }
        if (e.name === "VOID") return;
        const r = rules.get(e.name);
        if (!r) throw new FlambeauError("E_FORMAT", `${source}: rule <${e.name}> is used but never defined`, OP);
        if (stack.includes(e.name))
          throw new FlambeauError(
            "E_FORMAT",
            `${source}: rule <${e.name}> is recursive (${[...stack, e.name].join(" → ")}); use * or +`,
            OP,
          );
        build(r, from, to, [...stack, e.name]);
        return;
      }
      case "seq": {
        let at = from;
        e.items.forEach((item, i) => {
          const next = i === e.items.length - 1 ? to : g.newState();
          build(item, at, next, stack);
          at = next;
        });
        return;
      }
      case "alt":
        for (const item of e.items) build(item, from, to, stack);
        return;
      case "opt":
        g.addEmpty(from, to);
        build(e.item, from, to, stack);
        return;
      case "repeat": {
        const a = g.newState();
        const b = g.newState();
        g.addEmpty(from, a);
        build(e.item, a, b, stack);
        g.addEmpty(b, a);
        g.addEmpty(b, to);
        if (e.min === 0) g.addEmpty(from, to);
        return;
      }
    }
  };
  for (const p of publics) build({ kind: "ref", name: p }, start, end, []);
  return g;
}

// ---- Sphinx FSG ----

/** Parses a Sphinx FSG file (FSG_BEGIN … NUM_STATES, START_STATE, FINAL_STATE, TRANSITION lines, FSG_END). */
export function parseFsg(text: string, source = "FSG grammar"): WordGraph {
  const g = new WordGraph();
  let states = -1;
  let start = -1;
  const finals: number[] = [];
  const state = (v: string | undefined, where: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || (states >= 0 && n >= states))
      throw new FlambeauError("E_FORMAT", `${where}: state ${JSON.stringify(v)} is not in 0…${states - 1}`, OP);
    return n;
  };
  text.split(/\r?\n/).forEach((line, i) => {
    const where = `${source}:${i + 1}`;
    const f = line.replace(/#.*/, "").trim().split(/\s+/).filter(Boolean);
    if (f.length === 0) return;
    const key = f[0]!.toUpperCase();
    if (key === "FSG_BEGIN" || key === "FSG_END") return;
    if (key === "NUM_STATES" || key === "N") {
      states = Number(f[1]);
      if (!Number.isInteger(states) || states < 1)
        throw new FlambeauError("E_FORMAT", `${where}: NUM_STATES must be a positive integer`, OP);
      g.size = states;
    } else if (key === "START_STATE" || key === "S") start = state(f[1], where);
    else if (key === "FINAL_STATE" || key === "F") finals.push(state(f[1], where));
    else if (key === "TRANSITION" || key === "T") {
      if (states < 0) throw new FlambeauError("E_FORMAT", `${where}: a transition before NUM_STATES`, OP);
      const from = state(f[1], where);
      const to = state(f[2], where);
      if (f.length >= 5) g.addWord(from, f.slice(4).join(" "), to);
      else g.addEmpty(from, to);
    } else throw new FlambeauError("E_FORMAT", `${where}: unknown line ${JSON.stringify(line.trim().slice(0, 40))}`, OP);
  });
  if (states < 0 || start < 0 || finals.length === 0)
    throw new FlambeauError("E_FORMAT", `${source}: NUM_STATES, START_STATE and FINAL_STATE are all required`, OP);
  g.start = start;
  for (const f of finals) g.finals.add(f);
  return g;
}

/** Reads a grammar file: .fsg as Sphinx FSG, anything else (.gram, .jsgf) as JSGF. */
export function loadGrammar(path: string): WordGraph {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new FlambeauError("E_IO", `${OP}: cannot read ${path}: ${(e as Error).message}`, OP);
  }
  return extname(path).toLowerCase() === ".fsg" ? parseFsg(text, path) : parseJsgf(text, path);
}

/**
 * What a CTC beam search may spell under a grammar: for a prefix "w1 w2 pa" (complete words,
 * then a partial one), the next character must extend the partial word towards a word the
 * graph allows after w1 w2, or end it (a space) when it is one. State sets are cached per prefix.
 */
export class GrammarConstraint {
  readonly graph: WordGraph;
  readonly #after = new Map<string, number[]>();
  constructor(graph: WordGraph) {
    this.graph = graph;
  }

  #states(done: string): number[] {
    let s = this.#after.get(done);
    if (!s) this.#after.set(done, (s = this.graph.statesAfter(done === "" ? [] : done.split(" "))));
    return s;
  }

  /** Whether `text` (spaces collapsed, no leading space) may be followed by `ch`. */
  allows(text: string, ch: string): boolean {
    const cut = text.lastIndexOf(" ");
    const done = cut < 0 ? "" : text.slice(0, cut);
    const partial = text.slice(cut + 1);
    const edges = this.graph.edgesFrom(this.#states(done));
    if (ch === " ") return partial === "" || edges.some((e) => e.word === partial);
    const next = partial + ch;
    return edges.some((e) => e.word.startsWith(next));
  }

  /** Whether `text` is a whole sentence of the grammar. */
  complete(text: string): boolean {
    return this.graph.accepts(text);
  }
}
