// A graph task with --seed --deterministic: node classification on the karate club (a GCN,
// dropout, a seeded split of the unlabelled nodes): reruns are bit-identical, another seed
// trains other weights.
import { test } from "node:test";
import { assertReproducible } from "./reruns.js";

test("node-classification: --seed 1 --deterministic twice saves identical weights and metrics", async () => {
  await assertReproducible("node-classification", { data: "karate", epochs: 10 });
});
