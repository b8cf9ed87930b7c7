// graph-generation: the metrics against hand values on a few SMILES canonicalised by
// openchemlib, the grammar/valence mask (every string a random walk under it writes is a valid
// molecule), a tiny train → predict → evaluate round trip, and bad options.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { grammarAccepts, SmilesGrammar } from "../../src/graph/generation/grammar.js";
import { generationMetrics, wasserstein1 } from "../../src/graph/generation/metrics.js";
import { checkProperty } from "../../src/graph/generation/properties.js";
import { scoreAll, scoreSmiles } from "../../src/graph/generation/score.js";
import { parseTarget } from "../../src/graph/generation/target.js";
import { SmilesVocabulary, tokenInfo, tokenizeSmiles } from "../../src/graph/generation/tokens.js";
import { parseSmilesOcl } from "../../src/graph/molecules/ocl.js";
import { graphGeneration } from "../../src/graph/tasks/graph-generation.js";

const isFl = (re: RegExp) => (e: Error) => e instanceof fl.FlambeauError && re.test(e.message);
const tokens = (s: string) => tokenizeSmiles(s).map((t) => tokenInfo(t)!);

test("wasserstein1: hand values", () => {
  assert.equal(wasserstein1([0, 1], [1, 0]), 0);
  assert.equal(wasserstein1([0], [2]), 2);
  // CDFs differ by 1/2 on [0, 1] and on [1, 2].
  assert.equal(wasserstein1([0, 2], [1]), 1);
  // A shift moves every unit of mass by the shift.
  assert.ok(Math.abs(wasserstein1([1, 2, 3], [1.5, 2.5, 3.5]) - 0.5) < 1e-12);
  assert.throws(() => wasserstein1([], [1]), isFl(/non-empty/));
});

test("generationMetrics: validity, uniqueness, novelty, hit rate on canonicalised SMILES", () => {
  // OCO and CCO are one molecule written two ways; the pentavalent carbon is invalid.
  const smiles = ["CCO", "OCC", "C1=CC=CC=C1", "C(C)(C)(C)(C)C", "CC(=O)O", null];
  const scored = scoreAll(smiles, "logp");
  assert.deepEqual(
    scored.map((s) => s !== null),
    [true, true, true, false, true, false],
  );
  assert.equal(scored[0]!.key, scored[1]!.key);
  const ethanol = scoreSmiles("CCO", "logp")!;
  const benzene = scoreSmiles("c1ccccc1", "logp")!;
  assert.equal(benzene.key, scored[2]!.key, "aromatic and Kekulé benzene are one molecule");
  // openchemlib's logP: benzene about 2, ethanol and acetic acid below 0.5.
  assert.ok(benzene.value > 1.5 && benzene.value < 2.5, `benzene logP ${benzene.value}`);
  assert.ok(ethanol.value < 0.5 && scored[4]!.value < 0.5);
  const m = generationMetrics(scored, { keys: new Set([ethanol.key]), values: [ethanol.value, benzene.value, 3, 4] }, { lo: 1, hi: 3 });
  assert.equal(m.samples, 6);
  assert.equal(m.validity, 4 / 6);
  assert.equal(m.uniqueness, 3 / 4); // ethanol twice
  assert.equal(m.novelty, 2 / 3); // benzene and acetic acid are not in the training set
  assert.equal(m.hitRate, 1 / 4); // benzene only
  assert.ok(Math.abs(m.meanValue - (2 * ethanol.value + benzene.value + scored[4]!.value) / 4) < 1e-9);
  // In-range training values are benzene's and 3.
  assert.ok(
    Math.abs(m.w1ToTrainingInRange - wasserstein1([ethanol.value, ethanol.value, benzene.value, scored[4]!.value], [benzene.value, 3])) <
      1e-12,
  );
});

test("grammar: accepts Kekulé SMILES, refuses broken grammar and valence", () => {
  for (const s of ["CC(=O)O", "C1CC1", "C1=CC=CC=C1", "CC(C)(C)C", "O=[N+]([O-])C1=CC=CC=C1", "C12CC1C2", "N#CC"])
    assert.ok(grammarAccepts(tokens(s)), s);
  for (const s of ["C(C)(C)(C)(C)C", "C1CC", "CC)", "CC(", "C=1CC#1", "O=O=O", "C1C1", "F(C)C", "(C)", "C="])
    assert.ok(!grammarAccepts(tokens(s)), s);
});

