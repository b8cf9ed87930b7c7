// music-generation's parts: the strict MIDI reader/writer (hand-made bytes, errors naming the
// file and byte, a round trip of every packaged MIDI file), the event tokenizer, the n-gram
// baseline's NLL checked by hand, the overlapping area, and a tiny train → eval → predict.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { encodeMidi, midiNotes, type Note, notesToMidi, parseMidi, readMidi } from "../../src/audio/music/midi.js";
import { fitNgram, ngramNll } from "../../src/audio/music/ngram.js";
import { MUSIC_SETS } from "../../src/audio/music/sets.js";
import { overlappingArea } from "../../src/audio/music/stats.js";
import {
  binVelocity,
  decodeTokens,
  encodeNotes,
  NOTE_OFF,
  NOTE_ON,
  TIME_SHIFT,
  tokenName,
  VELOCITY,
} from "../../src/audio/music/tokens.js";
import { musicGeneration } from "../../src/audio/tasks/music-generation.js";

// Format 0, 96 ticks per quarter, tempo 500000 µs: C4 (velocity 64) for a quarter, then D4
// (velocity 80) for two quarters; note-ons in running status, the first release a note-on of velocity 0.
const TRACK = [
  0x00, 0xff, 0x51, 0x03, 0x07, 0xa1, 0x20, 0x00, 0x90, 0x3c, 0x40, 0x60, 0x3c, 0x00, 0x00, 0x3e, 0x50, 0x81, 0x40, 0x80, 0x3e, 0x00, 0x00,
  0xff, 0x2f, 0x00,
];
const header = (format: number, tracks: number, division: number) => [
  0x4d,
  0x54,
  0x68,
  0x64,
  0,
  0,
  0,
  6,
  0,
  format,
  0,
  tracks,
  division >> 8,
  division & 0xff,
];
const chunk = (body: number[]) => [0x4d, 0x54, 0x72, 0x6b, 0, 0, body.length >> 8, body.length & 0xff, ...body];
const HAND = Uint8Array.from([...header(0, 1, 96), ...chunk(TRACK)]);

test("the MIDI reader parses hand-made bytes: running status, tempo, velocity-0 releases", () => {
  const m = parseMidi(HAND, "hand.mid");
  assert.equal(m.format, 0);
  assert.equal(m.division, 96);
  assert.deepEqual(
    m.tracks[0]!.map((e) => [e.delta, e.kind === "meta" ? `meta ${e.type}` : e.kind === "channel" ? e.status : -1]),
    [
      [0, "meta 81"],
      [0, 0x90],
      [96, 0x90],
      [0, 0x90],
      [192, 0x80],
      [0, "meta 47"],
    ],
  );
  const notes = midiNotes(m);
  assert.deepEqual(
    notes.map((n) => [n.pitch, n.velocity, n.start, n.end]),
    [
      [60, 64, 0, 0.5],
      [62, 80, 0.5, 1.5],
    ],
  );
  // The writer uses running status the same way: the bytes come back unchanged.
  assert.deepEqual(encodeMidi(m), HAND);
  assert.deepEqual(parseMidi(encodeMidi(m, { runningStatus: false })), m);
});

test("a tempo change in a format-1 conductor track retimes the notes of the other track", () => {
  // Track 0: tempo 500000, then at tick 96 tempo 250000 (twice as fast). Track 1: a note from tick 0 to 192.
  const conductor = [0x00, 0xff, 0x51, 0x03, 0x07, 0xa1, 0x20, 0x60, 0xff, 0x51, 0x03, 0x03, 0xd0, 0x90, 0x00, 0xff, 0x2f, 0x00];
  const notes = [0x00, 0x91, 0x40, 0x64, 0x81, 0x40, 0x81, 0x40, 0x00, 0x00, 0xff, 0x2f, 0x00];
  const m = parseMidi(Uint8Array.from([...header(1, 2, 96), ...chunk(conductor), ...chunk(notes)]));
  const [n] = midiNotes(m);
  assert.equal(n!.channel, 1);
  assert.ok(Math.abs(n!.end - 0.75) < 1e-12, `0.5 s for the first quarter + 0.25 s for the second, got ${n!.end}`);
});

