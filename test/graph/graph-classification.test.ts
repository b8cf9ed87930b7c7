// graph-classification / graph-regression: train → eval → predict round trips on a tiny CSV
// (a smoke test of the plumbing, not of accuracy), the registry entries, and bad input.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { MoleculeModel } from "../../src/graph/models/molecule-models.js";
import { moleculeMetrics } from "../../src/graph/molecules/fit.js";
import { GRAPH_TASKS } from "../../src/graph/tasks/index.js";
import { writeMoleculeCsv as csv, MOLECULE_ROWS as ROWS } from "../helpers/molecules.js";

const isFl = (re: RegExp) => (e: Error) => e instanceof fl.FlambeauError && re.test(e.message);
const tmp = () => mkdtempSync(join(tmpdir(), "fl-gc-"));

test("registry: graph-classification and graph-regression with the GIN default and the fingerprint baseline", () => {
  const t = GRAPH_TASKS["graph-classification"];
  assert.equal(t.defaultModel, "gin");
  assert.deepEqual([...t.models], ["gin", "gine", "fp-mlp"]);
  assert.equal(typeof t.demo, "function");
  assert.match(t.dataFormat, /chembl2321810/);
  assert.equal(GRAPH_TASKS["graph-regression"].defaultModel, "gin");
});

test("metrics: ROC-AUC/accuracy and RMSE/MAE/R² by hand", () => {
  const c = moleculeMetrics(
    "classification",
    [
      [0.9, 0.1],
      [0.4, 0.6],
      [0.3, 0.7],
      [0.8, 0.2],
    ],
    [0, 1, 0, 1],
  );
  // positives score 0.6, 0.2; negatives 0.1, 0.7 → pairs won: (0.6>0.1), (0.2>0.1) = 2 of 4.
  assert.equal(c.rocAuc, 0.5);
  assert.equal(c.accuracy, 0.5);
  const r = moleculeMetrics("regression", [[1], [2], [4]], [1, 3, 5]);
  assert.ok(Math.abs(r.rmse! - Math.sqrt(2 / 3)) < 1e-12);
  assert.ok(Math.abs(r.mae! - 2 / 3) < 1e-12);
  // variance of [1,3,5] = 8/3; R² = 1 − (2/3)/(8/3) = 0.75
  assert.ok(Math.abs(r.r2! - 0.75) < 1e-12);
});

test("graph-classification: train (GIN, then fingerprint MLP) → eval → predict on a CSV", async () => {
  const dir = tmp();
  const data = csv(dir, ROWS);
  const t = GRAPH_TASKS["graph-classification"];
  for (const model of ["gin", "fp-mlp"]) {
    const out = join(dir, model);
    const r = await t.train({ data, out, model, epochs: 3, batchSize: 4, seed: 0 });
    assert.ok(Number.isFinite(r.history.epochs[0]!.loss!), "finite loss");
    const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    assert.equal(config.task, "graph-classification");
    assert.deepEqual(config.labels, ["0", "1"]);
    assert.equal(config.preprocessing.mode, "classification");
    // 11 of 16 molecules are acyclic (one empty scaffold): val stays empty, so the split is random.
    assert.equal(config.preprocessing.split, "random");
    const ev = await t.evaluate(out, data);
    // 13/2/1: one test molecule, so ROC-AUC is undefined (NaN), accuracy 0 or 1.
    assert.equal(ev.molecules, 1);
    assert.ok(Number.isNaN(ev.rocAuc));
    assert.ok((ev.accuracy as number) >= 0 && (ev.accuracy as number) <= 1);
    // On another file: every molecule.
    const all = await t.evaluate(out, csv(dir, ROWS, "other.csv"));
    assert.equal(all.molecules, 16);
    assert.equal(all.split, "all molecules");
    assert.ok((all.rocAuc as number) >= 0 && (all.rocAuc as number) <= 1);
    assert.match(ev.split as string, /random test split/);
    const p = (await t.predict(out, ["CCCCO", "c1ccccc1C"])) as { smiles: string; labels: { label: string; probability: number }[] }[];
    assert.equal(p.length, 2);
    assert.equal(p[0]!.smiles, "CCCCO");
    const total = p[0]!.labels.reduce((a, l) => a + l.probability, 0);
    assert.ok(Math.abs(total - 1) < 1e-5);
    assert.match(t.formatPrediction(p[0]), /^[01] \d+\.\d%, [01] \d+\.\d%$/);
    await assert.rejects(t.predict(out, ["C1CC("]), isFl(/graph-classification predict: input 1: malformed SMILES "C1CC\("/));
  }
});

