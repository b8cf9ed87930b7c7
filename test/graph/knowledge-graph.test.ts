// Knowledge-graph completion: the four scores against hand-computed values, filtered vs raw
// ranking on a tiny graph by hand, the self-adversarial loss, the WordNet construction on
// hand-made data lines, the TSV reader's line-numbered errors, and a short training run.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { fitKgModel, modelScorer, selfAdversarialLoss } from "../../src/graph/kg/fit.js";
import { loadKnowledgeGraph } from "../../src/graph/kg/load.js";
import { idTensor, makeKgModel } from "../../src/graph/kg/models/index.js";
import { KgModel } from "../../src/graph/kg/models/kg-model.js";
import { rankCount, rankCounts, rankMetrics, rankTriples, relationFrequencyScorer, TripleFilter } from "../../src/graph/kg/ranking.js";
import { kCore, splitTriples } from "../../src/graph/kg/split.js";
import { parseIdTriples, parseTriples, triplesFrom } from "../../src/graph/kg/triples.js";
import { parseWordNet } from "../../src/graph/kg/wordnet.js";

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const isFl = (re: RegExp) => (e: Error) => e instanceof fl.FlambeauError && re.test(e.message);

/** A model of dim 1 whose tables hold the given rows (entities e0 = h, e1 = t; relation 0 = r). */
function withTables(arch: "transe" | "distmult" | "complex" | "rotate", ent: number[][], rel: number[][]) {
  const m = makeKgModel({
    arch,
    numEntities: ent.length,
    numRelations: rel.length,
    dim: arch === "transe" || arch === "distmult" ? 2 : 1,
    gamma: 6,
  });
  fl.noGrad(() => {
    m.entity.copy_(fl.tensor(Float32Array.from(ent.flat()), { shape: [ent.length, ent[0]!.length] }));
    m.relation.copy_(fl.tensor(Float32Array.from(rel.flat()), { shape: [rel.length, rel[0]!.length] }));
  });
  const s = fl.noGrad(() => m.forward(idTensor([0]), idTensor([0]), idTensor([1])).item());
  m.dispose();
  return s;
}

test("scores: TransE, DistMult, ComplEx and RotatE equal hand-computed values", () => {
  // h = (1, 2), r = (0.5, −1), t = (1, 1).
  close(
    withTables(
      "transe",
      [
        [1, 2],
        [1, 1],
      ],
      [[0.5, -1]],
    ),
    6 - 0.5,
  ); // γ − (|1.5 − 1| + |1 − 1|)
  close(
    withTables(
      "distmult",
      [
        [1, 2],
        [1, 1],
      ],
      [[0.5, -1]],
    ),
    0.5 - 2,
  );
  // ComplEx, one complex coordinate: Re((1 + 2i)(0.5 − i) conj(1 + i)) = Re(2.5 (1 − i)) = 2.5.
  close(
    withTables(
      "complex",
      [
        [1, 2],
        [1, 1],
      ],
      [[0.5, -1]],
    ),
    2.5,
  );
  // RotatE: θ = π/2 (stored as θ · range / π, range = (γ + 2) / dim = 8): (1 + 2i) · i − (1 + i) = −3 → γ − 3.
  close(
    withTables(
      "rotate",
      [
        [1, 2],
        [1, 1],
      ],
      [[4]],
    ),
    3,
  );
  // A rotation that maps h exactly onto t, i · (1 + 2i) = −2 + i, scores γ.
  close(
    withTables(
      "rotate",
      [
        [1, 2],
        [-2, 1],
      ],
      [[4]],
    ),
    6,
  );
});

