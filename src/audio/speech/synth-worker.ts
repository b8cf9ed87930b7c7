// The synthesizer pool's own small process. Each clip spawns espeak-ng/flite and sox, and a
// spawn forks the calling process: from a training process holding gigabytes (libtorch's
// tensors, cached data sets) each fork costs hundreds of milliseconds — 1,020 keyword clips
// took 424 s (2.4 clips/s) inside the demo against 20 s (49 clips/s) from a fresh process.
// So generateUtterances forks this module once and it does the spawning. It imports no
// libtorch; its messages are plain JSON.
import { renameSync } from "node:fs";
import { runPool } from "./cache.js";
import { synthesize, type UtteranceSpec } from "./synth.js";

export interface SynthJob {
  clips: { spec: UtteranceSpec; tmp: string; file: string }[];
  concurrency?: number;
}

export type SynthMessage = { done: number } | { error: { code: string; message: string } };

function send(m: SynthMessage): void {
  process.send?.(m);
}

process.once("message", async (job: SynthJob) => {
  let done = 0;
  try {
    await runPool(
      job.clips,
      async ({ spec, tmp, file }) => {
        await synthesize(spec, tmp);
        renameSync(tmp, file);
        done++;
        if (done % 100 === 0) send({ done });
      },
      job.concurrency,
    );
  } catch (e) {
    const err = e as { code?: string; message?: string };
    send({ error: { code: err.code ?? "E_IO", message: err.message ?? String(e) } });
    // A non-zero exit is how the parent knows that not every clip was made.
    process.exitCode = 1;
  }
  process.disconnect?.();
});
