import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { compressModelDir } from "../../../src/learn/compress/runner.js";
import { candidates, packageRelations, pairsOf, RELATIONS, sentences } from "../../../src/text/relations/debian-relations.js";
import { triplesSvg } from "../../../src/text/relations/graph-svg.js";
import { findMention, markEntities, parseInlineMentions } from "../../../src/text/relations/markers.js";
import { macroF1, precisionAt, rankTriples, relationScores } from "../../../src/text/relations/metrics.js";
import { type RelationPrediction, relationExtraction } from "../../../src/text/tasks/relation-extraction.js";

const dir = mkdtempSync(join(tmpdir(), "fl-relext-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("entity markers", () => {
  test("wrap the head before the sentence and the tail in place, within a word window", () => {
    const text = "Ack uses perl regular expressions.";
    const m = markEntities({ head: "ack", text, start: 9, end: 13 });
    assert.deepEqual(m.tokens, ["[E1]", "ack", "[/E1]", ":", "ack", "uses", "[E2]", "perl", "[/E2]", "regular", "expressions", "."]);
    assert.equal(m.tokens[m.e1], "[E1]");
    assert.equal(m.e2, 6);
    const w = markEntities({ head: "ack", text, start: 9, end: 13 }, 1);
    assert.deepEqual(w.tokens, ["[E1]", "ack", "[/E1]", ":", "uses", "[E2]", "perl", "[/E2]", "regular"]);
    assert.equal(w.e2, 5);
    assert.throws(() => markEntities({ head: "a", text, start: 30, end: 40 }), /tail span \[30, 40\)/);
  });

  test("find whole-word package mentions only", () => {
    assert.equal(findMention("uses python3-numpy and python3.", "python3"), 23);
    assert.equal(findMention("Java is not ava", "ava"), 12);
    assert.equal(findMention("see libfoo.so.1", "libfoo"), -1);
    assert.equal(findMention("nothing here", "perl"), -1);
  });

  test("read [[head]] … [[tail]] inline marks", () => {
    const p = parseInlineMentions("[[ack]] is a grep-like tool written in [[perl]].");
    assert.ok(p);
    assert.equal(p.head, "ack");
    assert.equal(p.tail, "perl");
    assert.equal(p.mention.text, "ack is a grep-like tool written in perl.");
    assert.equal(p.mention.text.slice(p.mention.start, p.mention.end), "perl");
    assert.equal(parseInlineMentions("only [[one]] mark"), null);
  });
});

describe("held-out metrics", () => {
  // Hand-computed: triples ranked 2 (Suggests 0.8, wrong), 0 (Depends 0.7, right), 3 (Provides 0.5, right), 1 (Recommends 0.3, wrong).
  const pairs = [
    { probs: [0.1, 0.7, 0.1, 0.1, 0, 0], gold: 1 },
    { probs: [0.6, 0.1, 0.3, 0, 0, 0], gold: 0 },
    { probs: [0.2, 0, 0, 0.8, 0, 0], gold: 2 },
    { probs: [0.5, 0, 0, 0, 0.5, 0], gold: 4 },
  ];
  test("precision@N of ranked triples", () => {
    const ranked = rankTriples(pairs);
    assert.deepEqual(
      ranked.map((t) => [t.pair, t.relation, t.correct]),
      [
        [2, 3, false],
        [0, 1, true],
        [3, 4, true],
        [1, 2, false],
      ],
    );
    assert.equal(precisionAt(ranked, 1), 0);
    assert.equal(precisionAt(ranked, 2), 0.5);
    assert.equal(precisionAt(ranked, 3), 2 / 3);
    assert.equal(precisionAt(ranked, 100), 0.5);
    assert.ok(Number.isNaN(precisionAt([], 5)));
    assert.throws(() => precisionAt(ranked, 0), /N must be a positive integer/);
  });
  test("macro-F1 over the relations, none excluded (scikit-learn's f1_score(labels=[1..4], average='macro'))", () => {
    // argmax: [1, 0, 3, 0] (the 0.5/0.5 tie goes to none); gold [1, 0, 2, 4]: F1 1, 0, 0, 0; Replaces unseen.
    const f = macroF1([1, 0, 3, 0], [1, 0, 2, 4], [1, 2, 3, 4, 5]);
    assert.deepEqual(f.perClass.slice(0, 4), [1, 0, 0, 0]);
    assert.ok(Number.isNaN(f.perClass[4]!));
    assert.equal(f.macroF1, 0.25);
    const s = relationScores(pairs, RELATIONS);
    assert.equal(s.p100, 50);
    assert.equal(s.macroF1, 25);
    assert.equal(s.related, 3);
  });
});

