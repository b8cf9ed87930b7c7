// Moving MNIST as Srivastava et al. (2015) generate it: digits bouncing inside a square
// frame, each on a straight line at a fixed speed, reflected by the borders, frames
// combined by the pixel-wise maximum. Their script keeps positions in [0, 1] (scaled to
// the free span side − digit), draws the direction uniformly and moves 0.1 per frame.
// The digits are opencv-doc's 5,000 handwritten digits, brought to MNIST's format (each
// digit's bounding box scaled to fit 20 px, centred in a 28 px box: the sheet draws them
// smaller in 20 px cells, and digit size sets the MSE scale); train sequences draw from columns 0–79 of the
// sheet, test sequences from columns 80–99, so held-out sequences show unseen digits.
// Sequences are generated on the fly from a seeded stream: (seed, index) fixes one.
import { argError } from "../../core/errors.js";
import { type Tensor, tensor } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { loadObjectBank, type ObjectBank } from "../../vision/scenes/objects.js";

export interface MovingMnistOptions {
  /** Frames per sequence (default 20: 10 input, 10 to predict). */
  frames?: number;
  /** Side of the square frame in pixels (default 64). */
  size?: number;
  /** Digits per sequence (default 2). */
  digits?: number;
  /** Distance moved per frame, as a fraction of the free span (default 0.1, Srivastava's). */
  stepLength?: number;
}

export interface MovingMnistSpec {
  frames: number;
  size: number;
  digits: number;
  stepLength: number;
}

/** Side of the box a digit is drawn in (MNIST's). */
export const DIGIT_BOX = 28;

/** The options with their defaults filled in and checked. */
export function movingMnistSpec(o: MovingMnistOptions = {}): MovingMnistSpec {
  const op = "movingMnist";
  const s = { frames: o.frames ?? 20, size: o.size ?? 64, digits: o.digits ?? 2, stepLength: o.stepLength ?? 0.1 };
  if (!Number.isSafeInteger(s.frames) || s.frames < 1 || s.frames > 1000)
    argError(op, `frames must be an integer in [1, 1000], got ${s.frames}`);
  if (!Number.isSafeInteger(s.size) || s.size <= DIGIT_BOX || s.size > 1024)
    argError(op, `size must be an integer in (${DIGIT_BOX}, 1024], got ${s.size}`);
  if (!Number.isSafeInteger(s.digits) || s.digits < 1 || s.digits > 10)
    argError(op, `digits must be an integer in [1, 10], got ${s.digits}`);
  if (!Number.isFinite(s.stepLength) || s.stepLength < 0 || s.stepLength > 1)
    argError(op, `stepLength must be in [0, 1], got ${s.stepLength}`);
  return s;
}

/**
 * One digit's top-left corners over `frames` frames, in pixels of a frame whose free span
 * (side − 28) is `span`: the unit-square walk of Srivastava's script (step,
 * then clamp to [0, 1] and flip the velocity at a border, then truncate to pixels).
 */
export function bounceTrajectory(rng: Random, frames: number, span: number, stepLength: number): { y: number[]; x: number[] } {
  let y = rng.nextFloat();
  let x = rng.nextFloat();
  const theta = rng.nextFloat() * 2 * Math.PI;
  let vy = Math.sin(theta);
  let vx = Math.cos(theta);
  const ys: number[] = [];
  const xs: number[] = [];
  for (let t = 0; t < frames; t++) {
    y += vy * stepLength;
    x += vx * stepLength;
    // A digit that reaches a border stops on it and its velocity component flips.
    if (y <= 0) [y, vy] = [0, -vy];
    if (y >= 1) [y, vy] = [1, -vy];
    if (x <= 0) [x, vx] = [0, -vx];
    if (x >= 1) [x, vx] = [1, -vx];
    ys.push(Math.floor(y * span));
    xs.push(Math.floor(x * span));
  }
  return { y: ys, x: xs };
}

/** A seeded Moving-MNIST source over one digit split. */
export class MovingMnist {
  readonly spec: MovingMnistSpec;
  readonly bank: ObjectBank;
  readonly seed: number;

  constructor(bank: ObjectBank, seed: number, o: MovingMnistOptions = {}) {
    if (bank.side > DIGIT_BOX) argError("MovingMnist", `digits must be at most ${DIGIT_BOX} px, got ${bank.side}`);
    if (!Number.isSafeInteger(seed)) argError("MovingMnist", `seed must be a safe integer, got ${seed}`);
    this.spec = movingMnistSpec(o);
    this.bank = bank;
    this.seed = seed;
  }

