// The conversation mixer (deterministic, exact reference turns), turn order, energy VAD,
// windows → turns, clustering counts on separable toy embeddings, the x-vector's shapes and
// the timeline picture. No synthesis: clips are tones, so the file runs in well under a second.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as fl from "flambeau";

const A = fl.audio;
const SR = 16000;
const tone = (f: number, seconds: number, amp = 0.1) =>
  Float32Array.from({ length: Math.round(seconds * SR) }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / SR) + amp * 0.5);

test("mixConversation: the same seed gives the same recording, and the turns are exact", () => {
  const clips = [
    { speaker: "a", samples: tone(200, 1.0) },
    { speaker: "b", samples: tone(300, 0.8) },
    { speaker: "a", samples: tone(200, 1.2) },
    { speaker: "c", samples: tone(450, 0.6) },
  ];
  const opts = { sampleRate: SR, overlapP: 0.5, noiseDb: Number.NEGATIVE_INFINITY };
  const x = A.mixConversation(clips, new fl.data.Random(7), opts);
  const y = A.mixConversation(clips, new fl.data.Random(7), opts);
  assert.deepEqual(x.turns, y.turns);
  assert.deepEqual(x.wave, y.wave);
  assert.notDeepEqual(A.mixConversation(clips, new fl.data.Random(8), opts).turns, x.turns);
  // Each turn lasts exactly its clip; the first starts after the 0.5 s margin.
  x.turns.forEach((t, i) => {
    assert.equal(t.speaker, clips[i]!.speaker);
    assert.ok(Math.abs((t.end - t.start) * SR - clips[i]!.samples.length) < 1e-6);
  });
  assert.equal(x.turns[0]!.start, 0.5);
  // Every sample is the sum of the clips whose turns cover it, and silence elsewhere.
  const starts = x.turns.map((t) => Math.round(t.start * SR));
  for (let j = 0; j < x.wave.length; j += 37) {
    let want = 0;
    clips.forEach((c, i) => {
      const k = j - starts[i]!;
      if (k >= 0 && k < c.samples.length) want += c.samples[k]!;
    });
    assert.ok(Math.abs(x.wave[j]! - want) < 1e-6, `sample ${j}: ${x.wave[j]} vs ${want}`);
  }
  // overlapP 1: every turn starts before the previous one ends; 0: after a pause in [0.2, 1] s.
  const o = A.mixConversation(clips, new fl.data.Random(1), { ...opts, overlapP: 1 });
  for (let i = 1; i < o.turns.length; i++) assert.ok(o.turns[i]!.start < o.turns[i - 1]!.end);
  const p = A.mixConversation(clips, new fl.data.Random(1), { ...opts, overlapP: 0 });
  for (let i = 1; i < p.turns.length; i++) {
    const gap = p.turns[i]!.start - p.turns[i - 1]!.end;
    assert.ok(gap >= 0.2 - 1e-9 && gap <= 1 + 1e-9, `gap ${gap}`);
  }
});

test("turnOrder: every speaker speaks, never twice in a row, seeded", () => {
  for (const [k, n] of [
    [2, 5],
    [3, 9],
    [4, 7],
  ] as const) {
    const a = A.turnOrder(k, n, new fl.data.Random(3));
    assert.deepEqual(a, A.turnOrder(k, n, new fl.data.Random(3)));
    assert.equal(a.length, n);
    assert.equal(new Set(a).size, k);
    for (let i = 1; i < n; i++) assert.notEqual(a[i], a[i - 1]);
  }
  assert.throws(() => A.turnOrder(3, 2, new fl.data.Random(0)), /turnOrder/);
});

test("energyVad finds the speech and fills short pauses", () => {
  const wave = new Float32Array(Math.round(3.7 * SR));
  wave.set(tone(220, 1), 0.5 * SR);
  wave.set(tone(220, 1), 1.7 * SR); // a 0.2 s pause: filled
  const noise = new fl.data.Random(0);
  for (let i = 0; i < wave.length; i++) wave[i]! += 1e-3 * (noise.nextFloat() - 0.5);
  const spans = A.energyVad(wave, { sampleRate: SR });
  assert.equal(spans.length, 1);
  assert.ok(Math.abs(spans[0]![0] - 0.5) < 0.03 && Math.abs(spans[0]![1] - 2.7) < 0.03, JSON.stringify(spans));
  assert.deepEqual(A.energyVad(new Float32Array(100), { sampleRate: SR }), []);
});

