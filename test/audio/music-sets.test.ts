// The music classification sets: split by piece (no piece on both sides), labels from the
// instrument that renders it, excerpts of the asked length, at a tiny size (3 pieces per
// collection, 4 s each) so the FluidSynth renderings take seconds.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import * as fl from "flambeau";

const A = fl.audio;
const HAVE = existsSync("/usr/share/games/openttd/baseset/openmsx") && existsSync("/usr/share/planetblupi/music");

test("music-instruments: every piece played by six instruments, split by piece", { skip: !HAVE }, async () => {
  const d = await A.resolveAudioData("music-instruments?pieces=3&perPiece=2&maxSeconds=4&window=1");
  assert.equal(d.length, 16000);
  assert.deepEqual(d.train.classes, ["piano", "organ", "guitar", "strings", "trumpet", "flute"]);
  const piece = (s: string) => s.replace(/ \(.*\)$/, "");
  const pieces = (c: fl.audio.ClipSet) => new Set(c.sources.map(piece));
  // 6 pieces: one to test, one to validation (a piece silent but for drums in its first 4 s is left out).
  assert.deepEqual([pieces(d.val).size, pieces(d.test).size], [1, 1]);
  assert.ok(pieces(d.train).size >= 3, `${pieces(d.train).size} training pieces`);
  for (const p of pieces(d.test)) assert.ok(!pieces(d.train).has(p) && !pieces(d.val).has(p), p);
  // Each piece appears once per instrument, each label once per piece and excerpt.
  for (const c of [d.train, d.val, d.test]) {
    for (const clip of c.clips) assert.equal(clip.length, 16000);
    const counts = c.classes.map((_, i) => c.labels.filter((l) => l === i).length);
    assert.ok(
      counts.every((n) => n === counts[0] && n > 0),
      counts.join("/"),
    );
  }
  await assert.rejects(A.resolveAudioData("music-instruments?window=0.1"), /window must be in \[0\.5, 30\] s, got 0\.1/);
  await assert.rejects(A.resolveAudioData("music-instruments?pieces=1"), /pieces must be an integer ≥ 3 .*, got 1/);
});
