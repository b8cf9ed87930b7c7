// The `flambeau` command end to end on a small ImageFolder of real Fashion-MNIST images
// (written as PNGs here), plus its error contract: one line and exit code 2.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import * as fl from "flambeau";
import { FIXTURES } from "../helpers/fixtures.js";
import { writeFashionImageFolder } from "../helpers/image-folder.js";

const BIN = join(FIXTURES, "..", "..", "bin", "flambeau.js");
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, CI: "1" } });
let root = "";

before(async () => {
  root = await writeFashionImageFolder();
});

test("train → eval --json → predict on an ImageFolder", () => {
  const out = join(root, "model");
  const t = run("train", "image-classification", "--data", join(root, "train"), "--epochs", "4", "--hflip", "--out", out, "--json");
  assert.equal(t.status, 0, t.stderr);
  const tj = JSON.parse(t.stdout) as Record<string, unknown>;
  assert.equal(tj.task, "image-classification");
  const e = run("eval", out, "--data", join(root, "test"), "--json");
  assert.equal(e.status, 0, e.stderr);
  const ej = JSON.parse(e.stdout) as { accuracy: number; examples: number; labels: string[]; confusionMatrix: number[][] };
  assert.equal(ej.examples, 60);
  assert.deepEqual(ej.labels, ["bag", "sneaker", "trouser"]);
  assert.ok(ej.accuracy > 0.8, `accuracy ${ej.accuracy}`);
  assert.equal(
    ej.confusionMatrix.flat().reduce((a, b) => a + b, 0),
    60,
  );
  const p = run(
    "predict",
    out,
    join(root, "test", "bag", spawnSync("ls", [join(root, "test", "bag")], { encoding: "utf8" }).stdout.split("\n")[0] ?? ""),
    "--json",
  );
  assert.equal(p.status, 0, p.stderr);
  const pj = JSON.parse(p.stdout) as { labels: { label: string; probability: number }[] }[];
  assert.equal(pj[0]!.labels.length, 3);
  assert.ok(Math.abs(pj[0]!.labels.reduce((a, l) => a + l.probability, 0) - 1) < 1e-4);
});

test("train --init DIR --freeze: weights by key, frozen layers unchanged, a pattern matching nothing is an error", async () => {
  const base = join(root, "model");
  // One epoch on the training images, from the trained model with its features frozen.
  const oneEpoch = (...args: string[]) => run("train", "image-classification", "--data", join(root, "train"), "--epochs", "1", ...args);
  const fineTune = (out: string, ...extra: string[]) => oneEpoch("--init", base, "--freeze", "features.*", "--out", out, ...extra);
  const out = join(root, "fine-tuned");
  const t = fineTune(out);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stderr, /--init .*model: 16 tensors loaded/);
  assert.match(t.stderr, /--freeze features\.\*: 6 of 10 parameter tensors frozen/);
  const [a, b] = [await fl.load(join(base, "model.safetensors")), await fl.load(join(out, "model.safetensors"))];
  assert.deepEqual(b.get("features.0.weight")!.toArray(), a.get("features.0.weight")!.toArray(), "frozen: unchanged");
  assert.deepEqual(
    b.get("features.1.running_mean")!.toArray(),
    a.get("features.1.running_mean")!.toArray(),
    "frozen BatchNorm: same statistics",
  );
  assert.notDeepEqual(b.get("classifier.5.weight")!.toArray(), a.get("classifier.5.weight")!.toArray(), "the head trained");
  // With --json (no log lines) the weights load all the same.
  const quiet = join(root, "fine-tuned-json");
  const j = fineTune(quiet, "--json");
  assert.equal(j.status, 0, j.stderr);
  const c = await fl.load(join(quiet, "model.safetensors"));
  assert.deepEqual(c.get("features.0.weight")!.toArray(), a.get("features.0.weight")!.toArray(), "--json: loaded and frozen");
  const bad = oneEpoch("--freeze", "backbone.*", "--out", join(root, "x"));
  assert.equal(bad.status, 2);
  assert.match(
    bad.stderr,
    /freeze: pattern "backbone\.\*" matches no parameter of SmallCNN; its parameters start with: features, classifier/,
  );
});

test("tasks lists the registry", () => {
  const r = run("tasks", "--json");
  assert.equal(r.status, 0);
  const list = JSON.parse(r.stdout) as { task: string; defaultModel: string }[];
  assert.ok(list.some((t) => t.task === "image-classification" && t.defaultModel === "small-cnn"));
});

test("bad arguments and bad data: one line on stderr, exit code 2, no stack trace", () => {
  const notImages = join(root, "empty");
  mkdirSync(join(notImages, "a"), { recursive: true });
  writeFileSync(join(notImages, "a", "x.txt"), "hello");
  const corrupt = join(root, "corrupt", "c");
  mkdirSync(corrupt, { recursive: true });
  writeFileSync(join(corrupt, "bad.png"), "not a png");
  for (const args of [
    ["train", "no-such-task", "--data", root],
    ["train", "image-classification", "--data", "/no/such/dir"],
    ["train", "image-classification", "--data", notImages],
    ["train", "image-classification", "--data", join(root, "corrupt")],
    ["train", "image-classification", "--data", root, "--epochs", "zero"],
    ["train", "image-classification", "--data", root, "--model", "nope"],
    ["train", "text-classification", "--data", root, "--hflip"],
    ["train", "audio-classification", "--data", root, "--init", root],
    ["eval", "/no/such/model", "--data", root],
    ["predict", join(root, "model"), "/no/such.png"],
    ["frobnicate"],
  ]) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});