test("windows and nearest-centre labelling give the turns worked out by hand", () => {
  const speech: [number, number][] = [
    [0, 1],
    [2, 5],
  ];
  const w = A.windowsOf(speech, 1.5, 0.75);
  assert.deepEqual(w, [
    [0, 1],
    [2, 3.5],
    [2.75, 4.25],
    [3.5, 5],
  ]);
  const turns = A.labelsToTurns(speech, w, [0, 1, 1, 0]);
  assert.equal(turns.length, 3);
  assert.deepEqual(
    turns.map((t) => t.speaker),
    ["spk0", "spk1", "spk0"],
  );
  // The change falls halfway between the centres 3.5 and 4.25.
  assert.ok(Math.abs(turns[1]!.end - 3.875) < 0.011 && Math.abs(turns[2]!.start - 3.875) < 0.011, JSON.stringify(turns));
  assert.ok(Math.abs(turns[0]!.end - 1) < 1e-9 && Math.abs(turns[2]!.end - 5) < 1e-9);
});

test("agglomerativeCosine counts the speakers of a separable toy set", () => {
  // By hand: two directions, cosines within a pair 0.994, across pairs ≤ 0.2.
  const v = (...x: number[]) => Float32Array.from(x);
  assert.deepEqual(A.agglomerativeCosine([v(1, 0), v(0, 1), v(0.9, 0.1), v(0.1, 0.9)], { threshold: 0.5 }), [0, 1, 0, 1]);
  // Three seeded clusters of 10 noisy points around orthogonal directions in 8-D.
  const rng = new fl.data.Random(11);
  const pts: Float32Array[] = [];
  const truth: number[] = [];
  for (let i = 0; i < 30; i++) {
    const c = i % 3;
    pts.push(Float32Array.from({ length: 8 }, (_, d) => (d === c ? 1 : 0) + 0.15 * (rng.nextFloat() - 0.5)));
    truth.push(c);
  }
  const labels = A.agglomerativeCosine(pts, { threshold: 0.5 });
  assert.equal(new Set(labels).size, 3);
  for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) assert.equal(labels[i] === labels[j], truth[i] === truth[j]);
  // Above every pairwise similarity nothing merges; below every one all merge.
  assert.equal(new Set(A.agglomerativeCosine(pts, { threshold: 0.9999 })).size, 30);
  assert.equal(new Set(A.agglomerativeCosine(pts, { threshold: -1 })).size, 1);
  // A lone outlier joins its nearest large cluster when minSize is 2.
  const withOutlier = [...pts, v(0.6, 0.5, 0, 0, 0, 0, 0, 0.6)];
  assert.equal(new Set(A.agglomerativeCosine(withOutlier, { threshold: 0.7 })).size, 4);
  assert.equal(new Set(A.agglomerativeCosine(withOutlier, { threshold: 0.7, minSize: 2 })).size, 3);
  assert.throws(() => A.agglomerativeCosine(pts, { threshold: 2 }), /threshold/);
});

test("x-vector: one embedding per window of any length; timeline SVG rows", () => {
  fl.manualSeed(0);
  const net = new A.XVector({ nMels: 40, numSpeakers: 5, channels: 16, embedding: 8 });
  net.eval();
  const e1 = fl.noGrad(() => net.embed(fl.randn([3, 40, 50])));
  const e2 = fl.noGrad(() => net.embed(fl.randn([2, 1, 40, 173])));
  assert.deepEqual(e1.shape, [3, 8]);
  assert.deepEqual(e2.shape, [2, 8]);
  assert.deepEqual(fl.noGrad(() => net.forward(fl.randn([2, 40, 60]))).shape, [2, 5]);
  const svg = A.timelineSvg(
    [
      { label: "reference", turns: [{ start: 0, end: 1, speaker: "A" }] },
      { label: "hypothesis <x>", turns: [{ start: 0.1, end: 1, speaker: "spk0" }], colourAs: { spk0: "A" } },
    ],
    2,
  );
  assert.ok(svg.startsWith("<svg") && svg.includes("hypothesis &lt;x&gt;"));
  // The hypothesis bar takes the colour of the reference speaker it maps to.
  const fills = [...svg.matchAll(/fill="(#[0-9a-f]{6})" fill-opacity/g)].map((m) => m[1]);
  assert.equal(fills.length, 2);
  assert.equal(fills[0], fills[1]);
});
