// text-classification with --seed --deterministic on a small JSONL file (the default model,
// shuffled batches and dropout): reruns are bit-identical, another seed trains other weights.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { assertReproducible } from "./reruns.js";

const dir = mkdtempSync(join(tmpdir(), "fl-det-text-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const fruit = ["apple", "banana", "cherry", "grape", "mango", "pear"];
const car = ["truck", "bus", "tram", "bike", "train", "van"];
const line = (k: number, words: string[], label: string) =>
  JSON.stringify({ text: `the ${words[k % 6]} and the ${words[(k + 2) % 6]} near a ${words[(k + 3) % 6]}`, label });

test("text-classification: --seed 1 --deterministic twice saves identical weights and metrics", async () => {
  const data = join(dir, "reviews.jsonl");
  writeFileSync(data, Array.from({ length: 48 }, (_, k) => (k % 2 ? line(k, fruit, "fruit") : line(k, car, "car"))).join("\n"));
  await assertReproducible("text-classification", { data, epochs: 1, batchSize: 8, limit: 40 });
});
