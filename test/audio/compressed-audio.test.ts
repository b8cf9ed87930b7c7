// Non-WAV audio in AudioFolders: FLAC, MP3, Ogg Vorbis, Opus and M4A/AAC made by ffmpeg from a
// synthesized WAV are read like the WAV (FLAC bit for bit, the lossy codecs close to it), mixed
// into one folder, bounded by the duration cap, and corrupt files are errors (or data-inspect
// problems) that name the file.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as fl from "flambeau";
import { readAudioFolder, readMono } from "../../src/audio/data/audio-folder.js";
import { resolveAudioData } from "../../src/audio/data/sources.js";
import { decodeAudioFile, readAudioSamples } from "../../src/audio/decode-file.js";
import { readWavSamples, writeWav } from "../../src/audio/wav.js";
import { scanAudioFolder } from "../../src/cli/inspect/audio.js";
import { FFMPEG_TOOLS } from "../../src/io/ffmpeg.js";
import { failsWith, tempFiles } from "../helpers/temp-files.js";

fl.setNumThreads(1);
const { dir } = tempFiles("fl-compressed-audio-");

let hasFfmpeg = true;
try {
  execFileSync("ffmpeg", ["-version"], { stdio: "ignore" });
} catch {
  hasFfmpeg = false;
}
const skip = !hasFfmpeg && "ffmpeg is not installed";

const tone = (hz: number, seconds: number, rate: number, amp = 0.3): Float32Array =>
  Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

/** Encodes a WAV to another format by its extension (ffmpeg's default codec for it). */
const encode = (wav: string, out: string): string => {
  execFileSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", wav, out], { stdio: ["ignore", "ignore", "pipe"] });
  return out;
};

/** The best correlation of `a` with `b` shifted by up to `maxLag` samples (codecs add a delay). */
function bestCorrelation(a: Float32Array, b: Float32Array, maxLag: number): number {
  let best = -1;
  const n = Math.min(a.length, b.length) - 2 * maxLag;
  for (let lag = -maxLag; lag <= maxLag; lag += 1) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = maxLag; i < maxLag + n; i++) {
      const x = a[i]!;
      const y = b[i + lag]!;
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    best = Math.max(best, ab / Math.sqrt(aa * bb));
  }
  return best;
}

