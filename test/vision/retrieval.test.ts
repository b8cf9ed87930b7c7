// Retrieval: exact and HNSW indexes against brute force, recall@k/mAP against hand-computed
// values, the CosFace loss, and the image-feature-extraction task end to end on a tiny set.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { VISION_TASKS } from "../../src/vision/tasks/index.js";

const { vision } = fl;

function bruteForce(g: number[][], q: number[], metric: "cosine" | "l2"): number[] {
  const norm = (v: number[]) => Math.hypot(...v);
  const score = (a: number[]) =>
    metric === "cosine" ? a.reduce((s, x, i) => s + x * q[i]!, 0) / (norm(a) * norm(q)) : -a.reduce((s, x, i) => s + (x - q[i]!) ** 2, 0);
  return g
    .map((v, i) => [score(v), i] as const)
    .sort((a, b) => b[0] - a[0])
    .map(([, i]) => i);
}

test("ExactIndex ranks like brute force (cosine and l2) and leaves out excluded rows", () => {
  fl.manualSeed(0);
  const g = fl.randn([40, 6]);
  const q = fl.randn([7, 6]);
  const rows = g.toArray() as number[][];
  const qs = q.toArray() as number[][];
  for (const metric of ["cosine", "l2"] as const) {
    const idx = new vision.ExactIndex(g, { metric });
    const r = idx.search(q, 5);
    const got = r.indices.toArray() as number[][];
    qs.forEach((qq, i) => assert.deepEqual(got[i]!.map(Number), bruteForce(rows, qq, metric).slice(0, 5), `${metric} query ${i}`));
  }
  const idx = new vision.ExactIndex(g);
  const self = idx.search(g.narrow(0, 0, 3), 1, { exclude: [0, 1, 2] }).indices.toArray() as number[][];
  for (let i = 0; i < 3; i++) assert.notEqual(Number(self[i]![0]), i, "a query never finds itself");
  assert.throws(() => idx.search(q, 41), /k must be an integer in \[1, 40\]/);
  assert.throws(() => idx.search(fl.randn([2, 5]), 1), /queries have 5 dims, the gallery 6/);
});

test("HnswIndex (hnswlib-node) finds the exact nearest neighbour for nearly every query", () => {
  fl.manualSeed(1);
  const g = fl.randn([600, 16]);
  const q = fl.randn([50, 16]);
  const exact = new vision.ExactIndex(g).search(q, 1).indices.toArray() as number[][];
  const approx = new vision.HnswIndex(g, { ef: 100 }).search(q, 3);
  const a = approx.indices.toArray() as number[][];
  const agree = exact.filter((e, i) => Number(e[0]) === Number(a[i]![0])).length;
  assert.ok(agree >= 48, `HNSW top-1 agrees with exact on ${agree}/50`);
  const s = approx.scores.toArray() as number[][];
  assert.ok(
    s.every((r) => r[0]! >= r[1]! && r[1]! >= r[2]!),
    "scores are best first",
  );
  const ex = new vision.HnswIndex(g).search(g.narrow(0, 5, 1), 1, { exclude: [5] });
  assert.notEqual(Number((ex.indices.toArray() as number[][])[0]![0]), 5);
  assert.ok(vision.buildIndex(g) instanceof vision.ExactIndex, "small galleries are searched exactly");
});

test("recall@k and mAP match hand-computed values", () => {
  // 1-D embeddings on a line: ranking by distance is easy to do by hand.
  const emb = fl.tensor([[0], [1], [2], [10], [11]]);
  const labels = fl.tensor(BigInt64Array.from([0n, 1n, 0n, 1n, 1n]));
  const idx = new vision.ExactIndex(emb, { metric: "l2" });
  // query 0 (label 0): ranking 1(1) 2(0) 3(1) 4(1) → first hit at rank 2: AP = 1/2.
  // query 3 (label 1): ranking 4(1) 2(0) 1(1) 0(0) → hits at 1, 3: AP = (1 + 2/3)/2.
  const m = vision.retrievalMetrics(idx, emb, labels, [0, 3]);
  assert.equal(m.recallAt1, 0.5);
  assert.equal(m.recallAt5, 1);
  assert.ok(Math.abs(m.mAP - (0.5 + (1 + 2 / 3) / 2) / 2) < 1e-6, `mAP ${m.mAP}`);
});

test("CosFace is cross-entropy over s·(cos − m·onehot)", () => {
  const head = new vision.CosFaceLoss(2, 2, 10, 0.5);
  fl.noGrad(() =>
    head.weight.copy_(
      fl.tensor([
        [2, 0],
        [0, 3],
      ]),
    ),
  );
  const emb = fl.tensor([[1, 0]]);
  const loss = head.forward(emb, fl.tensor(BigInt64Array.from([0n]))).item();
  // cos = [1, 0]; logits = 10·[0.5, 0] → CE = −log(e^5 / (e^5 + 1)).
  assert.ok(Math.abs(loss - Math.log(1 + Math.exp(-5))) < 1e-5, `loss ${loss}`);
});

test("image-feature-extraction trains on all but the last two classes and retrieves from the test gallery", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fl-ret-"));
  try {
    fl.manualSeed(2);
    // Four classes of 12×12 images: a bright square in one of four corners, plus noise.
    for (const split of ["train", "test"])
      for (let c = 0; c < 4; c++) {
        mkdirSync(join(dir, "set", split, `c${c}`), { recursive: true });
        for (let i = 0; i < 6; i++) {
          const img = fl.rand([1, 12, 12]).mul(0.3);
          img
            .narrow(1, c < 2 ? 0 : 6, 6)
            .narrow(2, c % 2 ? 6 : 0, 6)
            .add_(0.7);
          await vision.writeImage(join(dir, "set", split, `c${c}`, `${i}.png`), img.clamp(0, 1));
        }
      }
    const task = VISION_TASKS["image-feature-extraction"];
    const r = await task.train({ data: join(dir, "set"), out: join(dir, "m"), epochs: 2, batchSize: 4, seed: 0 });
    const m = r.metrics as Record<string, number>;
    assert.equal(m.queries, 12, "queries are the test images of the two held-out classes");
    assert.equal(m.gallery, 24);
    for (const k of ["recallAt1", "recallAt5", "mAP", "embeddingRecallAt1", "embeddingMAP", "rawPixelsRecallAt1", "rawPixelsMAP"])
      assert.ok(m[k]! >= 0 && m[k]! <= 1, k);
    const [p] = (await task.predict(join(dir, "m"), [join(dir, "set", "test", "c3", "0.png")], { topK: 3 })) as {
      index: number;
      label: string;
      score: number;
    }[][];
    assert.equal(p!.length, 3);
    assert.ok(p![0]!.score > 0.99, "the query image itself is in the gallery and comes first");
    assert.equal(p![0]!.label, "c3");
    assert.match(task.formatPrediction(p!), /^#\d+ c3 \(/);
    await assert.rejects(task.train({ data: join(dir, "set", "train", "c0"), out: join(dir, "x") }), /neither an MNIST-family IDX folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
