// Zero-shot learning at a tiny budget: CLIP's loss against PyTorch
// (scripts/fixtures/zero_shot_clip_loss.py printed the references), the name features and
// the baseline's string similarity by hand, and a dual encoder trained briefly on the glyphs
// that names held-out characters better than chance, through the CLI. The pipeline, not the
// README's figure.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";
import sharp from "sharp";

const { zeroShot } = fl.learn;
const tmp = mkdtempSync(join(tmpdir(), "fl-zero-shot-"));
process.env.FLAMBEAU_CACHE = join(tmp, "cache");
after(() => rmSync(tmp, { recursive: true, force: true }));
const CLI = fileURLToPath(new URL("../../../bin/flambeau.js", import.meta.url));

const near = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

test("clipLoss: the symmetric InfoNCE value and gradients match PyTorch", () => {
  const img = new fl.nn.Parameter(
    fl.tensor([
      [0.3, -1.2, 0.5],
      [1.0, 0.2, -0.4],
      [-0.7, 0.9, 0.1],
      [0.2, 0.2, 1.5],
    ]),
  );
  const txt = new fl.nn.Parameter(
    fl.tensor([
      [0.1, -0.8, 0.9],
      [1.3, -0.1, 0.0],
      [-0.2, 1.1, -0.5],
      [0.4, -0.3, 1.0],
    ]),
  );
  const scale = new fl.nn.Parameter(fl.tensor(1.2));
  const unit = (x: fl.Tensor) => x.div(x.norm(2, { dim: 1, keepdim: true }));
  const loss = zeroShot.clipLoss(unit(img), unit(txt), scale);
  loss.backward();
  near(loss.item(), 0.2818118929862976, 1e-5, "loss");
  near(scale.grad!.item(), -0.3481583893299103, 1e-5, "d/dscale");
  const dimg = [
    [0.12112405896186829, 0.03982509300112724, 0.02290579490363598],
    [-0.02946700155735016, 0.07803810387849808, -0.03464849293231964],
    [-0.0180283784866333, -0.019514765590429306, 0.04943428561091423],
    [-0.017584754154086113, -0.04276397079229355, 0.008046504110097885],
  ];
  const dtxt = [
    [-0.015400642529129982, 0.19364988803863525, 0.17384442687034607],
    [-0.005502581596374512, -0.07153362035751343, 0.09475040435791016],
    [0.09257864952087402, 0.0013156458735466003, -0.03413703292608261],
    [0.06348265707492828, -0.2413090318441391, -0.09778578579425812],
  ];
  (img.grad!.toArray() as number[][]).forEach((r, i) => r.forEach((v, j) => near(v, dimg[i]![j]!, 1e-5, `dimg[${i}][${j}]`)));
  (txt.grad!.toArray() as number[][]).forEach((r, i) => r.forEach((v, j) => near(v, dtxt[i]![j]!, 1e-5, `dtxt[${i}][${j}]`)));
  // The learnt scale is clipped at ln 100, as CLIP's: beyond it the loss stops depending on it.
  const big = new fl.nn.Parameter(fl.tensor(9));
  zeroShot.clipLoss(unit(img), unit(txt), big).backward();
  assert.equal(big.grad!.item(), 0);
  assert.throws(() => zeroShot.clipLoss(unit(img), unit(txt).narrow(0, 0, 3), scale), /must both be \[B, D\]/);
});

test("names: script words dropped, hashed features, trigram cosine by hand", () => {
  assert.equal(zeroShot.stripScript("GREEK CAPITAL LETTER ALPHA", "Greek"), "CAPITAL LETTER ALPHA");
  assert.equal(zeroShot.stripScript("KAYAH LI LETTER KA", "Kayah_Li"), "LETTER KA");
  assert.deepEqual(zeroShot.nameFeatures("KA"), ["w:KA", "t:#KA", "t:KA#"]);
  // ALFA and ALPHA share #AL and of 4 and 5 trigrams: 1/√20.
  near(zeroShot.trigramCosine("ALFA", "ALPHA"), 1 / Math.sqrt(20), 1e-12, "ALFA·ALPHA");
  near(zeroShot.trigramCosine("KA", "KA"), 1, 1e-12, "KA·KA");
  assert.equal(zeroShot.trigramCosine("KA", "O"), 0);
  const ids = zeroShot.nameIds(["LETTER KA", "KA"], 4096, 10);
  assert.deepEqual(ids.shape, [2, 10]);
  const rows = ids.toArray() as number[][];
  assert.deepEqual(rows[0]!.slice(7), rows[1]!.slice(0, 3), "the same word hashes the same");
  assert.deepEqual(rows[1]!.slice(3), [0, 0, 0, 0, 0, 0, 0], "padding is 0");
  assert.ok(rows.flat().every((v) => v >= 0 && v <= 4096));
  assert.throws(() => zeroShot.nameIds([" "], 4096, 10), /has no words/);
});

// Greek is held out (seed 0) and Cyrillic and Latin train: 12 characters each, 4 drawings.
const SPEC = "glyphs:scripts=Cyrillic+Greek+Latin,samples=4,maxCharacters=12";