test("scoreAll and scoreCandidates agree with scoring each triple", () => {
  for (const arch of ["transe", "distmult", "complex", "rotate"] as const) {
    fl.manualSeed(1);
    const m = makeKgModel({ arch, numEntities: 5, numRelations: 2, dim: 3, gamma: 6 });
    fl.noGrad(() => {
      const all = m.scoreAll(idTensor([2, 4]), idTensor([1, 0]), "tail").data() as Float32Array;
      const allH = m.scoreAll(idTensor([2, 4]), idTensor([1, 0]), "head").data() as Float32Array;
      const cand = m.scoreCandidates(idTensor([2, 4]), idTensor([1, 0]), idTensor([3, 0, 1, 1]).view(2, 2), "head").data() as Float32Array;
      for (let e = 0; e < 5; e++) {
        close(all[e]!, m.forward(idTensor([2]), idTensor([1]), idTensor([e])).item());
        close(all[5 + e]!, m.forward(idTensor([4]), idTensor([0]), idTensor([e])).item());
        close(allH[e]!, m.forward(idTensor([e]), idTensor([1]), idTensor([2])).item());
      }
      close(cand[0]!, allH[3]!);
      close(cand[3]!, allH[5 + 1]!);
    });
    m.dispose();
  }
});

test("RotatE's and TransE's ranking paths (isometry, chunks, cdist) equal the broadcast score over many entities", () => {
  for (const arch of ["transe", "rotate"] as const) {
    fl.manualSeed(2);
    const m = makeKgModel({ arch, numEntities: 2500, numRelations: 3, dim: 8, gamma: 6 });
    const known = idTensor([0, 1234, 2499]);
    const rel = idTensor([2, 0, 1]);
    fl.noGrad(() => {
      for (const mode of ["tail", "head"] as const) {
        const fast = m.scoreAll(known, rel, mode).data() as Float32Array;
        const broadcast = KgModel.prototype.scoreAll.call(m, known, rel, mode).data() as Float32Array;
        assert.equal(fast.length, 3 * 2500);
        let worst = 0;
        for (let i = 0; i < fast.length; i++) worst = Math.max(worst, Math.abs(fast[i]! - broadcast[i]!));
        assert.ok(worst < 1e-4, `${arch} ${mode}: max difference ${worst}`);
      }
    });
    m.dispose();
  }
});

test("ranking: filtered vs raw MRR and Hits@k on a tiny graph, by hand", () => {
  // 4 entities, 1 relation; training knows (0, r, 2); the test triple is (0, r, 1).
  const train = triplesFrom([[0, 0, 2]]);
  const t = triplesFrom([[0, 0, 1]]);
  const filter = new TripleFilter(4, 1, train, t);
  // Tail query (0, r, ?): 2 and 3 score above the answer 1; 2 is a known tail → filtered rank 2, raw rank 3.
  // Head query (?, r, 1): 1 and 2 score above the answer 0, neither known → rank 3 both ways.
  const scorer = (_k: Int32Array, _r: Int32Array, mode: "head" | "tail") => [
    Float32Array.from(mode === "tail" ? [0.1, 0.5, 0.9, 0.7] : [0.2, 0.3, 0.3, 0.1]),
  ];
  const r = rankTriples(scorer, t, filter);
  close(r.filtered.tail.mrr, 1 / 2);
  close(r.raw.tail.mrr, 1 / 3);
  close(r.filtered.head.mrr, 1 / 3);
  close(r.filtered.mrr, (1 / 2 + 1 / 3) / 2);
  close(r.raw.mrr, 1 / 3);
  close(r.filtered.mr, 2.5);
  close(r.raw.mr, 3);
  close(r.filtered["hits@1"], 0);
  close(r.filtered["hits@3"], 1);
  close(rankMetrics([{ greater: 1, ties: 0 }])["hits@1"], 0);
  // Ties count by their expectation: a constant score over 4 candidates.
  const c = rankMetrics([rankCount([1, 1, 1, 1], 2)]);
  close(c.mrr, (1 + 1 / 2 + 1 / 3 + 1 / 4) / 4);
  close(c["hits@1"], 1 / 4);
  close(c["hits@3"], 3 / 4);
  close(c.mr, 2.5);
  // A NaN score ranks last.
  assert.deepEqual(rankCount([0, Number.NaN, 2], 1), { greater: 2, ties: 0 });
  // One pass gives the raw counts and the filtered ones, as counting each candidate against the skip set does.
  const rng = new fl.data.Random(3, 0);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(rng.nextFloat() * 12);
    const scores = Array.from({ length: n }, () => (rng.nextFloat() < 0.1 ? Number.NaN : Math.floor(rng.nextFloat() * 4)));
    const answer = Math.floor(rng.nextFloat() * n);
    const skip = new Set(Array.from({ length: n }, (_, e) => e).filter(() => rng.nextFloat() < 0.4));
    const brute = (useSkip: boolean) => {
      const sa = scores[answer]!;
      let greater = 0;
      let ties = 0;
      scores.forEach((v, e) => {
        if (e === answer || (useSkip && skip.has(e))) return;
        if (Number.isNaN(sa) || v > sa) greater++;
        else if (v === sa) ties++;
      });
      return { greater, ties };
    };
    assert.deepEqual(rankCounts(scores, answer, skip), { raw: brute(false), filtered: brute(true) }, `scores ${scores} answer ${answer}`);
  }
  // The relation-frequency baseline: tails of r counted in training.
  const freq = relationFrequencyScorer(
    triplesFrom([
      [0, 0, 2],
      [1, 0, 2],
      [3, 0, 1],
    ]),
    4,
    1,
  );
  assert.deepEqual(Array.from(freq(Int32Array.of(0), Int32Array.of(0), "tail")[0]!), [0, 1, 2, 0]);
  assert.deepEqual(Array.from(freq(Int32Array.of(0), Int32Array.of(0), "head")[0]!), [1, 1, 0, 1]);
});

