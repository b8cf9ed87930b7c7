// DDTP: parsing apt's Translation indexes, joining languages on Description-md5, splitting by package.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mobyDick } from "../../src/text/datasets/moby-dick.js";
import { parseTranslation, splitOf, summaryPairs, translationPairs } from "../../src/text/seq2seq/ddtp.js";

const EN = `Package: 2ping
Description-md5: aaa
Description-en: Ping utility to determine directional packet loss
 2ping is a bi-directional ping utility.
 It uses 3-way pings.
 .
 Second paragraph.

Package: foo
Description-md5: bbb
Description-en: A foo tool
 Does foo.
`;
const FR = `Package: 2ping
Description-md5: aaa
Description-fr: Utilitaire de ping
 2ping est un outil de ping bidirectionnel.
 Il utilise des pings triples.
 .
 Deuxième paragraphe.

Package: other
Description-md5: ccc
Description-fr: Autre
`;

test("Translation indexes parse into synopsis + paragraphs and join on Description-md5", () => {
  const en = parseTranslation(EN, "en");
  assert.deepEqual(en[0], {
    package: "2ping",
    md5: "aaa",
    synopsis: "Ping utility to determine directional packet loss",
    paragraphs: ["2ping is a bi-directional ping utility. It uses 3-way pings.", "Second paragraph."],
  });
  const pairs = translationPairs(en, parseTranslation(FR, "fr"));
  assert.deepEqual(
    pairs.map((p) => [p.source, p.target]),
    [
      ["Ping utility to determine directional packet loss", "Utilitaire de ping"],
      [
        "2ping is a bi-directional ping utility. It uses 3-way pings.",
        "2ping est un outil de ping bidirectionnel. Il utilise des pings triples.",
      ],
      ["Second paragraph.", "Deuxième paragraphe."],
    ],
  );
  assert.ok(pairs.every((p) => p.group === "2ping"));
  assert.deepEqual(
    pairs.map((p) => p.part),
    ["synopsis", "paragraph", "paragraph"],
  );
  assert.deepEqual(
    summaryPairs(en).map((p) => p.target),
    ["Ping utility to determine directional packet loss", "A foo tool"],
  );
});

test("splits are by package, deterministic, and about 90/5/5", () => {
  const names = Array.from({ length: 4000 }, (_, i) => `pkg-${i}`);
  const counts = { train: 0, val: 0, test: 0 };
  for (const n of names) counts[splitOf(n)]++;
  assert.ok(counts.train > 3500 && counts.val > 120 && counts.test > 120, JSON.stringify(counts));
  assert.equal(splitOf("2ping"), splitOf("2ping"));
});

test("baselines: a Dice dictionary from aligned pairs, word-by-word translation, lead-1", async () => {
  const { learnDictionary, translateWordByWord, firstSentence } = await import("../../src/text/seq2seq/baselines.js");
  const pairs = [
    { source: "the red cat", target: "le chat rouge", group: "a" },
    { source: "the red dog", target: "le chien rouge", group: "b" },
    { source: "a black cat", target: "un chat noir", group: "c" },
    { source: "a black dog", target: "un chien noir", group: "d" },
    { source: "the cat", target: "le chat", group: "e" },
    { source: "the black dog", target: "le chien noir", group: "f" },
  ];
  const d = learnDictionary(pairs);
  assert.deepEqual([d.get("cat"), d.get("dog"), d.get("red"), d.get("black"), d.get("the")], ["chat", "chien", "rouge", "noir", "le"]);
  assert.equal(translateWordByWord(d, "The red dog, 42"), "le rouge chien , 42");
  assert.equal(firstSentence("Tools for X. They do Y. And Z."), "Tools for X.");
  assert.equal(firstSentence("no full stop"), "no full stop");
});

test("Moby-Dick: every tenth chapter is held out, chunks of about 150 words", () => {
  const train = mobyDick("train");
  const heldOut = mobyDick("test");
  assert.ok(train.length > 1000 && heldOut.length > 80, `${train.length} / ${heldOut.length} chunks`);
  assert.ok(train[0]!.startsWith("Call me Ishmael."));
  const words = (t: string) => t.split(/\s+/).length;
  assert.ok(train.every((t) => words(t) >= 50));
  const trainSet = new Set(train);
  assert.ok(heldOut.every((t) => !trainSet.has(t)));
});
