// Few-shot learning on the glyphs set at a tiny budget: the generator is deterministic and
// cached, the rasterizer covers exact areas, episodes have their shapes and bad shapes
// clear errors, MAML's second-order meta-gradient matches finite differences (and differs
// from first order), a briefly trained ProtoNet beats chance on held-out alphabets, and
// the CLI trains, evaluates and predicts. The pipeline, not the README's figures.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as fl from "flambeau";
import sharp from "sharp";
import { fillPolygons } from "../../src/learn/few-shot/raster.js";

const { fewShot } = fl.learn;
const tmp = mkdtempSync(join(tmpdir(), "fl-few-shot-"));
process.env.FLAMBEAU_CACHE = join(tmp, "cache");
after(() => rmSync(tmp, { recursive: true, force: true }));
const CLI = fileURLToPath(new URL("../../../bin/flambeau.js", import.meta.url));
const SCRIPTS = ["Armenian", "Cherokee", "Cyrillic", "Ethiopic", "Georgian", "Greek", "Hebrew", "Thai"];
const SMALL = { scripts: SCRIPTS, samples: 6, maxCharacters: 16 };
const SPEC = `glyphs:scripts=${SCRIPTS.join("+")},samples=6,maxCharacters=16`;

test("the rasterizer fills exact areas (nonzero winding, holes)", () => {
  const square = (x0: number, y0: number, x1: number, y1: number) => [x0, y0, x1, y0, x1, y1, x0, y1];
  const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(sum(fillPolygons([square(7, 7, 21, 21)], [1, 0, 0, 0, 1, 0], 28)) - 196) < 1e-3);
  // A hole drawn the other way round is left empty; a half-pixel edge covers half.
  const hole = [10, 10, 10, 18, 18, 18, 18, 10];
  assert.ok(Math.abs(sum(fillPolygons([square(7, 7, 21, 21), hole], [1, 0, 0, 0, 1, 0], 28)) - 132) < 1e-3);
  assert.ok(Math.abs(sum(fillPolygons([square(0, 0, 1.5, 1)], [1, 0, 0, 0, 1, 0], 28)) - 1.5) < 1e-3);
});

test("glyphs: seeded, held out by alphabet, described by Unicode names, cached", async () => {
  const a = fewShot.generateGlyphSet({ ...SMALL, cacheDir: null });
  const b = fewShot.generateGlyphSet({ ...SMALL, cacheDir: null });
  assert.deepEqual(a.alphabets, b.alphabets);
  assert.ok(Buffer.from(a.images).equals(Buffer.from(b.images)), "same pixels for the same seed");
  const c = fewShot.generateGlyphSet({ ...SMALL, seed: 1, cacheDir: null });
  assert.ok(!Buffer.from(a.images).equals(Buffer.from(c.images)), "another seed draws other distortions");
  assert.equal(a.alphabets.length, SCRIPTS.length);
  assert.equal(a.images.length, a.classes.length * 6 * 28 * 28);
  const splits = a.alphabets.map((x) => x.split);
  assert.equal(splits.filter((s) => s === "evaluation").length, 3);
  assert.ok(a.alphabets.every((x) => x.fonts.length >= 2 && x.classes.length === 16));
  const greek = a.classes.find((k) => k.alphabet === "Greek")!;
  assert.match(greek.description, /^GREEK (CAPITAL |SMALL )?LETTER /);
  // Every image has ink, and not everywhere.
  for (let i = 0; i < a.images.length / 784; i++) {
    const ink = a.images.subarray(i * 784, (i + 1) * 784).reduce((s, v) => s + v, 0) / 255;
    assert.ok(ink > 10 && ink < 600, `image ${i} ink ${ink}`);
  }
  const cached = await fewShot.loadGlyphSet(SMALL);
  const again = await fewShot.loadGlyphSet(SMALL);
  assert.ok(Buffer.from(cached.images).equals(Buffer.from(a.images)) && Buffer.from(again.images).equals(Buffer.from(a.images)));
  assert.throws(() => fewShot.generateGlyphSet({ scripts: ["Klingon"], cacheDir: null }), /unknown or excluded script "Klingon"/);
});

