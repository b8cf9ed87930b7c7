// Moving MNIST as Srivastava et al. (2015) generate it: digits bouncing inside a square
// frame, each on a straight line at a fixed speed, reflected by the borders, frames
// combined by the pixel-wise maximum. Their script keeps positions in [0, 1] (scaled to
// the free span side − digit), draws the direction uniformly and moves 0.1 per frame.
// The digits are opencv-doc's 5,000 handwritten digits (20 px cells, centred in a 28 px
// box as MNIST centres its 20 px digits); train sequences draw from columns 0–79 of the
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

/** Moving MNIST over opencv-doc's train or test digits. */
export async function movingMnist(split: "train" | "test", seed: number, o: MovingMnistOptions = {}): Promise<MovingMnist> {
  return new MovingMnist(await loadObjectBank("digits", split), seed, o);
}
