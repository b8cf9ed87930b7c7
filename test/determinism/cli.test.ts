// `flambeau train --deterministic` reaches the task runtime: the run logs what it fixed, and
// two runs save the same weights file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { FIXTURES } from "../helpers/fixtures.js";

const BIN = join(FIXTURES, "..", "..", "bin", "flambeau.js");
const dir = mkdtempSync(join(tmpdir(), "fl-det-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("flambeau train --seed 1 --deterministic: logged, and the same weights twice", () => {
  const train = (out: string) =>
    spawnSync(
      process.execPath,
      [BIN, "train", "node-classification", "--data", "karate", "--epochs", "5", "--seed", "1", "--deterministic", "--out", out],
      { encoding: "utf8", env: { ...process.env, CI: "1" } },
    );
  const a = train(join(dir, "a"));
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stderr, /node-classification: deterministic run: seed 1, \d+ intra-op threads?, deterministic algorithms on/);
  const b = train(join(dir, "b"));
  assert.equal(b.status, 0, b.stderr);
  assert.ok(readFileSync(join(dir, "a", "model.safetensors")).equals(readFileSync(join(dir, "b", "model.safetensors"))));
});