describe("compressed audio through ffmpeg", { skip }, () => {
  // A 22.05 kHz stereo 16-bit WAV: two tones, one per channel.
  const wav = join(dir, "source.wav");
  writeWav(wav, [tone(440, 1, 22050), tone(660, 1, 22050, 0.2)], 22050, { encoding: "pcm16" });

  test("FLAC gives the WAV's samples exactly; MP3, Ogg, Opus and M4A come close", () => {
    const ref = readMono(wav, 16000);
    const flac = encode(wav, join(dir, "source.flac"));
    const raw = readAudioSamples(flac);
    assert.deepEqual([raw.sampleRate, raw.channels, raw.frames], [22050, 2, 22050]);
    assert.deepEqual(raw.data, readWavSamples(wav).data);
    assert.deepEqual(readMono(flac, 16000), ref);
    for (const ext of ["mp3", "ogg", "opus", "m4a"]) {
      const mono = readMono(encode(wav, join(dir, `source.${ext}`)), 16000);
      // Encoder padding and delay: within 60 ms of the second (Opus at 48 kHz inside, resampled by us).
      assert.ok(Math.abs(mono.length - 16000) < 960, `${ext}: ${mono.length} samples`);
      const r = bestCorrelation(ref, mono, 800);
      assert.ok(r > 0.95, `${ext}: correlation ${r}`);
    }
  });

  test("an AudioFolder of mixed formats, and resolveAudioData on it", async () => {
    const root = join(dir, "folder");
    for (const c of ["high", "low"]) mkdirSync(join(root, c), { recursive: true });
    for (let k = 0; k < 3; k++) {
      const h = join(dir, `h${k}.wav`);
      const l = join(dir, `l${k}.wav`);
      writeWav(h, [tone(1500 + 100 * k, 0.5, 16000)], 16000);
      writeWav(l, [tone(200 + 20 * k, 0.5, 44100), tone(200 + 20 * k, 0.5, 44100)], 44100);
      encode(h, join(root, "high", `h${k}.${["flac", "mp3", "ogg"][k]}`));
      encode(l, join(root, "low", `l${k}.${["m4a", "opus", "flac"][k]}`));
    }
    writeFileSync(join(root, "low", "notes.txt"), "not audio");
    const s = readAudioFolder(root, { sampleRate: 16000 });
    assert.deepEqual(s.classes, ["high", "low"]);
    assert.deepEqual(s.labels, [0, 0, 0, 1, 1, 1]);
    assert.deepEqual(
      s.sources.map((p) => p.slice(root.length + 1)),
      ["high/h0.flac", "high/h1.mp3", "high/h2.ogg", "low/l0.m4a", "low/l1.opus", "low/l2.flac"],
    );
    assert.ok(s.clips.every((c) => Math.abs(c.length - 8000) < 960));
    const d = await resolveAudioData(`${root}?window=0.5`, { seed: 0 });
    assert.equal(d.train.clips.length + d.val.clips.length, 6);
    const scan = scanAudioFolder(root);
    assert.equal(scan.items.length, 6);
    assert.deepEqual(scan.problems, []);
  });

  test("corrupt and truncated files are errors naming the file; data inspect lists them", async () => {
    const root = join(dir, "broken");
    mkdirSync(join(root, "a"), { recursive: true });
    const garbage = join(root, "a", "noise.mp3");
    writeFileSync(garbage, "ID3 this is not an mp3 at all ".repeat(40));
    assert.throws(() => readMono(garbage, 16000), failsWith(/decodeAudioFile: .*broken\/a\/noise\.mp3: /));
    const flac = readFileSync(encode(wav, join(dir, "whole.flac")));
    const cut = join(root, "a", "cut.flac");
    writeFileSync(cut, flac.subarray(0, 40));
    assert.throws(() => readMono(cut, 16000), failsWith(/broken\/a\/cut\.flac/));
    await assert.rejects(resolveAudioData(root), failsWith(/broken\/a\/cut\.flac/));
    const scan = scanAudioFolder(root);
    assert.equal(scan.problems.length, 2);
    assert.match(scan.problems.join("\n"), /cut\.flac: unreadable audio/);
    assert.match(scan.problems.join("\n"), /noise\.mp3: unreadable audio/);
  });

  test("the duration cap bounds the decode and warns with the file's name", async () => {
    const long = join(dir, "long.wav");
    writeWav(long, [tone(300, 3, 8000)], 8000);
    const ogg = encode(long, join(dir, "long.ogg"));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    const s = decodeAudioFile(ogg, { maxSeconds: 1 });
    process.env.FLAMBEAU_MAX_AUDIO_SECONDS = "0.5";
    let viaEnv: Float32Array;
    try {
      viaEnv = readMono(ogg, 8000);
    } finally {
      delete process.env.FLAMBEAU_MAX_AUDIO_SECONDS;
    }
    await new Promise((r) => setImmediate(r));
    process.off("warning", onWarning);
    assert.equal(s.frames, 8000);
    assert.equal(viaEnv.length, 4000);
    assert.ok(
      warnings.some((w) => /long\.ogg is 3\.0 s long; only its first 1 s are read/.test(w)),
      warnings.join("; "),
    );
    assert.throws(() => decodeAudioFile(ogg, { maxSeconds: -1 }), failsWith(/duration cap must be a number of seconds/));
  });

  test("a missing ffmpeg says how to install it", () => {
    const flac = join(dir, "source.flac");
    assert.throws(
      () => decodeAudioFile(flac, { ffprobe: "/nonexistent/ffprobe" }),
      failsWith(/ffprobe is not installed.*apt-get install ffmpeg/),
    );
    const saved = FFMPEG_TOOLS.ffmpeg;
    FFMPEG_TOOLS.ffmpeg = "/nonexistent/ffmpeg";
    try {
      assert.throws(() => readMono(flac, 16000), failsWith(/ffmpeg is not installed/));
    } finally {
      FFMPEG_TOOLS.ffmpeg = saved;
    }
  });
});