test("a dual encoder trained briefly names its training characters above chance; held-out scoring runs with both baselines", async () => {
  fl.manualSeed(0);
  const data = await zeroShot.loadZeroShotData(SPEC);
  assert.deepEqual(
    data.evaluation.map((a) => a.name),
    ["Greek"],
  );
  assert.ok(data.evaluation[0]!.stripped.every((n) => !n.includes("GREEK")));
  const m = new zeroShot.GlyphNameEncoder();
  const opt = new fl.optim.Adam(m.parameters(), { lr: 3e-3 });
  for (const b of zeroShot.nameBatches(data, 12, 40, 0))
    fl.tidy(() => {
      const loss = m.loss(b.images, b.names);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
  // The pipeline learns: the characters it trained on are named far above chance (1/5) ...
  const seen = zeroShot.zeroShotAccuracy(zeroShot.zeroShotScores(m, { ...data, evaluation: data.background }), 5, {
    episodes: 100,
    queries: 2,
  });
  assert.ok(seen.accuracy - seen.ci95 > 0.4, `5-way on training characters ${seen.accuracy} ± ${seen.ci95}`);
  near(seen.chance, 0.2, 1e-12, "chance");
  // ... and the held-out alphabet is scored (the figure's numbers need the full set and budget).
  const scores = zeroShot.zeroShotScores(m, data);
  const all = zeroShot.zeroShotAccuracy(scores, "all");
  assert.equal(all.episodes, 1);
  near(all.chance, 1 / 12, 1e-12, "chance over the alphabet");
  assert.ok(all.accuracy >= 0 && all.accuracy <= 1 && all.baseline.accuracy >= 0 && all.baseline.accuracy <= 1);
  assert.throws(
    () => zeroShot.zeroShotAccuracy(scores, 13),
    /13-way needs an alphabet of 13\+ characters; the largest held-out one has 12/,
  );
});

test("CLI: train and predict against a names file; eval --ways 5,all; bad inputs are clear errors", async () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: process.env, timeout: 300_000 });
  const out = join(tmp, "cli-model");
  const t = run("train", "zero-shot", "--data", SPEC, "--steps", "3", "--epochs", "1", "--batch-size", "8", "--out", out, "--json");
  assert.equal(t.status, 0, t.stderr);
  // eval in-process: the task function the CLI's eval calls (a CLI start costs seconds of CPU).
  const task = fl.tasks.TASKS["zero-shot"];
  const r = (await task.evaluate(out, SPEC, { ways: "5,all", testEpisodes: 10 })) as {
    results: fl.learn.zeroShot.ZeroShotScore[];
    perAlphabet: { alphabet: string; characters: number; accuracy: number; baseline: number; chance: number }[];
  };
  assert.deepEqual(
    r.results.map((x) => [x.ways, x.episodes]),
    [
      [5, 10],
      ["all", 1],
    ],
  );
  // One held-out alphabet: its own row is the "all" episode.
  assert.equal(r.perAlphabet.length, 1);
  const all = r.results[1]!;
  assert.equal(r.perAlphabet[0]!.accuracy, all.accuracy);
  assert.equal(r.perAlphabet[0]!.baseline, all.baseline.accuracy);
  assert.equal(r.perAlphabet[0]!.chance, 1 / r.perAlphabet[0]!.characters);
  // A held-out glyph, black on white as a scan, against three Greek names.
  const set = await fl.learn.fewShot.loadGlyphSet({ scripts: ["Cyrillic", "Greek", "Latin"], samples: 4, maxCharacters: 12 });
  const k = set.classes.find((c) => c.alphabet === "Greek")!;
  const img = join(tmp, "q.png");
  await sharp(Buffer.from(set.images.subarray(k.first * 784, (k.first + 1) * 784).map((v) => 255 - v)), {
    raw: { width: 28, height: 28, channels: 1 },
  })
    .png()
    .toFile(img);
  const names = join(tmp, "names.txt");
  writeFileSync(names, `${k.description}\nGREEK CAPITAL LETTER OMEGA\nGREEK SMALL LETTER FINAL SIGMA\n`);
  const p = run("predict", out, img, "--names", names, "--script", "Greek", "--json");
  assert.equal(p.status, 0, p.stderr);
  const [pred] = JSON.parse(p.stdout) as { label: string; probability: number }[];
  assert.ok([k.description, "GREEK CAPITAL LETTER OMEGA", "GREEK SMALL LETTER FINAL SIGMA"].includes(pred!.label));
  assert.ok(pred!.probability > 1 / 3 - 1e-6 && pred!.probability <= 1);
  // Bad inputs, in-process too.
  await assert.rejects(task.evaluate(out, SPEC, { ways: "13" }), /13-way needs an alphabet of 13\+ characters/);
  await assert.rejects(task.evaluate(out, SPEC, { ways: "1" }), /--ways takes integers ≥ 2 and "all"/);
  writeFileSync(names, "GREEK CAPITAL LETTER OMEGA\n");
  await assert.rejects(task.predict(out, [img], { names }), /holds 1 name\(s\); give 2 or more/);
  await assert.rejects(task.predict(out, [img], {}), /predict needs --names/);
  await assert.rejects(task.train({ data: tmp, out: join(tmp, "x") }), /--data must be "glyphs"/);
});