describe("distant supervision from the Packages index", () => {
  const index = [
    "Package: ack\nDepends: perl:any, libfile-next-perl (>= 1.18)\nSuggests: vim | emacs\nDescription: grep-like tool\n",
    "Package: foo\nProvides: bar\nReplaces: oldfoo (<< 2)\nPre-Depends: dpkg\nDepends: dpkg\nRecommends: perl\n",
  ].join("\n");
  test("relations per package, the first of Depends … Replaces winning; relation-field names are mentions", () => {
    const { relations, names } = packageRelations([index]);
    assert.deepEqual(
      [...relations.get("ack")!],
      [
        ["perl", 1],
        ["libfile-next-perl", 1],
        ["vim", 3],
        ["emacs", 3],
      ],
    );
    assert.deepEqual([...relations.get("foo")!].sort(), [
      ["bar", 4],
      ["dpkg", 1],
      ["oldfoo", 5],
      ["perl", 2],
    ]);
    assert.ok(names.has("bar") && names.has("ack"));
  });
  test("candidates are whole-word names in sentences, labelled by the head's relations, none otherwise", () => {
    const { relations, names } = packageRelations([index]);
    assert.deepEqual(sentences("Ack uses perl. It is fast! (See vim.)"), ["Ack uses perl.", "It is fast!", "(See vim.)"]);
    const xs = candidates("ack", ["Ack is written in perl, unlike foo. Use ack from vim or Perl."], names, relations.get("ack"));
    assert.deepEqual(
      xs.map((x) => [x.tail, RELATIONS[x.relation], x.text.slice(x.at, x.at + x.tail.length)]),
      [
        ["perl", "Depends", "perl"],
        ["foo", "none", "foo"],
        ["vim", "Suggests", "vim"],
      ],
    );
    assert.deepEqual(
      pairsOf([...xs, xs[0]!]).map((p) => [p.tail, p.examples]),
      [
        ["perl", [0, 3]],
        ["foo", [1]],
        ["vim", [2]],
      ],
    );
  });
  test("the drawn graph escapes names and draws one line per triple", () => {
    const svg = triplesSvg([
      { head: "a<b", relation: "Depends", tail: "perl", confidence: 0.9, correct: true },
      { head: "a<b", relation: "Suggests", tail: "vim", confidence: 0.4, correct: false },
    ]);
    assert.equal(svg.match(/<line /g)?.length, 2);
    assert.ok(svg.includes("a&lt;b") && svg.includes("stroke-dasharray"));
  });
});

describe("relation-extraction", () => {
  /** 180 marked sentences of three patterns (Depends, Suggests, none) as a JSONL file. */
  function tinySet(): string {
    const tails = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
    const patterns: [string, string][] = [
      ["Depends", "This tool needs the {} library at run time."],
      ["Suggests", "Optionally, {} can be used to view the output."],
      ["none", "It is unrelated to {} in any way."],
    ];
    const rows = Array.from({ length: 180 }, (_, i) => {
      const [relation, pattern] = patterns[i % 3]!;
      const tail = tails[(i * 7) % 6]!;
      const filler = ["", "It is small. ", "It is small, free and fast. "][Math.floor(i / 3) % 3];
      return { head: `pkg${i}`, tail, text: filler + pattern.replace("{}", tail), relation };
    });
    const data = join(dir, "rel.jsonl");
    writeFileSync(data, rows.map((r) => JSON.stringify(r)).join("\n"));
    return data;
  }

  test("trains on a tiny set, beats the majority class, evaluates and predicts (inline marks and --head/--tail)", async () => {
    const data = tinySet();
    const out = join(dir, "m");
    const r = await relationExtraction.train({
      data,
      out,
      epochs: 6,
      batchSize: 16,
      lr: 3e-3,
      seed: 0,
      dModel: 32,
      layers: 1,
      noneRatio: 3,
    });
    assert.equal(r.history.epochs.length, 6);
    const m = (await relationExtraction.evaluate(out, data)) as { model: { macroF1: number; p100: number }; majority: { macroF1: number } };
    assert.ok(m.model.macroF1 > 90, `macro-F1 ${m.model.macroF1}`);
    assert.ok(m.model.macroF1 > m.majority.macroF1 + 50, `majority macro-F1 ${m.majority.macroF1}`);
    const [inline, flags] = (await relationExtraction
      .predict(out, ["About [[mytool]]. This tool needs the [[alpha]] library at run time."])
      .then(async (a) => [
        ...a,
        ...(await relationExtraction.predict(out, ["Optionally, bravo can be used to view the output."], {
          head: "mytool",
          tail: "bravo",
        })),
      ])) as RelationPrediction[];
    assert.equal(inline!.relation, "Depends");
    assert.equal(inline!.head, "mytool");
    assert.equal(flags!.relation, "Suggests");
    assert.ok(flags!.probability > 0.5 && Math.abs(Object.values(flags!.probabilities).reduce((a, b) => a + b, 0) - 1) < 1e-5);
    await assert.rejects(relationExtraction.predict(out, ["no marks"]), /input 1 must mark two entities/);
    await assert.rejects(relationExtraction.predict(out, ["golf"], { head: "x", tail: "nope" }), /the tail "nope" is not a word/);
  });

  test("compress prunes, runs int8 and distils the entity-marker Transformer; train reports macro-F1 for tune", async () => {
    const data = tinySet();
    const base = join(dir, "cmp-base");
    const r = await relationExtraction.train({ data, out: base, epochs: 3, batchSize: 16, lr: 3e-3, seed: 0, dModel: 32, layers: 1 });
    assert.equal(typeof r.metrics.macroF1, "number", "the best validation macro-F1 at the top level");
    const results = await compressModelDir(relationExtraction, {
      dir: base,
      out: join(dir, "cmp"),
      data,
      prune: [0.5],
      quantize: "int8",
      distillTo: "transformer:dModel=16",
      distillEpochs: 2,
      batchSize: 16,
    });
    assert.deepEqual(
      results.map((v) => v.variant),
      ["baseline", "pruned-50", "int8", "pruned-50+int8", "student-transformer-dModel-16", "student-transformer-dModel-16+int8"],
    );
    for (const v of results) {
      assert.equal(v.metric, "macroF1");
      assert.ok(v.value >= 0 && v.value <= 1, `${v.variant}: macro-F1 ${v.value} read as a fraction`);
    }
    assert.ok(
      results[4]!.parameters < results[0]!.parameters,
      `the student is smaller: ${results[4]!.parameters} against ${results[0]!.parameters}`,
    );
  });
});
