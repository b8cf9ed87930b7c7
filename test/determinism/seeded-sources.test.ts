// Training must draw every random number from a seeded source (data/random.ts or libtorch's
// generator after manualSeed), or `--seed S --deterministic` stops repeating. This scans src/
// for the unseeded ones, so a new augmentation or sampler that reaches for them fails here
// with its file and line instead of as a flaky figure.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { FIXTURES } from "../helpers/fixtures.js";

const SRC = join(FIXTURES, "..", "..", "src");

// Where an unseeded draw is the point: prediction-time sampling whose callers may pass their
// own `random`, secret shares, sealing nonces and DP noise (which must not be predictable), temporary file
// names, and the DataLoader's default seed when none is given (every task passes one).
const ALLOWED = new Set([
  "text/seq2seq/decode.ts",
  "text/seq2seq/language-model.ts",
  "train/privacy/gaussian.ts",
  "learn/federated/shamir.ts",
  "learn/federated/secagg-seal.ts",
  "io/atomic.ts",
  "video/io/write.ts",
  "data/dataloader.ts",
  "core/runtime.ts",
]);
const UNSEEDED = /\bMath\.random\b|\bgetRandomValues\b|\brandomInt\(|\brandomBytes\(|\brandomUUID\(/;

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.name.endsWith(".ts")) yield p;
  }
}

test("src/ draws random numbers only from seeded sources (outside the listed exceptions)", () => {
  const found: string[] = [];
  for (const f of files(SRC)) {
    const rel = relative(SRC, f).split("\\").join("/");
    if (ALLOWED.has(rel) || rel.startsWith("serve/") || rel.startsWith("http/")) continue;
    readFileSync(f, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (UNSEEDED.test(line) && !line.trim().startsWith("//")) found.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(found, [], `unseeded random draws (use data/random.ts's Random(seed, …) or libtorch's generator):\n${found.join("\n")}`);
});