test("malformed MIDI bytes are rejected with the file and the byte offset", () => {
  const bad = (bytes: number[], re: RegExp) => assert.throws(() => parseMidi(Uint8Array.from(bytes), "x.mid"), re);
  bad([0x52, 0x49, 0x46, 0x46], /x\.mid: byte 0: not a MIDI file/);
  bad([...HAND.subarray(0, HAND.length - 3)], /x\.mid: byte 14: chunk "MTrk" of 26 bytes runs past the end/);
  bad([...header(2, 1, 96), ...chunk(TRACK)], /SMF format 2 is not supported/);
  bad(
    [...header(0, 1, 96), ...chunk([0x00, 0x3c, 0x40, 0x00, 0xff, 0x2f, 0x00])],
    /x\.mid: byte 23: track 0: data byte 0x3c with no running status/,
  );
  bad([...header(0, 1, 96), ...chunk([0x00, 0x90, 0x3c, 0x40])], /byte 26: track 0 has no End of Track/);
  bad(
    [...header(0, 1, 96), ...chunk([0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0x2f, 0x00])],
    /byte 22: track 0 delta time: a variable-length quantity longer than 4 bytes/,
  );
  bad(
    [...header(0, 1, 96), ...chunk([0x00, 0x90, 0x3c, 0x80, 0x00, 0xff, 0x2f, 0x00])],
    /byte 25: track 0: data byte 0x80 has its top bit set/,
  );
  assert.throws(() => readMidi("/nonexistent/song.mid"), /cannot read \/nonexistent\/song\.mid/);
});

const PACKAGED = [MUSIC_SETS.openmsx.dir, MUSIC_SETS.planetblupi.dir].flatMap((d) =>
  existsSync(d)
    ? readdirSync(d)
        .filter((f) => f.endsWith(".mid"))
        .map((f) => join(d, f))
    : [],
);

test("every packaged MIDI file survives a write → read round trip", {
  skip: PACKAGED.length === 0 && "the MIDI packages are not installed",
}, () => {
  assert.ok(PACKAGED.length >= 40, `${PACKAGED.length} files`);
  for (const f of PACKAGED) {
    const m = readMidi(f);
    const bytes = encodeMidi(m);
    const again = parseMidi(bytes, f);
    assert.deepEqual(again, m, f);
    assert.deepEqual(encodeMidi(again), bytes, f);
    assert.deepEqual(midiNotes(again), midiNotes(m), f);
  }
});

test("tokens: Music Transformer's events for two overlapping notes, and their round trip", () => {
  const v = binVelocity(16);
  const notes: Note[] = [
    { pitch: 60, velocity: v, start: 0, end: 0.5, channel: 0, program: 0 },
    { pitch: 64, velocity: v, start: 0.25, end: 1.75, channel: 0, program: 0 },
  ];
  const t = encodeNotes(notes);
  assert.deepEqual(t.map(tokenName), [
    "VELOCITY_16",
    "NOTE_ON_60",
    "TIME_SHIFT_25",
    "NOTE_ON_64",
    "TIME_SHIFT_25",
    "NOTE_OFF_60",
    "TIME_SHIFT_100",
    "TIME_SHIFT_25",
    "NOTE_OFF_64",
  ]);
  assert.deepEqual(t, [
    VELOCITY + 16,
    NOTE_ON + 60,
    TIME_SHIFT + 24,
    NOTE_ON + 64,
    TIME_SHIFT + 24,
    NOTE_OFF + 60,
    TIME_SHIFT + 99,
    TIME_SHIFT + 24,
    NOTE_OFF + 64,
  ]);
  assert.deepEqual(decodeTokens(t), notes);
  // Transposition moves pitches; a 5 % slower tempo stretches the shifts (25 → 26, 150 → 158 steps).
  const up = decodeTokens(encodeNotes(notes, { transpose: 3, stretch: 1.05 }));
  assert.deepEqual(
    up.map((n) => n.pitch),
    [63, 67],
  );
  assert.deepEqual(
    up.map((n) => [Math.round(n.start * 100), Math.round(n.end * 100)]),
    [
      [0, 53],
      [26, 184],
    ],
  );
  // The drum channel is left out.
  assert.deepEqual(encodeNotes([{ ...notes[0]!, channel: 9 }]), []);
});

