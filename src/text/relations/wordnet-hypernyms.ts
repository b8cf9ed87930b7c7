// Hypernyms from dictionary definitions (Chodorow et al. 1985; Hearst 1992): a gloss such as
// "a domesticated carnivore …" names its synset's genus term. Built from WordNet 3.0's own files
// (Debian's wordnet-base, wndb(5WN)): for each noun synset with a gloss and a hypernym pointer
// (`@`, or `@i` for instances), the definition (the gloss before its first ";", where the
// examples start) is one text, the head is the synset's first word, and every noun of the
// definition that index.noun knows is a candidate tail — multi-word lemmas ("domestic animal")
// by the longest match, plurals through WordNet's morphy rules and noun.exc, function words
// and the synset's own words left out, each lemma once per synset. A candidate is labelled
// "hypernym" when it is a word of one of the synset's direct hypernym synsets, else "none".
// Split by a hash of the synset offset (90/5/5): a synset's candidates are all in one split.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { cachedSplit } from "../../data/cache.js";
import type { RelationExample, Split } from "./debian-relations.js";
import type { DrawnTriple } from "./graph-svg.js";
import { type CandidateScore, type ExtractionScores, extractionScores } from "./metrics.js";

export const HYPERNYM_DATA = "wordnet-hypernyms";
export const HYPERNYM_RELATIONS = ["none", "hypernym"] as const;
export const WORDNET_DIR = "/usr/share/wordnet";
const OP = "relation-extraction";
/** Longest multi-word lemma tried, in words. */
const MAX_WORDS = 4;

/** Function words and auxiliaries that index.noun also lists ("a", "in", "be", "it", "one", "have"; "has" → "ha" by morphy): never candidates. */
const FUNCTION_WORDS = new Set(
  "a an the of in on at to by for with from as or and nor but if than that which who whom whose what when where while is are was were be been being it its this these those there their they them he she his her one ones some any each every other such not no all both either neither more most less many much few very also used usually especially often has have had do does did can may might will would shall should must could".split(
    " ",
  ),
);

/** One noun synset of data.noun. */
export interface NounSynset {
  offset: string;
  /** Its words as written (underscores between the words of a lemma). */
  words: string[];
  /** Offsets of its direct hypernyms (`@` and `@i`). */
  hypernyms: string[];
  gloss: string;
}

/** A synset line of a wndb data file, or null for the licence header (lines starting with two spaces) and blank lines. */
export function parseSynsetLine(line: string, where = "data.noun"): NounSynset | null {
  if (line.trim() === "" || line.startsWith("  ")) return null;
  const bar = line.indexOf(" | ");
  const f = (bar < 0 ? line : line.slice(0, bar)).trim().split(" ");
  const wCnt = Number.parseInt(f[3] ?? "", 16);
  if (!/^\d{8}$/.test(f[0]!) || !Number.isInteger(wCnt) || f.length < 5 + 2 * wCnt)
    throw new FlambeauError("E_FORMAT", `${OP}: ${where}: not a wndb synset line: ${line.slice(0, 60)}`, OP);
  const words = Array.from({ length: wCnt }, (_, i) => f[4 + 2 * i]!);
  const pCnt = Number(f[4 + 2 * wCnt]);
  const hypernyms: string[] = [];
  for (let p = 0, k = 5 + 2 * wCnt; p < pCnt; p++, k += 4)
    if ((f[k] === "@" || f[k] === "@i") && f[k + 2] === "n") hypernyms.push(f[k + 1]!);
  return { offset: f[0]!, words, hypernyms, gloss: bar < 0 ? "" : line.slice(bar + 3).trim() };
}

/** The definition part of a gloss: the text before its first ";" (the examples follow it), or "" when the gloss starts with an example. */
export function definitionOf(gloss: string): string {
  const semi = gloss.indexOf(";");
  const d = (semi < 0 ? gloss : gloss.slice(0, semi)).trim();
  return d.startsWith('"') ? "" : d;
}

/** The lemmas of an index file (index.noun): lemma → number of senses. */
export function parseIndex(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("  ")) continue;
    const f = line.split(" ", 3);
    out.set(f[0]!, Number(f[2]));
  }
  return out;
}

/** An exception list (noun.exc): inflected form → base form. */
export function parseExceptions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [form, base] = line.trim().split(" ");
    if (form && base && !out.has(form)) out.set(form, base);
  }
  return out;
}

export interface NounLexicon {
  /** index.noun: lemma (lowercase, "_" between words) → senses. */
  nouns: ReadonlyMap<string, number>;
  /** noun.exc. */
  exceptions: ReadonlyMap<string, string>;
}

