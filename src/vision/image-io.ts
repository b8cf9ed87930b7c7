// Image files to and from uint8 pixel buffers (sharp/libvips: PNG, JPEG, WebP, GIF, TIFF, AVIF).
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import sharp from "sharp";
import { FlambeauError } from "../core/errors.js";
import { type Tensor, tensor } from "../core/index.js";
import { writeAll, writeAtomic } from "../io/atomic.js";
import { decodePngFast } from "./png-fast.js";

export interface DecodeOptions {
  /** 1 (grayscale) or 3 (RGB); default: the file's own (gray stays 1, anything else 3). */
  channels?: 1 | 3;
  /** Resize to size × size (aspect squashed), or [height, width]. */
  size?: number | readonly [number, number];
  /** What errors call a buffer (default "<buffer>"). */
  name?: string;
}

export interface DecodedImage {
  /** Channel-first (C, H, W) pixels. */
  data: Uint8Array;
  channels: number;
  height: number;
  width: number;
}

/** Files up to this size may take the PNG fast path (read synchronously). */
const FAST_PNG_BYTES = 1 << 20;

export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".avif"];

async function isGray(img: sharp.Sharp): Promise<boolean> {
  const meta = await img.metadata();
  return (meta.channels ?? 3) <= 2 || meta.space === "b-w";
}

/** Decodes an image file (or buffer) to channel-first uint8 pixels. */
export async function readImage(src: string | Uint8Array, o: DecodeOptions = {}): Promise<DecodedImage> {
  const name = typeof src === "string" ? src : (o.name ?? "<buffer>");
  if (typeof src === "string" && !existsSync(src)) throw new FlambeauError("E_IO", `readImage: no such file ${src}`, "readImage");
  if (o.channels !== undefined && o.channels !== 1 && o.channels !== 3)
    throw new FlambeauError("E_ARG", `readImage: channels must be 1 (grayscale) or 3 (RGB), got ${String(o.channels)}`, "readImage");
  const bytes = typeof src === "string" ? statSync(src).size : src.length;
  if (bytes === 0) throw new FlambeauError("E_FORMAT", `readImage: ${name} is empty (0 bytes)`, "readImage");
  // Small plain PNGs at the asked size decode here, without libvips' two thread-pool trips; a
  // file read for that goes to libvips as bytes when the fast path declines, not read twice.
  let input = src;
  if (bytes <= FAST_PNG_BYTES && (typeof src !== "string" || extname(src).toLowerCase() === ".png")) {
    if (typeof src === "string") input = readFileSync(src);
    const fast = decodePngFast(input as Uint8Array, o.channels, o.size);
    if (fast) return fast;
  }
  try {
    let img = sharp(input, { failOn: "error" });
    // The header is read only when the channel count is not given: one trip through libvips less.
    const channels = o.channels ?? ((await isGray(img)) ? 1 : 3);
    img = img.removeAlpha();
    if (o.size !== undefined) {
      const [h, w] = typeof o.size === "number" ? [o.size, o.size] : o.size;
      img = img.resize(w, h, { fit: "fill" });
    }
    img = channels === 1 ? img.toColourspace("b-w") : img.toColourspace("srgb");
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    const hw = info.width * info.height;
    const c = info.channels;
    const out = new Uint8Array(channels * hw);
    // libvips gives interleaved HWC; models want CHW.
    if (channels === 1) for (let i = 0; i < hw; i++) out[i] = data[i * c]!;
    else for (let i = 0; i < hw; i++) for (let k = 0; k < 3; k++) out[k * hw + i] = data[i * c + Math.min(k, c - 1)]!;
    return { data: out, channels, height: info.height, width: info.width };
  } catch (e) {
    if (e instanceof FlambeauError) throw e;
    throw new FlambeauError("E_FORMAT", `readImage: cannot decode ${name}: ${(e as Error).message}`, "readImage");
  }
}

/** A decoded image as a uint8 tensor [C, H, W]. */
export async function readImageTensor(src: string | Uint8Array, o: DecodeOptions = {}): Promise<Tensor> {
  const img = await readImage(src, o);
  return tensor(img.data, { shape: [img.channels, img.height, img.width] });
}

/** Encodes channel-first uint8 pixels (C = 1 or 3) as PNG. */
export async function encodePng(data: Uint8Array, channels: number, height: number, width: number): Promise<Buffer> {
  const hw = height * width;
  const hwc = new Uint8Array(hw * channels);
  for (let i = 0; i < hw; i++) for (let k = 0; k < channels; k++) hwc[i * channels + k] = data[k * hw + i]!;
  const img = sharp(hwc, { raw: { width, height, channels: channels as 1 | 3 } });
  // libvips writes sRGB unless told otherwise: keep one-channel images grayscale PNGs.
  return (channels === 1 ? img.toColourspace("b-w") : img).png().toBuffer();
}

/** A [C, H, W] image (uint8, or float in [0, 1]) as PNG bytes. */
export async function encodePngTensor(img: Tensor): Promise<Buffer> {
  if (img.ndim !== 3 || (img.shape[0] !== 1 && img.shape[0] !== 3))
    throw new FlambeauError("E_ARG", `encodePng: expects a [1 or 3, H, W] image, got [${img.shape.join(", ")}]`, "encodePng");
  const u8 = img.dtype === "uint8" ? img.contiguous() : img.float().clamp(0, 1).mul(255).round().to("uint8");
  const [c, h, w] = img.shape as [number, number, number];
  return encodePng(u8.data() as Uint8Array, c, h, w);
}

/** Writes a [C, H, W] image as PNG (atomically). */
export async function writeImage(path: string, img: Tensor): Promise<void> {
  const png = await encodePngTensor(img);
  await writeAtomic("writeImage", path, (fh) => writeAll(fh, [png]));
}
