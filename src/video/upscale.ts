// upscaleFrames: a video super-resolved as it streams. Frame t comes from the window of
// frames t − K/2 … t + K/2 (the first and last frames repeated at the ends); only the window's
// frames are held, so a long video passes through in bounded memory.
import { noGrad, stack, type Tensor, tidy } from "../core/index.js";
import { chunkTensor, type VideoChunk } from "./io/read.js";
import type { WindowSR } from "./models/window-sr.js";

/** Upscales a stream of uint8 chunks [T, 3, h, w]; yields one chunk [1, 3, s·h, s·w] per frame, in order. */
export async function* upscaleFrames(model: WindowSR, chunks: AsyncIterable<VideoChunk>): AsyncGenerator<VideoChunk> {
  const r = model.window >> 1;
  const held: Tensor[] = [];
  let first = 0; // index of held[0]
  let total = 0; // frames read
  let next = 0; // next frame to write
  const emit = function* (final: boolean): Generator<VideoChunk> {
    while (next < total && (final || next + r < total)) {
      const idx = Array.from({ length: model.window }, (_, i) => Math.min(total - 1, Math.max(0, next - r + i)) - first);
      const y = noGrad(() =>
        tidy(() =>
          model
            .forward(stack(idx.map((i) => held[i]!)).unsqueeze(0))
            .clamp(0, 1)
            .mul(255)
            .round()
            .to("uint8")
            .contiguous(),
        ),
      );
      const chunk: VideoChunk = { start: next, shape: y.shape as [number, number, number, number], data: y.data() as Uint8Array };
      y.dispose();
      yield chunk;
      next++;
      while (first < next - r) {
        held.shift()!.dispose();
        first++;
      }
    }
  };
  try {
    for await (const c of chunks) {
      const frames = chunkTensor(c);
      for (let i = 0; i < c.shape[0]; i++) {
        held.push(tidy(() => frames.select(0, i).float().div(255)));
        total++;
        yield* emit(false);
      }
      frames.dispose();
    }
    yield* emit(true);
  } finally {
    for (const t of held) t.dispose();
  }
}