  /** Sequence `index` as float32 [frames, size, size] in [0, 1] (the same index always gives the same frames). */
  sequenceData(index: number): Float32Array {
    if (!Number.isSafeInteger(index) || index < 0) argError("MovingMnist", `index must be a non-negative integer, got ${index}`);
    const { frames, size, digits, stepLength } = this.spec;
    const rng = new Random(this.seed, index);
    const out = new Float32Array(frames * size * size);
    const side = this.bank.side;
    const pad = (DIGIT_BOX - side) >> 1;
    const area = side * side;
    for (let d = 0; d < digits; d++) {
      const item = rng.int(this.bank.count);
      const px = this.bank.pixels.subarray(item * area, (item + 1) * area);
      const path = bounceTrajectory(rng, frames, size - DIGIT_BOX, stepLength);
      for (let t = 0; t < frames; t++) {
        const base = t * size * size;
        const top = path.y[t]! + pad;
        const left = path.x[t]! + pad;
        for (let r = 0; r < side; r++)
          for (let c = 0; c < side; c++) {
            const v = px[r * side + c]! / 255;
            const k = base + (top + r) * size + left + c;
            if (v > out[k]!) out[k] = v;
          }
      }
    }
    return out;
  }

  /** Sequences `start … start+n−1` as float32 [n, frames, 1, size, size]. */
  batch(start: number, n: number): Tensor {
    if (!Number.isSafeInteger(n) || n < 1) argError("MovingMnist", `batch size must be a positive integer, got ${n}`);
    const { frames, size } = this.spec;
    const per = frames * size * size;
    const data = new Float32Array(n * per);
    for (let i = 0; i < n; i++) data.set(this.sequenceData(start + i), i * per);
    return tensor(data, { shape: [n, frames, 1, size, size] });
  }
}

/**
 * One digit in MNIST's format: its bounding box (pixels above `threshold`) resampled
 * bilinearly so the longer side is 20 px, centred in a 28 × 28 box. `cell` is `side` × `side`.
 */
export function mnistFormat(cell: Uint8Array, side: number, threshold = 24): Uint8Array {
  let [top, bottom, left, right] = [side, -1, side, -1];
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++)
      if (cell[y * side + x]! > threshold) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
  const out = new Uint8Array(DIGIT_BOX * DIGIT_BOX);
  if (bottom < 0) return out;
  const [bh, bw] = [bottom - top + 1, right - left + 1];
  const scale = 20 / Math.max(bh, bw);
  const [oh, ow] = [Math.max(1, Math.round(bh * scale)), Math.max(1, Math.round(bw * scale))];
  const [oy, ox] = [(DIGIT_BOX - oh) >> 1, (DIGIT_BOX - ow) >> 1];
  const at = (y: number, x: number) => (y < 0 || x < 0 || y >= side || x >= side ? 0 : cell[y * side + x]!);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      // Pixel centres map to pixel centres of the box.
      const sy = top + (y + 0.5) / scale - 0.5;
      const sx = left + (x + 0.5) / scale - 0.5;
      const [y0, x0] = [Math.floor(sy), Math.floor(sx)];
      const [fy, fx] = [sy - y0, sx - x0];
      const v = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
      out[(oy + y) * DIGIT_BOX + ox + x] = Math.round(v);
    }
  return out;
}

const mnistBanks = new Map<string, Promise<ObjectBank>>();

/** opencv-doc's digits of one split in MNIST's 28 px format (computed once per process). */
function digitBank(split: "train" | "test"): Promise<ObjectBank> {
  let p = mnistBanks.get(split);
  if (!p) {
    p = loadObjectBank("digits", split).then((b) => {
      const area = DIGIT_BOX * DIGIT_BOX;
      const pixels = new Uint8Array(b.count * area);
      for (let i = 0; i < b.count; i++)
        pixels.set(mnistFormat(b.pixels.subarray(i * b.side ** 2, (i + 1) * b.side ** 2), b.side), i * area);
      return { ...b, side: DIGIT_BOX, pixels, mask: () => argError("movingMnist", "digit masks are not kept") };
    });
    p.catch(() => mnistBanks.delete(split));
    mnistBanks.set(split, p);
  }
  return p;
}

/** Moving MNIST over opencv-doc's train or test digits. */
export async function movingMnist(split: "train" | "test", seed: number, o: MovingMnistOptions = {}): Promise<MovingMnist> {
  return new MovingMnist(await digitBank(split), seed, o);
}
