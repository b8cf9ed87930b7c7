// WAV decoding against torchaudio.load (files written by sox), round trips, and corrupt files.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { assertClose, FIXTURES, readFixture, type TensorJson } from "../helpers/fixtures.js";

const A = fl.audio;
const ref = readFixture<Record<string, { sampleRate: number; waveform: TensorJson }>>("audio", "wav.json");
const dir = join(FIXTURES, "audio");
const tmp = mkdtempSync(join(tmpdir(), "flambeau-wav-"));
const isErr = (re: RegExp) => (e: unknown) => e instanceof fl.FlambeauError && re.test(e.message);

test("readWav: PCM 8/16/24/32-bit and float32, mono and stereo, equal torchaudio.load", () => {
  for (const [name, r] of Object.entries(ref)) {
    const w = A.readWav(join(dir, `tone_${name}.wav`));
    assert.equal(w.sampleRate, r.sampleRate, name);
    assertClose(w.waveform, r.waveform, `tone_${name}.wav`, 0, 1e-7);
  }
});

test("writeWav → readWav round trips in every encoding within its quantisation step", () => {
  const x = fl.tensor([
    [0, 0.5, -0.5, 0.75, -1, 0.25],
    [0.1, -0.1, 0.3, -0.3, 0.7, -0.7],
  ]);
  const steps = { pcm8: 1 / 128, pcm16: 1 / 32768, pcm24: 1 / 8388608, pcm32: 1e-7, float32: 0 } as const;
  for (const [enc, step] of Object.entries(steps)) {
    const p = join(tmp, `rt_${enc}.wav`);
    A.writeWav(p, x, 22050, { encoding: enc as fl.audio.WavEncoding });
    const info = A.inspectWav(readFileSync(p));
    assert.deepEqual([info.encoding, info.channels, info.frames, info.sampleRate], [enc, 2, 6, 22050]);
    const back = A.readWav(p);
    assertClose(back.waveform, x, `round trip ${enc}`, 0, step / 2 + 1e-9);
  }
  // Mono from a 1-D tensor; out-of-range values clip instead of wrapping.
  const p = join(tmp, "clip.wav");
  A.writeWav(p, fl.tensor([2, -3, 0.5]), 8000);
  assertClose(A.readWav(p).waveform, fl.tensor([[32767 / 32768, -1, 0.5]]), "clipping", 0, 1e-7);
});

test("readWav: streaming headers (espeak-ng --stdout style size 0x7ffff000) are read to the end", () => {
  const bytes = new Uint8Array(readFileSync(join(dir, "tone_pcm16_1ch.wav")));
  const dv = new DataView(bytes.buffer);
  dv.setUint32(40, 0x7ffff000, true);
  dv.setUint32(4, 0x7ffff024, true);
  const w = A.decodeWav(bytes, "stream.wav");
  assertClose(w.waveform, ref.pcm16_1ch!.waveform, "streamed", 0, 1e-7);
});

test("readWav: truncated, foreign, empty and unsupported files are FlambeauErrors naming the file", () => {
  const good = readFileSync(join(dir, "tone_pcm16_2ch.wav"));
  const trunc = join(tmp, "trunc.wav");
  writeFileSync(trunc, good.subarray(0, good.length - 10));
  assert.throws(() => A.readWav(trunc), isErr(/trunc\.wav: truncated: the data chunk declares 256 bytes but only 246 follow/));
  const flac = join(tmp, "x.wav");
  writeFileSync(flac, Buffer.from('fLaC\0\0\0"........................................'));
  assert.throws(() => A.readWav(flac), isErr(/x\.wav: not a RIFF\/WAVE file \(starts with "fLaC"\) \(convert it first/));
  const empty = join(tmp, "empty.wav");
  writeFileSync(empty, Buffer.alloc(0));
  assert.throws(() => A.readWav(empty), isErr(/empty\.wav: 0 bytes is too short/));
  assert.throws(() => A.readWav(join(tmp, "missing.wav")), isErr(/readWav: cannot read .*missing\.wav \(ENOENT\)/));
  const alaw = new Uint8Array(good);
  new DataView(alaw.buffer).setUint16(20, 6, true);
  assert.throws(() => A.decodeWav(alaw, "alaw.wav"), isErr(/alaw\.wav: unsupported sample format \(format tag 6, 16 bits\)/));
  const nodata = new Uint8Array(good.subarray(0, 36));
  assert.throws(() => A.decodeWav(nodata, "nodata.wav"), isErr(/nodata\.wav: no data chunk/));
  assert.throws(() => A.encodeWav(fl.zeros([2, 3, 4]), 16000), isErr(/encodeWav: expected a \[channels, frames\]/));
  assert.throws(() => A.encodeWav(fl.zeros([3]), 0), isErr(/sampleRate must be an integer/));
});
