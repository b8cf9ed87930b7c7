// Clips as PNG film strips: rows of frames side by side (input | prediction | truth), the
// picture predict writes until a video encoder is wired in, and the strip predict reads
// (a row of square frames, the frame side being the strip's height).
import { argError } from "../../core/errors.js";
import { cat, type Tensor, tensor, zeros } from "../../core/index.js";
import { readImage } from "../../vision/image-io.js";

const MAX_FRAMES = 256;
const MAX_SIDE = 512;

/** Rows of frames ([T, C, H, W] each, values in [0, 1], one C/H/W) → one [C, rows·H, maxT·W] image, gaps left black. */
export function frameStrip(rows: readonly Tensor[]): Tensor {
  if (rows.length === 0) argError("frameStrip", "needs at least one row of frames");
  const [, c, h, w] = rows[0]!.shape as [number, number, number, number];
  const most = Math.max(...rows.map((r) => r.shape[0]!));
  const lines = rows.map((r) => {
    if (r.ndim !== 4 || r.shape[1] !== c || r.shape[2] !== h || r.shape[3] !== w)
      argError("frameStrip", `every row must be [T, ${c}, ${h}, ${w}], got [${r.shape.join(", ")}]`);
    const t = r.shape[0]!;
    // [T, C, H, W] → [C, H, T·W]: the frames side by side.
    const line = r.permute([1, 2, 0, 3]).reshape([c, h, t * w]);
    return t === most ? line : cat([line, zeros([c, h, (most - t) * w])], 2);
  });
  return cat(lines, 1);
}

/** A PNG/JPEG strip of square gray frames side by side → float [T, 1, S, S] in [0, 1] (S: `side`, or the strip's height). */
export async function readFrameStrip(file: string, side?: number): Promise<Tensor> {
  const img = await readImage(file, { channels: 1 });
  side ??= img.height;
  if (img.height !== side || img.width % side !== 0 || img.width === 0)
    argError("readFrameStrip", `${file} is ${img.width}×${img.height}; expected a strip of ${side}×${side} frames side by side`);
  const t = img.width / side;
  // A strip is a short clip: the models hold every frame's activations at once.
  if (t > MAX_FRAMES || side > MAX_SIDE)
    argError(
      "readFrameStrip",
      `${file} holds ${t} frames of ${side} px; strips are limited to ${MAX_FRAMES} frames of at most ${MAX_SIDE} px`,
    );
  return tensor(img.data, { shape: [1, side, t, side] })
    .permute([2, 0, 1, 3])
    .float()
    .div(255)
    .contiguous();
}