/** WordNet's morphy for nouns: the form itself, noun.exc, then the detachment rules (s, ses→s, xes→x, zes→z, ches→ch, shes→sh, men→man, ies→y). */
export function morphyNoun(form: string, lex: NounLexicon): string | null {
  if (lex.nouns.has(form)) return form;
  const exc = lex.exceptions.get(form);
  if (exc && lex.nouns.has(exc)) return exc;
  const rules: [string, string][] = [
    ["s", ""],
    ["ses", "s"],
    ["xes", "x"],
    ["zes", "z"],
    ["ches", "ch"],
    ["shes", "sh"],
    ["men", "man"],
    ["ies", "y"],
  ];
  for (const [suffix, to] of rules)
    if (form.endsWith(suffix) && form.length > suffix.length + 1) {
      const base = form.slice(0, -suffix.length) + to;
      if (lex.nouns.has(base)) return base;
    }
  return null;
}

/** A noun of a text: where it is, as written, and its WordNet lemma. */
export interface NounMention {
  start: number;
  end: number;
  surface: string;
  lemma: string;
}

const WORD = /[A-Za-z0-9][A-Za-z0-9'-]*[A-Za-z0-9]|[A-Za-z]/g;

/**
 * The nouns of a text that WordNet knows, left to right: the longest lemma of up to 4 words at each
 * word (inflection on the last word), then, for a multi-word lemma, its last word when that is a noun.
 */
export function nounMentions(text: string, lex: NounLexicon): NounMention[] {
  const words = [...text.matchAll(WORD)].map((m) => ({ start: m.index!, end: m.index! + m[0].length, w: m[0].toLowerCase() }));
  /** The longest lemma starting at word i, with its length in words. */
  const longestAt = (i: number): [NounMention, number] | null => {
    for (let n = Math.min(MAX_WORDS, words.length - i); n >= 1; n--) {
      const span = words.slice(i, i + n);
      // The words of a collocation are separated by single spaces or hyphens in the text.
      if (span.some((s, k) => k > 0 && !/^[ -]$/.test(text.slice(span[k - 1]!.end, s.start)))) continue;
      if (n === 1 && (FUNCTION_WORDS.has(span[0]!.w) || span[0]!.w.length < 2 || /^\d/.test(span[0]!.w))) continue;
      const last = morphyNoun(span[n - 1]!.w, lex);
      const lemma = [...span.slice(0, -1).map((s) => s.w), last].join("_");
      if (last === null || !lex.nouns.has(lemma)) continue;
      const start = span[0]!.start;
      const end = span[n - 1]!.end;
      return [{ start, end, surface: text.slice(start, end), lemma }, n];
    }
    return null;
  };
  const out: NounMention[] = [];
  for (let i = 0; i < words.length; ) {
    const found = longestAt(i);
    if (found) out.push(found[0]);
    // The head of a multi-word lemma is a noun of its own ("fissiped mammals": fissiped_mammal, then mammal).
    const head = found && found[1] > 1 ? longestAt(i + found[1] - 1) : null;
    if (head && head[1] === 1) out.push(head[0]);
    i += found ? found[1] : 1;
  }
  return out;
}

/** A candidate of the hypernym set: a relation example of its synset, with the candidate's lemma. */
export interface HypernymExample extends RelationExample {
  /** The synset offset. */
  group: string;
  lemma: string;
}

const lemmaKey = (w: string) => w.toLowerCase();

/** The words of a synset's direct hypernyms (`@`, `@i`), lowercase, "_" between words. */
export const hypernymLemmas = (s: NounSynset, synsets: ReadonlyMap<string, NounSynset>): Set<string> =>
  new Set(s.hypernyms.flatMap((h) => (synsets.get(h)?.words ?? []).map(lemmaKey)));

/** The candidates of one synset's definition, labelled 1 (hypernym) when the lemma is a word of a direct hypernym synset. */
export function hypernymCandidates(s: NounSynset, synsets: ReadonlyMap<string, NounSynset>, lex: NounLexicon): HypernymExample[] {
  const text = definitionOf(s.gloss);
  if (!text || !s.hypernyms.length) return [];
  const own = new Set(s.words.map(lemmaKey));
  const gold = hypernymLemmas(s, synsets);
  const head = s.words[0]!.replace(/_/g, " ");
  const seen = new Set<string>();
  const out: HypernymExample[] = [];
  for (const m of nounMentions(text, lex)) {
    if (own.has(m.lemma) || seen.has(m.lemma)) continue;
    seen.add(m.lemma);
    out.push({ head, tail: m.surface, text, at: m.start, relation: gold.has(m.lemma) ? 1 : 0, group: s.offset, lemma: m.lemma });
  }
  return out;
}

/** 90% train, 5% val, 5% test by a hash of the synset offset. */
export function hypernymSplit(offset: string): Split {
  const h = createHash("sha1").update(`wn-noun-${offset}`).digest().readUInt32BE(0) / 2 ** 32;
  return h < 0.9 ? "train" : h < 0.95 ? "val" : "test";
}

function readWordNet(dir: string, file: string): string {
  const path = join(dir, file);
  if (!existsSync(path))
    throw new FlambeauError(
      "E_IO",
      `${OP}: ${HYPERNYM_DATA} needs WordNet 3.0's ${path}, which is missing: install Debian's wordnet-base (apt-get install wordnet-base)`,
      OP,
    );
  return readFileSync(path, "latin1");
}

/** The candidates of every noun synset of the WordNet in `dir`, by split (synsets in data.noun order). */
export function buildHypernyms(dir = WORDNET_DIR): Record<Split, HypernymExample[]> {
  const lex: NounLexicon = {
    nouns: parseIndex(readWordNet(dir, "index.noun")),
    exceptions: parseExceptions(readWordNet(dir, "noun.exc")),
  };
  const synsets = new Map<string, NounSynset>();
  for (const line of readWordNet(dir, "data.noun").split("\n")) {
    const s = parseSynsetLine(line);
    if (s) synsets.set(s.offset, s);
  }
  const out: Record<Split, HypernymExample[]> = { train: [], val: [], test: [] };
  for (const s of synsets.values()) out[hypernymSplit(s.offset)].push(...hypernymCandidates(s, synsets, lex));
  return out;
}

/** Chodorow et al.'s empty heads: in "a member of …", "a kind of …" the genus term follows "of". */
const EMPTY_HEADS = new Set("member kind type sort form variety species genus group class category part piece".split(" "));

/**
 * The genus-term baseline (Chodorow et al. 1985): the first noun of each synset's definition that
 * WordNet knows (its first candidate) is extracted as its hypernym. With `skipEmptyHeads`, a
 * first candidate that is an empty head followed by "of" is passed over for the next one.
 * Candidates must come in text order, grouped by synset, as `hypernymCandidates` makes them.
 */
export function genusScores(xs: readonly HypernymExample[], skipEmptyHeads = false): CandidateScore[] {
  const empty = (x: HypernymExample) => skipEmptyHeads && EMPTY_HEADS.has(x.lemma) && /^\s+of\b/.test(x.text.slice(x.at + x.tail.length));
  const byGroup = new Map<string, number[]>();
  xs.forEach((x, i) => {
    const g = byGroup.get(x.group);
    if (g) g.push(i);
    else byGroup.set(x.group, [i]);
  });
  const chosen = new Set<number>();
  for (const g of byGroup.values()) chosen.add(g.find((i) => !empty(xs[i]!)) ?? g[0]!);
  return xs.map((x, i) => ({ group: x.group, score: chosen.has(i) ? 1 : 0, extracted: chosen.has(i), gold: x.relation === 1 }));
}

/** Candidates scored by a model's class probabilities [n × 2]: P(hypernym), extracted when it wins. */
const probabilityScores = (xs: readonly RelationExample[], probs: Float32Array): CandidateScore[] =>
  xs.map((x, i) => ({
    group: x.group ?? x.head,
    score: probs[2 * i + 1]!,
    extracted: probs[2 * i + 1]! > probs[2 * i]!,
    gold: x.relation === 1,
  }));

export interface HypernymScores {
  model: ExtractionScores;
  /** The first noun of the gloss that WordNet knows (Chodorow et al. 1985). */
  genus: ExtractionScores;
  /** The same, passing over empty heads ("a member of …", "a kind of …"). */
  genusEmptyHeads: ExtractionScores;
  /** None extracted; P@1 of a uniform random pick. */
  majority: ExtractionScores;
  bagOfWords?: ExtractionScores;
}

/** The hypernym-extraction scores of a model's probabilities on wordnet-hypernyms examples, beside the baselines'. */
export function hypernymScores(xs: readonly HypernymExample[], probs: Float32Array, bowProbs?: Float32Array): HypernymScores {
  return {
    model: extractionScores(probabilityScores(xs, probs)),
    genus: extractionScores(genusScores(xs)),
    genusEmptyHeads: extractionScores(genusScores(xs, true)),
    majority: extractionScores(xs.map((x) => ({ group: x.group, score: 0, extracted: false, gold: x.relation === 1 }))),
    ...(bowProbs ? { bagOfWords: extractionScores(probabilityScores(xs, bowProbs)) } : {}),
  };
}

export const formatExtraction = (s: ExtractionScores) =>
  `P ${s.precision.toFixed(1)}, R ${s.recall.toFixed(1)}, F1 ${s.f1.toFixed(1)}, P@1 ${s.p1.toFixed(1)}`;

/** The `n` most confident extracted hypernym pairs of held-out synsets, for the drawn graph. */
export function topHypernyms(xs: readonly HypernymExample[], probs: Float32Array, n: number): DrawnTriple[] {
  return probabilityScores(xs, probs)
    .map((c, i) => ({ c, x: xs[i]! }))
    .filter(({ c }) => c.extracted)
    .sort((a, b) => b.c.score - a.c.score)
    .slice(0, n)
    .map(({ c, x }) => ({ head: x.head, relation: "hypernym", tail: x.lemma.replace(/_/g, " "), confidence: c.score, correct: c.gold }));
}

/** The candidates of the built-in set's `split` (built once into the cache). */
export async function loadHypernyms(split: Split, dir = WORDNET_DIR): Promise<HypernymExample[]> {
  return cachedSplit({ folder: "relations", name: `${HYPERNYM_DATA}.v1`, op: OP }, split, () => buildHypernyms(dir));
}