test("episodes: shapes, labels, and clear errors for impossible shapes", async () => {
  const d = await fewShot.loadFewShotData(SPEC);
  assert.equal(d.evaluation.first.length, 48);
  const [e] = [...fewShot.episodes(d.background, { ways: 5, shots: 2, queries: 3 }, 1, 0)];
  assert.deepEqual(e!.support.shape, [10, 1, 28, 28]);
  assert.deepEqual(e!.query.shape, [15, 1, 28, 28]);
  assert.deepEqual(e!.supportLabels.toArray(), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
  assert.ok((e!.support.max().item() as number) <= 1 && (e!.support.min().item() as number) >= 0);
  assert.throws(
    () => fewShot.episodes(d.evaluation, { ways: 60, shots: 1, queries: 1 }, 1, 0),
    /60-way episodes need 60 classes, only 48 are available/,
  );
  assert.throws(() => fewShot.episodes(d.evaluation, { ways: 5, shots: 5, queries: 2 }, 1, 0), /need 7 images per class; only 0 of 48/);
  assert.throws(() => fewShot.episodes(d.evaluation, { ways: 1, shots: 1, queries: 1 }, 1, 0), /ways must be at least 2/);
  assert.throws(() => fewShot.episodes(d.evaluation, { ways: 5, shots: 0, queries: 1 }, 1, 0), /shots must be a positive integer/);
});

test("MAML: the second-order meta-gradient matches finite differences; first order drops a term", async () => {
  fl.manualSeed(3);
  const d = await fewShot.loadFewShotData(SPEC);
  const [e0] = [...fewShot.episodes(d.background, { ways: 2, shots: 1, queries: 2 }, 1, 5)];
  const e = { ...e0!, support: e0!.support.double(), query: e0!.query.double() };
  const m = new fewShot.Maml().to("float64");
  // A non-zero head, so the encoder's inner gradient (and the second-order term) is not zero.
  fl.noGrad(() => m.headWeight.copy_(fl.randn([1, 64], { dtype: "float64" }).mul(0.3)));
  const opts = { innerLr: 0.4, innerSteps: 1, firstOrder: false };
  const w = m.weights();
  const dirs = w.map((p) => fl.randn(p.shape, { dtype: "float64" }));
  const directional = (first: boolean) => {
    const g = fl.autograd.grad(m.loss(e, { ...opts, firstOrder: first }), w);
    return g.reduce((s, gi, i) => s + (gi!.mul(dirs[i]!).sum().item() as number), 0);
  };
  const lossAt = (eps: number) =>
    fl.noGrad(() => {
      for (let i = 0; i < w.length; i++) w[i]!.add_(dirs[i]!.mul(eps));
      return 0;
    }) +
    (m.loss(e, opts).item() as number) +
    fl.noGrad(() => {
      for (let i = 0; i < w.length; i++) w[i]!.sub_(dirs[i]!.mul(eps));
      return 0;
    });
  const h = 1e-6; // the meta-loss is strongly curved: larger steps see it
  const fd = (lossAt(h) - lossAt(-h)) / (2 * h);
  const second = directional(false);
  const first = directional(true);
  assert.ok(Math.abs(second - fd) < 1e-4 * Math.max(1, Math.abs(fd)), `second order ${second} vs finite differences ${fd}`);
  assert.ok(Math.abs(first - fd) > 1e-3 * Math.max(1, Math.abs(fd)), `first order ${first} should differ from ${fd}`);
});

test("a ProtoNet trained for a few episodes beats chance on held-out alphabets; MAML trains", async () => {
  const out = join(tmp, "protonet");
  const r = await fl.tasks.TASKS["few-shot"].train({ data: SPEC, out, model: "protonet", epochs: 1, episodes: 10, ways: 5, queries: 3 });
  assert.ok(Number.isFinite(r.history.epochs[0]!.loss as number));
  const s = (await fl.tasks.TASKS["few-shot"].evaluate(out, SPEC, {
    ways: 5,
    shots: 1,
    queries: 3,
    testEpisodes: 40,
  })) as unknown as fl.learn.fewShot.FewShotScore;
  assert.equal(s.episodes, 40);
  assert.ok(s.accuracy - s.ci95 > 0.2, `5-way 1-shot ${s.accuracy} ± ${s.ci95} vs chance 0.2`);
  await assert.rejects(
    fl.tasks.TASKS["few-shot"].evaluate(out, SPEC, { ways: 49, testEpisodes: 1 }),
    /49-way episodes need 49 classes, only 48/,
  );
  const m = await fl.tasks.TASKS["few-shot"].train({
    data: SPEC,
    out: join(tmp, "maml"),
    model: "maml",
    epochs: 1,
    episodes: 2,
    ways: 3,
    queries: 2,
  });
  assert.ok(Number.isFinite(m.history.epochs[0]!.loss as number));
});

test("CLI: train, eval --ways --shots, predict from a support folder; empty support sets are errors", async () => {
  const env = { ...process.env, FLAMBEAU_CACHE: process.env.FLAMBEAU_CACHE };
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env, timeout: 300_000 });
  const out = join(tmp, "cli-model");
  const t = run("train", "few-shot", "--data", SPEC, "--model", "protonet", "--episodes", "3", "--epochs", "1", "--out", out, "--json");
  assert.equal(t.status, 0, t.stderr);
  const ev = run("eval", out, "--data", SPEC, "--ways", "20", "--shots", "1", "--queries", "1", "--test-episodes", "4", "--json");
  assert.equal(ev.status, 0, ev.stderr);
  const score = JSON.parse(ev.stdout) as { ways: number; episodes: number; accuracy: number };
  assert.equal(score.ways, 20);
  assert.equal(score.episodes, 4);
  // A support folder of 3 classes (2 drawings each) from held-out glyphs, black on white as scans are.
  const set = await fewShot.loadGlyphSet(SMALL);
  const ev0 = set.alphabets.find((a) => a.split === "evaluation")!;
  const support = join(tmp, "support");
  const png = (k: number, i: number, file: string) =>
    sharp(Buffer.from(set.images.subarray((set.classes[k]!.first + i) * 784, (set.classes[k]!.first + i + 1) * 784).map((v) => 255 - v)), {
      raw: { width: 28, height: 28, channels: 1 },
    })
      .resize(105, 105)
      .png()
      .toFile(file);
  const names = ev0.classes.slice(0, 3);
  for (const k of names) {
    mkdirSync(join(support, `c${k}`), { recursive: true });
    for (const i of [0, 1]) await png(k, i, join(support, `c${k}`, `${i}.png`));
  }
  const queries = await Promise.all(
    names.map(async (k) => {
      const f = join(tmp, `q${k}.png`);
      await png(k, 5, f);
      return f;
    }),
  );
  const p = run("predict", out, ...queries, "--support", support, "--json");
  assert.equal(p.status, 0, p.stderr);
  const preds = JSON.parse(p.stdout) as unknown[];
  assert.equal(preds.length, 3);
  mkdirSync(join(tmp, "empty"));
  const bad = run("predict", out, queries[0]!, "--support", join(tmp, "empty"));
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /support set .* is empty/);
  const none = run("predict", out, queries[0]!);
  assert.match(none.stderr, /predict needs --support/);
});
