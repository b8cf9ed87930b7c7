// The real stereo pair for evaluation: Middlebury's motorcycle (Scharstein et al. 2014) as
// scikit-image ships it (python3-skimage: motorcycle_left/right.png, 741×500, and
// motorcycle_disp.npz, float32 disparities of the left view with inf where unknown). Read
// here without Python: the .npz is a zip of one deflated .npy.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { FlambeauError } from "../../core/errors.js";
import { readImage } from "../image-io.js";

export const SKIMAGE_DATA = "/usr/lib/python3/dist-packages/skimage/data";

/** A rectified pair with the left view's disparity (px at this size; non-finite: unknown). */
export interface StereoPair {
  name: string;
  height: number;
  width: number;
  /** uint8 [3, H, W] */
  left: Uint8Array;
  right: Uint8Array;
  disparity: Float32Array;
}

/** The first array of an .npz (float32, C order) and its shape. */
export function readNpzFloat32(path: string): { data: Float32Array; shape: number[] } {
  const buf = readFileSync(path);
  const bad = (why: string) => new FlambeauError("E_FORMAT", `readNpz: ${path}: ${why}`, "readNpz");
  if (buf.readUInt32LE(0) !== 0x04034b50) throw bad("not a zip file");
  const method = buf.readUInt16LE(8);
  const flags = buf.readUInt16LE(6);
  if (flags & 8) throw bad("streamed zip entries (data descriptor) are not supported");
  const csize = buf.readUInt32LE(18);
  const start = 30 + buf.readUInt16LE(26) + buf.readUInt16LE(28);
  const raw = buf.subarray(start, start + csize);
  const npy = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : null;
  if (npy === null) throw bad(`zip compression method ${method} is not supported`);
  if (npy.toString("latin1", 0, 6) !== "\x93NUMPY") throw bad("the first entry is not an .npy array");
  const major = npy[6]!;
  const hlen = major === 1 ? npy.readUInt16LE(8) : npy.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = npy.toString("latin1", hstart, hstart + hlen);
  if (!/'descr':\s*'<f4'/.test(header)) throw bad(`expected little-endian float32, header ${header.trim()}`);
  if (/'fortran_order':\s*True/.test(header)) throw bad("Fortran-ordered arrays are not supported");
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const off = hstart + hlen;
  if (npy.length < off + 4 * n) throw bad(`truncated: ${npy.length - off} bytes for ${n} floats`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = npy.readFloatLE(off + 4 * i);
  return { data, shape };
}

/**
 * Nearest-neighbour resize of a disparity map to h × w, values scaled by w / W (disparities
 * are horizontal pixel offsets). Nearest, not linear: averaging across a depth edge would
 * invent disparities no surface has, and unknown (inf) pixels must stay unknown.
 */
export function resizeDisparity(d: Float32Array, H: number, W: number, h: number, w: number): Float32Array {
  const out = new Float32Array(h * w);
  const k = w / W;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(H - 1, Math.floor(((y + 0.5) * H) / h));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(W - 1, Math.floor(((x + 0.5) * W) / w));
      out[y * w + x] = d[sy * W + sx]! * k;
    }
  }
  return out;
}

/** Middlebury's motorcycle pair resized to `width` px wide (height keeps the aspect), disparities scaled to match. */
export async function middleburyMotorcycle(width: number, dir = SKIMAGE_DATA): Promise<StereoPair> {
  const files = ["motorcycle_left.png", "motorcycle_right.png", "motorcycle_disp.npz"].map((f) => join(dir, f));
  for (const f of files)
    if (!existsSync(f))
      throw new FlambeauError("E_IO", `middlebury: ${f} not found; install python3-skimage (\`npm run setup\` does as root)`);
  const { data, shape } = readNpzFloat32(files[2]!);
  const [H, W] = shape as [number, number];
  const h = Math.round((H * width) / W);
  const l = await readImage(files[0]!, { channels: 3, size: [h, width] });
  const r = await readImage(files[1]!, { channels: 3, size: [h, width] });
  return { name: "middlebury-motorcycle", height: h, width, left: l.data, right: r.data, disparity: resizeDisparity(data, H, W, h, width) };
}
