import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { packageDescriptions, sotuHeldOut, sotuPassages } from "../../../src/text/topics/corpora.js";

describe("topic-model data sets (real data)", () => {
  test("ddtp-descriptions: one long description per package, split by package", async () => {
    const train = await packageDescriptions("train");
    const test = await packageDescriptions("test");
    // bookworm's Translation-en: 55,637 training and 3,126 held-out descriptions (5 % of packages).
    assert.ok(train.texts.length > 50_000 && train.texts.length < 60_000, `${train.texts.length} training descriptions`);
    assert.ok(test.texts.length > 2_500 && test.texts.length < 3_500, `${test.texts.length} held-out descriptions`);
    const trainPackages = new Set(train.groups);
    const overlap = test.groups!.filter((g) => trainPackages.has(g));
    assert.deepEqual(overlap, []);
    const i = train.groups!.indexOf("2ping");
    const j = test.groups!.indexOf("2ping");
    assert.ok(i >= 0 || j >= 0, "the 2ping package is in one split");
    const text = i >= 0 ? train.texts[i]! : test.texts[j]!;
    assert.match(text, /^2ping is a bi-directional ping utility\./);
    const words = train.texts.reduce((n, t) => n + t.split(/\s+/).length, 0) / train.texts.length;
    assert.ok(words > 40 && words < 80, `${words.toFixed(1)} words a description`);
  });

  test("sotu: ~150-word passages with their year; the years ending in 5 held out", () => {
    const train = sotuPassages("train");
    const test = sotuPassages("test");
    const trainYears = new Set(train.years);
    const testYears = new Set(test.years);
    // 233 addresses, 1790–2021; 1790, 1795, …, 2015 held out: 23 addresses.
    assert.equal(new Set(test.groups).size, 23);
    assert.equal(new Set(train.groups).size, 210);
    assert.deepEqual(
      [...testYears].filter((y) => trainYears.has(y)),
      [],
    );
    assert.ok([...testYears].every(sotuHeldOut));
    assert.equal(Math.min(...train.years!), 1790);
    assert.equal(Math.max(...train.years!), 2021);
    assert.equal(Math.min(...test.years!), 1795);
    assert.equal(Math.max(...test.years!), 2015);
    assert.equal(train.texts.length, train.years!.length);
    assert.ok(train.texts.length > 9_000 && train.texts.length < 12_000, `${train.texts.length} training passages`);
    assert.ok(test.texts.length > 800 && test.texts.length < 1_500, `${test.texts.length} held-out passages`);
    const words = train.texts.map((t) => t.split(/\s+/).length).sort((a, b) => a - b);
    const median = words[words.length >> 1]!;
    assert.ok(median >= 150 && median < 200, `median passage ${median} words`);
    // Washington's first annual message opens the first passage.
    assert.match(train.texts[0]!, /^Fellow-Citizens of the Senate and House of Representatives/);
  });
});