test("self-adversarial loss equals the hand value", () => {
  // pos 0, negatives (0, ln 3), α = 1: weights (1/4, 3/4);
  // L = −½ [log σ(0) + ¼ log σ(0) + ¾ log σ(−ln 3)] = ½ [ln 2 + ¼ ln 2 + ¾ ln 4] = 1.375 ln 2.
  const l = selfAdversarialLoss(fl.tensor([0]), fl.tensor([[0, Math.log(3)]]), 1).item();
  close(l, 1.375 * Math.LN2);
  // α = 0: uniform weights ½, ½: ½ [ln 2 + ½ (ln 2 + ln 4)] = 1.25 ln 2.
  close(selfAdversarialLoss(fl.tensor([0]), fl.tensor([[0, Math.log(3)]]), 0).item(), 1.25 * Math.LN2);
});

test("WordNet construction: WN18RR relations kept, their inverses dropped, satellites as adjectives", () => {
  const noun = [
    "  1 This software and database is being provided",
    "00000001 05 n 01 dog 0 003 @ 00000002 n 0000 ~ 00000003 n 0000 + 00000010 v 0101 | a dog",
    "00000002 05 n 01 canine 0 002 ~ 00000001 n 0000 %p 00000003 n 0000 | a canine",
    "00000003 05 n 02 Tail 0 tail_end 0 002 #p 00000002 n 0000 & 00000004 s 0000 | a tail",
  ].join("\n");
  const verb = "00000010 29 v 01 dog 0 001 + 00000001 n 0101 01 + 02 00 | to follow";
  const adj = "00000004 00 s 01 tailed 0 000 | having a tail";
  const w = parseWordNet({ n: noun, v: verb, a: adj });
  assert.deepEqual(w.rows.map((r) => r.join(" ")).sort(), [
    "canine.n.00000002 _has_part tail.n.00000003",
    "dog.n.00000001 _derivationally_related_form dog.v.00000010",
    "dog.n.00000001 _hypernym canine.n.00000002",
    "dog.v.00000010 _derivationally_related_form dog.n.00000001",
    "tail.n.00000003 _similar_to tailed.a.00000004",
  ]);
  // k-core: with k = 2 the entities in a single triple go, then whatever that strands.
  assert.deepEqual(kCore(w.rows, 2).length, 2);
  const kg = splitTriples(w.rows, { seed: 0, valid: 0.2, test: 0.2 });
  assert.equal(kg.train.heads.length + kg.valid.heads.length + kg.test.heads.length, 5);
  // Held-out triples only name entities seen in training.
  const seen = new Set([...kg.train.heads, ...kg.train.tails]);
  for (const s of [kg.valid, kg.test]) for (let k = 0; k < s.heads.length; k++) assert.ok(seen.has(s.heads[k]!) && seen.has(s.tails[k]!));
});

