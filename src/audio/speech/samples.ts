// Recorded samples from npm `supersonic-scsynth-samples` (CC0, FLAC), decoded once by sox
// to 16 kHz mono WAV under the cache: ambient loops serve as background noise, drum and
// instrument hits as an instrument-recognition set.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { basename, join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { optionalPackageDir } from "../../core/optional.js";
import { readWavSamples } from "../wav.js";
import { runPool } from "./cache.js";

export function supersonicDir(): string {
  return join(optionalPackageDir("supersonic-scsynth-samples", "the noise and instrument samples", "samples"), "samples");
}

function sox(src: string, dst: string, rate: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn("sox", ["-q", src, "-r", String(rate), "-c", "1", "-b", "16", dst], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    p.on("error", (e) =>
      reject(
        new FlambeauError(
          "E_IO",
          `sox: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "not installed (Debian package sox)" : e.message}`,
          "samples",
        ),
      ),
    );
    p.on("close", (c) =>
      c === 0 ? resolve() : reject(new FlambeauError("E_IO", `sox could not decode ${src}: ${err.trim()}`, "samples")),
    );
  });
}

export interface DecodedSample {
  name: string;
  samples: Float32Array;
}

/** Decodes the named samples (file names without extension) to mono at `rate`, cached. */
export async function loadSupersonic(names: readonly string[], cacheDir: string, rate = 16000): Promise<DecodedSample[]> {
  const src = supersonicDir();
  const out = join(cacheDir, `supersonic-${rate}`);
  mkdirSync(out, { recursive: true });
  await runPool(names, async (n) => {
    const dst = join(out, `${n}.wav`);
    if (existsSync(dst)) return;
    const tmp = `${dst}.${process.pid}.tmp.wav`;
    await sox(join(src, `${n}.flac`), tmp, rate);
    renameSync(tmp, dst);
  });
  return names.map((n) => ({ name: n, samples: readWavSamples(join(out, `${n}.wav`)).data[0]! }));
}

/** The sample names (FLAC files, no extension) matching a predicate, sorted. */
export function supersonicNames(keep: (name: string) => boolean): string[] {
  return readdirSync(supersonicDir())
    .filter((f) => f.endsWith(".flac"))
    .map((f) => basename(f, ".flac"))
    .filter(keep)
    .sort();
}

/** Background noise: the ambient pads, the loops and vinyl hiss. */
export const isNoiseSample = (n: string): boolean => n.startsWith("ambi_") || n.startsWith("loop_") || n === "vinyl_hiss";

/** Instrument classes of the percussive and pitched samples; null for samples left out. */
export function instrumentClass(n: string): string | null {
  if (/^(bd_|drum_bass_|drum_heavy_kick|elec_(hollow|soft)_kick)/.test(n)) return "kick";
  if (/^(sn_|drum_snare_|elec_(filt_|hi_|lo_|mid_)?snare)/.test(n)) return "snare";
  if (/^(hat_|drum_cymbal_|drum_splash_|ride_|elec_cymbal|tbd_perc_hat)/.test(n)) return "cymbal";
  if (/^(drum_tom_|elec_fuzz_tom)/.test(n)) return "tom";
  if (/^(bass_|glitch_bass_)/.test(n)) return "bass";
  if (/^tabla_/.test(n)) return "tabla";
  return null;
}