test("grammar: every string a random walk under the mask writes is one valid molecule", () => {
  const vocab = new SmilesVocabulary(["C", "N", "O", "F", "Cl", "S", "[N+]", "[O-]", "(", ")", "=", "#", "1", "2", "3"]);
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let n = 0; n < 150; n++) {
    const g = new SmilesGrammar();
    const out: string[] = [];
    for (let step = 0; step < 200 && !g.ended; step++) {
      const finishing = step >= 30;
      const ok = [undefined, ...vocab.info.slice(3)].filter((t) => g.allows(t) && (!finishing || t === undefined || g.closes(t)));
      const pool = ok.length ? ok : vocab.info.slice(3).filter((t) => g.allows(t) && t.kind === "atom");
      assert.ok(pool.length > 0, `dead end after ${out.join("")}`);
      // Ending is drawn less often than a token, so strings grow rings and branches.
      const toks = pool.filter((x) => x !== undefined);
      const t = pool.includes(undefined) && (toks.length === 0 || rand() < 0.15) ? undefined : toks[Math.floor(rand() * toks.length)];
      g.push(t);
      if (t) out.push(t.text);
    }
    assert.ok(g.ended, `unfinished: ${out.join("")}`);
    const s = out.join("");
    assert.doesNotThrow(() => parseSmilesOcl(s, "walk"), s);
  }
});

test("parseTarget and properties: bad values are FlambeauErrors", () => {
  assert.deepEqual(parseTarget("1:3", "t"), { lo: 1, hi: 3 });
  assert.deepEqual(parseTarget("-2.5:0", "t"), { lo: -2.5, hi: 0 });
  assert.throws(() => parseTarget("3:1", "t"), isFl(/reversed/));
  assert.throws(() => parseTarget("1-3", "t"), isFl(/LO:HI/));
  assert.throws(() => checkProperty("boilingpoint", "t"), isFl(/unknown property "boilingpoint".*logp/));
});

const CSV = [
  "smiles,label",
  ...[
    "CCO",
    "CCCO",
    "CCCCO",
    "CC(C)O",
    "CC(=O)O",
    "CCC(=O)O",
    "C1=CC=CC=C1",
    "CC1=CC=CC=C1",
    "OC1=CC=CC=C1",
    "NC1=CC=CC=C1",
    "CCN",
    "CCCN",
    "CC(C)N",
    "CCOC",
    "CCOCC",
    "C1CCCCC1",
    "CC1CCCCC1",
    "OC1CCCCC1",
    "ClC1=CC=CC=C1",
    "CC(=O)N",
    "CC(=O)OC",
    "CCCCCC",
    "CCCCCCC",
    "CC(C)CC",
    "O=C1CCCCC1",
    "CC#N",
    "CCC#N",
    "C=CC",
    "C=CCC",
    "CC=CC",
    "FC(F)F",
    "CCCl",
    "CCBr",
    "CS",
    "CCS",
    "CSC",
    "CC(=O)C",
    "CCC(=O)C",
    "O=CC1=CC=CC=C1",
    "N#CC1=CC=CC=C1",
  ].map((s, i) => `${s},${i}`),
].join("\n");

test("graph-generation: tiny train → predict → evaluate", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-gen-"));
  const data = join(dir, "mols.csv");
  writeFileSync(data, `${CSV}\n`);
  const out = join(dir, "run");
  const r = await graphGeneration.train({ data, out, epochs: 1, property: "logp", target: "1:3", n: 8, seed: 0 });
  assert.equal(r.dir, out);
  const preds = (await graphGeneration.predict(out, [], { n: 3, target: "0:2" })) as { smiles: string; value: number }[];
  assert.ok(preds.length >= 1 && preds.length <= 3);
  for (const p of preds) {
    assert.doesNotThrow(() => parseSmilesOcl(p.smiles, "predicted"), p.smiles);
    assert.ok(Number.isFinite(p.value));
    assert.match(graphGeneration.formatPrediction(p), /logp -?\d+\.\d\d/);
  }
  const m = (await graphGeneration.evaluate(out, data, { n: 8 })) as Record<string, number>;
  assert.ok(m.validity! >= 0 && m.validity! <= 1);
  assert.equal((m as unknown as { target: string }).target, "1:3");
  assert.ok(m.baseRate! > 0 && m.baseRate! < 1);
  await assert.rejects(graphGeneration.predict(out, ["CCO"], { n: 2 }), isFl(/takes no inputs/));
  await assert.rejects(graphGeneration.predict(out, [], { target: "3:1" }), isFl(/reversed/));
  await assert.rejects(graphGeneration.train({ data, out, property: "colour" }), isFl(/property/));
  await assert.rejects(graphGeneration.train({ data, out, target: "5:2", epochs: 1 }), isFl(/reversed/));
});
