// doubleFrameRate: a video at twice its frame rate as it streams — a synthesised frame between
// each pair of decoded ones. Only the chunk being read and the frame before it are held, so a
// long video passes through in bounded memory.
import { cat, noGrad, stack, type Tensor, tidy } from "../core/index.js";
import { chunkTensor, type VideoChunk } from "./io/read.js";
import type { FlowInterpolator } from "./prediction/flow-interpolator.js";

const toChunk = (start: number, y: Tensor): VideoChunk => ({
  start,
  shape: y.shape as [number, number, number, number],
  data: y.data() as Uint8Array,
});

/** uint8 chunks [T, 3, H, W] (H, W multiples of 4) → uint8 chunks of the 2T − 1 frames f0, m0, f1, m1, …, f(T−1). */
export async function* doubleFrameRate(model: FlowInterpolator, chunks: AsyncIterable<VideoChunk>): AsyncGenerator<VideoChunk> {
  let prev: Tensor | null = null; // the last frame read, [1, 3, H, W] in [0, 1]
  let written = 0;
  try {
    for await (const c of chunks) {
      const frames = tidy(() => chunkTensor(c).float().div(255));
      const ends: Tensor = prev ? cat([prev, frames], 0) : frames;
      const n = ends.shape[0]! - 1;
      if (n > 0) {
        const out = noGrad(() =>
          tidy(() => {
            const mids = model.forward(ends.narrow(0, 0, n), ends.narrow(0, 1, n)).clamp(0, 1);
            // f0, m0, f1, m1, …: each pair's first frame, then the frame between it and the next.
            return stack([ends.narrow(0, 0, n), mids], 1)
              .reshape([2 * n, ...ends.shape.slice(1)])
              .mul(255)
              .round()
              .to("uint8")
              .contiguous();
          }),
        );
        const chunk = toChunk(written, out);
        out.dispose();
        written += 2 * n;
        yield chunk;
      }
      const last: Tensor = tidy(() => ends.narrow(0, n, 1).contiguous());
      if (ends !== frames) ends.dispose();
      frames.dispose();
      prev?.dispose();
      prev = last;
    }
    if (prev) {
      const y = tidy(() => prev!.mul(255).round().to("uint8").contiguous());
      const chunk = toChunk(written, y);
      y.dispose();
      yield chunk;
    }
  } finally {
    prev?.dispose();
  }
}
