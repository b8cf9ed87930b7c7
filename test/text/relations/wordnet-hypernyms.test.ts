import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as fl from "flambeau";
import { extractionScores } from "../../../src/text/relations/metrics.js";
import {
  buildHypernyms,
  definitionOf,
  genusScores,
  type HypernymExample,
  hypernymCandidates,
  hypernymLemmas,
  hypernymSplit,
  morphyNoun,
  type NounLexicon,
  type NounSynset,
  nounMentions,
  parseExceptions,
  parseIndex,
  parseSynsetLine,
  WORDNET_DIR,
} from "../../../src/text/relations/wordnet-hypernyms.js";
import { type RelationPrediction, relationExtraction } from "../../../src/text/tasks/relation-extraction.js";

fl.setNumThreads(1);
const dir = mkdtempSync(join(tmpdir(), "fl-wnhyp-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const noWordNet = !existsSync(join(WORDNET_DIR, "data.noun")) && "Debian's wordnet-base is not installed";

// Real lines of WordNet 3.0's data.noun (the dog line's pointers cut after the first four).
const DOG =
  '02084071 05 n 03 dog 0 domestic_dog 0 Canis_familiaris 0 004 @ 02083346 n 0000 @ 01317541 n 0000 #m 02083863 n 0000 ~ 01322604 n 0000 | a member of the genus Canis (probably descended from the common wolf) that has been domesticated by man since prehistoric times; occurs in many breeds; "the dog barked all night"  ';
const HEGIRA =
  "00060548 04 n 02 Hegira 1 Hejira 1 001 @i 00058743 n 0000 | the flight of Muhammad from Mecca to Medina in 622 which marked the beginning of the Muslim era; the Muslim calendar begins in that year  ";

describe("wndb parsing", () => {
  test("synset lines: offset, words, @ and @i hypernyms, gloss; the licence header is skipped", () => {
    const dog = parseSynsetLine(DOG)!;
    assert.equal(dog.offset, "02084071");
    assert.deepEqual(dog.words, ["dog", "domestic_dog", "Canis_familiaris"]);
    assert.deepEqual(dog.hypernyms, ["02083346", "01317541"]);
    assert.ok(dog.gloss.startsWith("a member of the genus Canis"));
    assert.equal(
      definitionOf(dog.gloss),
      "a member of the genus Canis (probably descended from the common wolf) that has been domesticated by man since prehistoric times",
    );
    const hegira = parseSynsetLine(HEGIRA)!;
    assert.deepEqual(hegira.words, ["Hegira", "Hejira"]);
    assert.deepEqual(hegira.hypernyms, ["00058743"], "an instance hypernym (@i)");
    assert.equal(parseSynsetLine("  1 This software and database is being provided to you"), null);
    assert.equal(parseSynsetLine(""), null);
    assert.throws(() => parseSynsetLine("dog n 7 5 @ ~"), /not a wndb synset line/);
    assert.equal(definitionOf('"an example only"'), "");
  });

  test("index and exception files; morphy's noun rules", () => {
    const nouns = parseIndex(
      "dog n 7 5 @ ~ #m #p %p 7 1 02084071 10114209 10023039 09886220 07676602 03901548 02710044  \nbox n 10 4 @ ~ 10 2 1 2 3 4 5 6 7 8 9 10\n",
    );
    assert.deepEqual(
      [...nouns],
      [
        ["dog", 7],
        ["box", 10],
      ],
    );
    const lex: NounLexicon = {
      nouns: new Map([...nouns, ["goose", 2], ["woman", 1], ["berry", 1]]),
      exceptions: parseExceptions("geese goose\nmice mouse\n"),
    };
    assert.equal(morphyNoun("dogs", lex), "dog");
    assert.equal(morphyNoun("boxes", lex), "box");
    assert.equal(morphyNoun("geese", lex), "goose");
    assert.equal(morphyNoun("women", lex), "woman");
    assert.equal(morphyNoun("berries", lex), "berry");
    assert.equal(morphyNoun("mice", lex), null, "noun.exc's base must itself be a noun");
    assert.equal(morphyNoun("cats", lex), null);
  });

  test("noun mentions: longest multi-word lemma, then its head; function words and unknown words skipped", () => {
    const lex: NounLexicon = {
      nouns: new Map(["fissiped_mammal", "mammal", "claw", "muzzle", "a", "in", "long"].map((w) => [w, 1])),
      exceptions: new Map(),
    };
    const text = "any of various fissiped mammals with nonretractile claws and typically long muzzles";
    const ms = nounMentions(text, lex);
    assert.deepEqual(
      ms.map((m) => [m.lemma, m.surface, m.start]),
      [
        ["fissiped_mammal", "fissiped mammals", 15],
        ["mammal", "mammals", 24],
        ["claw", "claws", 51],
        ["long", "long", 71],
        ["muzzle", "muzzles", 76],
      ],
    );
    for (const m of ms) assert.equal(text.slice(m.start, m.end), m.surface);
  });
});

describe("genus-term baselines and extraction scores (hand-computed)", () => {
  const ex = (group: string, text: string, tail: string, relation: number): HypernymExample => ({
    head: group,
    tail,
    text,
    at: text.indexOf(tail),
    relation,
    group,
    lemma: tail,
  });
  const A = "a member of the carnivore family like a wolf";
  const B = "a tree with broad leaf";
  const C = "a thing in a place";
  const xs = [
    ex("A", A, "member", 0),
    ex("A", A, "carnivore", 1),
    ex("A", A, "wolf", 0),
    ex("B", B, "tree", 1),
    ex("B", B, "leaf", 0),
    ex("C", C, "thing", 0),
    ex("C", C, "place", 0),
  ];
  test("the first noun; past empty heads; majority", () => {
    // Genus: member (wrong), tree (right), thing (wrong): P 1/3, R 1/2, F1 2/5, P@1 over A and B 1/2.
    const g = extractionScores(genusScores(xs));
    assert.deepEqual([g.synsets, g.answerable, g.goldPairs, g.extracted], [3, 2, 2, 3]);
    assert.ok(Math.abs(g.precision - 100 / 3) < 1e-9);
    assert.equal(g.recall, 50);
    assert.equal(g.f1, 40);
    assert.equal(g.p1, 50);
    // Past "member of": carnivore (right), tree (right), thing (wrong): P 2/3, R 1, F1 4/5, P@1 1.
    const e = extractionScores(genusScores(xs, true));
    assert.ok(Math.abs(e.precision - 200 / 3) < 1e-9);
    assert.equal(e.recall, 100);
    assert.equal(e.f1, 80);
    assert.equal(e.p1, 100);
    // Majority (none): nothing extracted; a constant score's P@1 is a random pick's: (1/3 + 1/2) / 2.
    const m = extractionScores(xs.map((x) => ({ group: x.group, score: 0, extracted: false, gold: x.relation === 1 })));
    assert.ok(Number.isNaN(m.precision));
    assert.equal(m.recall, 0);
    assert.equal(m.f1, 0);
    assert.ok(Math.abs(m.p1 - (100 * 5) / 12) < 1e-9);
  });
});

describe("wordnet-hypernyms from this machine's WordNet 3.0", { skip: noWordNet }, () => {
  let synsets: Map<string, NounSynset>;
  let lex: NounLexicon;
  let all: ReturnType<typeof buildHypernyms>;
  before(() => {
    all = buildHypernyms();
    synsets = new Map();
    for (const line of readFileSync(join(WORDNET_DIR, "data.noun"), "latin1").split("\n")) {
      const s = parseSynsetLine(line);
      if (s) synsets.set(s.offset, s);
    }
    lex = {
      nouns: parseIndex(readFileSync(join(WORDNET_DIR, "index.noun"), "latin1")),
      exceptions: parseExceptions(readFileSync(join(WORDNET_DIR, "noun.exc"), "latin1")),
    };
  });

  test("dog.n.01: hypernyms canine and domestic animal; its gloss names neither, so every candidate is none", () => {
    const dog = synsets.get("02084071")!;
    const gold = hypernymLemmas(dog, synsets);
    assert.deepEqual([...gold].sort(), ["canid", "canine", "domestic_animal", "domesticated_animal"]);
    const xs = hypernymCandidates(dog, synsets, lex);
    assert.deepEqual(
      xs.map((x) => x.lemma),
      ["member", "genus_canis", "canis", "common", "wolf", "man", "times"],
    );
    assert.ok(xs.every((x) => x.relation === 0 && x.head === "dog" && x.group === "02084071"));
    assert.equal(xs[1]!.text.slice(xs[1]!.at, xs[1]!.at + xs[1]!.tail.length), "genus Canis");
  });

  test("domestic_animal.n.01: 'any of various animals …' names its hypernym animal", () => {
    const xs = hypernymCandidates(synsets.get("01317541")!, synsets, lex);
    assert.equal(xs[0]!.head, "domestic animal");
    assert.deepEqual(
      xs.map((x) => [x.lemma, x.relation]),
      [
        ["animal", 1],
        ["fit", 0],
        ["human", 0],
        ["environment", 0],
      ],
    );
    const hegira = hypernymCandidates(synsets.get("00060548")!, synsets, lex);
    assert.deepEqual(hegira[0] && [hegira[0].lemma, hegira[0].relation], ["flight", 1], "an instance hypernym labels too");
  });

  test("the split is by synset: no synset in two splits, about 90/5/5", () => {
    const where = new Map<string, string>();
    for (const s of ["train", "val", "test"] as const)
      for (const x of all[s]) {
        assert.equal(where.get(x.group) ?? s, s, `synset ${x.group} in ${where.get(x.group)} and ${s}`);
        where.set(x.group, s);
        assert.equal(hypernymSplit(x.group), s);
      }
    const n = { train: 0, val: 0, test: 0 };
    for (const s of where.values()) n[s as keyof typeof n]++;
    const total = n.train + n.val + n.test;
    assert.ok(total > 70000, `${total} synsets with candidates`);
    assert.ok(Math.abs(n.train / total - 0.9) < 0.01 && Math.abs(n.test / total - 0.05) < 0.01, JSON.stringify(n));
  });

  test("a missing WordNet is an error naming the path and the Debian package", () => {
    assert.throws(
      () => buildHypernyms(join(dir, "nowhere")),
      (e: Error) => {
        assert.match(e.message, /nowhere\/index\.noun/);
        assert.match(e.message, /apt-get install wordnet-base/);
        return true;
      },
    );
  });

  test("trains through the task in seconds; held-out baselines match; evaluates, draws and predicts", async () => {
    process.env.FLAMBEAU_CACHE = join(dir, "cache");
    const out = join(dir, "m");
    const r = await relationExtraction.train({
      data: "wordnet-hypernyms",
      out,
      epochs: 2,
      limit: 1500,
      batchSize: 32,
      lr: 3e-3,
      seed: 0,
      dModel: 32,
      layers: 1,
      noneRatio: 6,
    });
    assert.equal(r.history.epochs.length, 2);
    type H = { model: { synsets: number; p1: number; extracted: number }; genus: { p1: number; f1: number }; majority: { p1: number } };
    const h = r.metrics.hypernyms as H;
    // The held-out slice: the first 3,000 test candidates, extended to whole synsets.
    const test = all.test;
    let k = 3000;
    while (test[k]?.group === test[k - 1]!.group) k++;
    const expected = extractionScores(genusScores(test.slice(0, k)));
    assert.equal(h.genus.p1, expected.p1);
    assert.equal(h.genus.f1, expected.f1);
    assert.equal(h.model.synsets, expected.synsets);
    assert.ok(h.model.p1 > h.majority.p1, `model P@1 ${h.model.p1} above a random pick's ${h.majority.p1}`);
    // The drawn graph: one arrow per extracted pair, the 24 most confident.
    const svg = readFileSync(join(out, "hypernyms.svg"), "utf8");
    assert.ok(svg.startsWith("<svg"));
    assert.equal(svg.match(/<line /g)?.length ?? 0, Math.min(24, h.model.extracted));
    const ev = (await relationExtraction.evaluate(out, "wordnet-hypernyms", { limit: 3000 })) as { hypernyms: H };
    assert.equal(ev.hypernyms.genus.p1, expected.p1);
    assert.equal(ev.hypernyms.model.p1, h.model.p1);
    await assert.rejects(
      relationExtraction.evaluate(out, "debian-relations"),
      /classifies none, hypernym but debian-relations is labelled none, Depends/,
    );
    const [p] = (await relationExtraction.predict(out, ["[[dog]] a domesticated [[carnivore]] kept as a pet"])) as RelationPrediction[];
    assert.ok(p!.relation === "none" || p!.relation === "hypernym");
    assert.ok(Math.abs(p!.probabilities.none! + p!.probabilities.hypernym! - 1) < 1e-5);
  });
});