test("graph-regression: numeric labels, RMSE/R², values in the label's units", async () => {
  const dir = tmp();
  // Target = number of heavy atoms: smooth in the features.
  const rows = ROWS.map(([s]) => [s, fl.graph.moleculeFromSmiles(s).atoms.length + 0.5] as [string, number]);
  const data = csv(dir, rows);
  const t = GRAPH_TASKS["graph-regression"];
  const out = join(dir, "reg");
  const r = await t.train({ data, out, model: "gine", epochs: 3, batchSize: 4, seed: 0 });
  assert.ok("rmse" in r.metrics && "r2" in r.metrics);
  const ev = await t.evaluate(out, data);
  assert.ok(Number.isFinite(ev.rmse as number));
  const p = (await t.predict(out, ["CCCCCC"])) as { smiles: string; value: number }[];
  assert.ok(Number.isFinite(p[0]!.value));
  // Standardised training targets are mapped back: a fresh model's predictions sit near the label mean, not near 0.
  assert.ok(p[0]!.value > 0.5 && p[0]!.value < 20, `prediction ${p[0]!.value} in label units`);
  // graph-classification on the same numeric CSV regresses too.
  const r2 = await GRAPH_TASKS["graph-classification"].train({ data, out: join(dir, "auto"), epochs: 1, batchSize: 4 });
  assert.ok("rmse" in r2.metrics);
});

test("bad input: unknown model, --val, malformed rows, labels that are not numbers", async () => {
  const dir = tmp();
  const t = GRAPH_TASKS["graph-classification"];
  const data = csv(dir, ROWS);
  // The runtime checks --model before training (its throw is synchronous, hence the async wrapper).
  await assert.rejects(
    async () => t.train({ data, out: join(dir, "x"), model: "gcn" }),
    isFl(/unknown model "gcn" for graph-classification; models: gin, gine, fp-mlp/),
  );
  await assert.rejects(t.train({ data, out: join(dir, "x"), val: data }), isFl(/--val is not used/));
  const bad = csv(dir, [...ROWS.slice(0, 4), ["CC(C)(C)(C)(C)C", 1]], "bad.csv");
  await assert.rejects(
    t.train({ data: bad, out: join(dir, "x") }),
    isFl(/bad\.csv:6: SMILES "CC\(C\)\(C\)\(C\)\(C\)C": atom valence exceeded/),
  );
  const text = csv(
    dir,
    [
      ["CCO", "1.5"],
      ["CC", "high"],
      ["CCC", "2"],
    ],
    "text.csv",
  );
  await assert.rejects(
    GRAPH_TASKS["graph-regression"].train({ data: text, out: join(dir, "x") }),
    isFl(/text\.csv:3: label "high" of "CC" is not a number/),
  );
  const one = csv(
    dir,
    [
      ["CCO", "a"],
      ["CC", "a"],
      ["CCC", "a"],
    ],
    "one.csv",
  );
  await assert.rejects(t.train({ data: one, out: join(dir, "x") }), isFl(/every molecule has label "a"; need two classes/));
  await assert.rejects(
    t.train({ data: "no-such-set", out: join(dir, "x") }),
    isFl(/"no-such-set" is neither a built-in set \(chembl2321810/),
  );
  assert.throws(
    () => new MoleculeModel({ arch: "gin", inChannels: 3, edgeDim: 5, hidden: 8, outChannels: 2, layers: 0, dropout: 0 }),
    isFl(/layers must be ≥ 1, got 0/),
  );
});