test("tokens of a packaged piece decode to notes that encode to the same tokens", {
  skip: PACKAGED.length === 0 && "no MIDI packages",
}, () => {
  for (const f of PACKAGED.slice(0, 6)) {
    const t = encodeNotes(midiNotes(readMidi(f)));
    assert.ok(t.length > 500, f);
    assert.deepEqual(encodeNotes(decodeTokens(t)), t, f);
    // And through a written MIDI file (960 ticks per quarter at 120 bpm keeps 10 ms steps exact after rounding).
    const back = midiNotes(parseMidi(encodeMidi(notesToMidi(decodeTokens(t)))));
    assert.deepEqual(encodeNotes(back), t, f);
  }
});

test("n-gram NLL matches a hand computation (add-1, unigram and bigram)", () => {
  // Vocabulary of 4; token 3 is the style token that starts each sequence; 1 = a, 2 = b.
  const train = [
    [3, 1, 2, 1],
    [3, 1, 1],
  ];
  // Bigram counts: 3→1 ×2, 1→2 ×1, 2→1 ×1, 1→1 ×1. P(1|3) = (2+1)/(2+4), P(2|1) = (1+1)/(2+4).
  const bi = fitNgram(train, 2, 4, 1);
  const r = ngramNll(bi, [[3, 1, 2]]);
  assert.equal(r.tokens, 2);
  assert.ok(Math.abs(r.nll - (Math.log(2) + Math.log(3)) / 2) < 1e-12);
  // Unigram counts of predicted tokens: a ×4, b ×1 of 5. P(a) = 5/9, P(b) = 2/9.
  const uni = fitNgram(train, 1, 4, 1);
  assert.ok(Math.abs(ngramNll(uni, [[3, 1, 2]]).nll + (Math.log(5 / 9) + Math.log(2 / 9)) / 2) < 1e-12);
});

test("overlapping area of two histograms", () => {
  assert.equal(overlappingArea([1, 1], [1, 3]), 0.75);
  assert.equal(overlappingArea([2, 0], [0, 5]), 0);
  assert.equal(overlappingArea([3, 1], [6, 2]), 1);
});

test("music-generation trains, evaluates and generates MIDI + WAV on a tiny budget", {
  skip: PACKAGED.length === 0 && "no MIDI packages",
}, async () => {
  const root = mkdtempSync(join(tmpdir(), "flambeau-music-"));
  const styles = {
    calm: ["relax_song", "ultimate_run", "coconut_run2"],
    brisk: ["chuggachugga", "train_filled_with_cash", "5432gone_redfarn"],
  };
  for (const [s, files] of Object.entries(styles)) {
    mkdirSync(join(root, s));
    for (const f of files) copyFileSync(join(MUSIC_SETS.openmsx.dir, `${f}.mid`), join(root, s, `${f}.mid`));
  }
  const data = `${join(root, "calm")},${join(root, "brisk")}`;
  const out = join(root, "model");
  const r = await musicGeneration.train({
    data,
    out,
    seed: 0,
    epochs: 1,
    batchSize: 4,
    window: 48,
    windowsPerEpoch: 8,
    dModel: 32,
    layers: 1,
  });
  assert.equal(r.history.epochs.length, 1);
  assert.ok(Number.isFinite(r.metrics.valLoss as number));
  const e = await musicGeneration.evaluate(out, data, { samples: 1, seconds: 2, limit: 2 });
  for (const k of [
    "nll",
    "nllUnigram",
    "nllBigram",
    "nllTrigram",
    "styleAccuracyReal",
    "styleAccuracyGenerated",
    "pitchClassOA",
    "durationOA",
    "pitchClassOANgram",
  ])
    assert.ok(Number.isFinite(e[k] as number), `${k}: ${e[k]}`);
  assert.ok((e.nllBigram as number) < (e.nllUnigram as number));
  const p = await musicGeneration.load(out);
  try {
    const [piece] = await p.predict([], { style: "brisk", seconds: 3, out: join(root, "piece.mid") });
    assert.equal(piece!.style, "brisk");
    assert.ok(piece!.notes > 0 && piece!.seconds >= 3);
    assert.ok(midiNotes(readMidi(piece!.midi)).length === piece!.notes);
    assert.ok(existsSync(piece!.wav));
    await assert.rejects(p.predict([], { style: "jazz" }), /unknown style "jazz"; this model knows 0: calm, 1: brisk/);
  } finally {
    p.dispose();
  }
});