test("bad triples: errors name the file, the line and the value", async () => {
  assert.throws(
    () => parseTriples("a\tr\tb\n\na\tr\n", {}, "kg.tsv"),
    isFl(/kg\.tsv:3: expected "head<TAB>relation<TAB>tail", got 2 field/),
  );
  assert.throws(() => parseTriples("a\tr\ta\n", { allowSelfLoops: false }, "kg.tsv"), isFl(/kg\.tsv:1: self-loop "a" r "a"/));
  const tr = parseTriples("a\tr\tb\n", {}, "train.txt");
  assert.equal(tr.heads.length, 1);
  assert.throws(
    () => parseIdTriples("0 0 1\n# c\n0 5 1\n", 2, 3, "train2id.txt"),
    isFl(/train2id\.txt:3: relation id 5 is out of range \[0, 3\)/),
  );
  assert.throws(() => parseIdTriples("0 0 7\n", 2, 3, "ids.txt"), isFl(/ids\.txt:1: entity id 7 is out of range \[0, 2\)/));
  assert.throws(() => parseIdTriples("0 x 1\n", 2, 3, "ids.txt"), isFl(/ids\.txt:1: expected three integer ids/));
  // A folder whose test file names an entity training never saw.
  const dir = mkdtempSync(join(tmpdir(), "fl-kg-"));
  writeFileSync(join(dir, "train.txt"), "a\tr\tb\nb\tr\tc\n");
  writeFileSync(join(dir, "valid.txt"), "a\tr\tc\n");
  writeFileSync(join(dir, "test.txt"), "a\tr\tc\n\nzebra\tr\ta\n");
  await assert.rejects(loadKnowledgeGraph(dir), isFl(/test\.txt:3: entity "zebra" does not occur in the training triples/));
  writeFileSync(join(dir, "test.txt"), "a\ts\tc\n");
  await assert.rejects(loadKnowledgeGraph(dir), isFl(/test\.txt:1: relation "s" does not occur/));
  await assert.rejects(loadKnowledgeGraph(join(dir, "nope")), isFl(/neither a built-in set/));
});

test("training: TransE, ComplEx and RotatE infer held-out links of a chain well above the frequency baseline", async () => {
  // 12 entities in a chain: "next" links i → i+1, "skip" links i → i+2; two "next" links are
  // held out, each implied by a skip and the neighbouring next links.
  const n = 12;
  const rows: [number, number, number][] = [];
  for (let i = 0; i + 1 < n; i++) rows.push([i, 0, i + 1]);
  for (let i = 0; i + 2 < n; i++) rows.push([i, 1, i + 2]);
  const held = (r: readonly number[]) => r[1] === 0 && (r[0] === 3 || r[0] === 7);
  const train = triplesFrom(rows.filter((r) => !held(r)));
  const heldOut = triplesFrom(rows.filter(held));
  const filter = new TripleFilter(n, 2, train, heldOut);
  const base = rankTriples(relationFrequencyScorer(train, n, 2), heldOut, filter).filtered.mrr;
  // (DistMult cannot: its score is symmetric in head and tail, and "next" is not.)
  for (const arch of ["transe", "complex", "rotate"] as const) {
    fl.manualSeed(0);
    const m = makeKgModel({ arch, numEntities: n, numRelations: 2, dim: 8, gamma: 3 });
    await fitKgModel(m, train, {
      epochs: 80,
      lr: 0.05,
      batchSize: 10,
      negatives: 8,
      adversarialTemperature: 1,
      regularization: 0,
      seed: 0,
      known: new TripleFilter(n, 2, train),
    });
    const mrr = rankTriples(modelScorer(m), heldOut, filter).filtered.mrr;
    // Seeded: RotatE and ComplEx rank both answers first; TransE (L1, dim 8) reaches 0.5.
    assert.ok(mrr > (arch === "transe" ? 0.45 : 0.9) && mrr > base + 0.3, `${arch}: filtered MRR ${mrr}, baseline ${base}`);
    m.dispose();
  }
});
