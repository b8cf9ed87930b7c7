// Rendered stereo scenes (`--data rendered`): a textured back wall and floor with 2–5 boxes and
// spheres in front, each surface a crop of a real photo (scikit-image/opencv-doc), seen by a
// rectified stereo rig of known intrinsics and baseline; exact depth from the ray caster
// (render.ts). Test scenes use held-out photos and their own random stream. Sets are cached
// under the data cache keyed by their parameters.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { argError } from "../../core/errors.js";
import { cacheRoot } from "../../data/cache.js";
import { Random } from "../../data/random.js";
import { writeAll, writeAtomic } from "../../io/atomic.js";
import { readImage } from "../image-io.js";
import { listPhotos, splitPhotos } from "../photos.js";
import { type Primitive, type RenderedView, renderView, type Scene, type StereoCamera, type Texture, type Vec3 } from "./render.js";

/** The rig of every rendered set: 128×96, ≈ 59° horizontal field of view; disparities ≈ 2–18 px. */
export const RENDER_CAMERA: StereoCamera = { width: 128, height: 96, focal: 112, cx: 64, cy: 48, baseline: 0.25 };

/** A stereo set: n pairs with the left view's exact depth. */
export interface StereoSet {
  camera: StereoCamera;
  count: number;
  /** uint8 [n, 3, H, W] */
  left: Uint8Array;
  right: Uint8Array;
  /** float32 [n, H, W]: z-depth of the left view (finite everywhere: the wall closes every scene). */
  depth: Float32Array;
}

const VERSION = 1;

const normalise = (v: Vec3): Vec3 => {
  const n = Math.hypot(...v);
  return [v[0] / n, v[1] / n, v[2] / n];
};

const textured = (rng: Random, textures: readonly Texture[], worldSpan: number) => {
  const texture = textures[rng.int(textures.length)]!;
  // The photo spans about `worldSpan` world units, give or take a factor of 1.6.
  const texScale = (worldSpan / Math.max(texture.width, texture.height)) * (0.6 + rng.nextFloat());
  return { texture, texScale, texOffset: [rng.int(texture.width), rng.int(texture.height)] as const };
};

/** One random scene: wall at 9–14, floor 0.7–1.4 below the camera, 2–5 objects at 1.6–8. */
export function randomScene(rng: Random, textures: readonly Texture[], cam: StereoCamera = RENDER_CAMERA): Scene {
  if (textures.length === 0) argError("randomScene", "needs at least one texture");
  const u = (a: number, b: number) => a + (b - a) * rng.nextFloat();
  const wallZ = u(9, 14);
  const floorY = -u(0.7, 1.4);
  const prims: Primitive[] = [
    { kind: "plane", normal: [0, 0, 1], d: wallZ, uAxis: [1, 0, 0], ...textured(rng, textures, wallZ) },
    { kind: "plane", normal: [0, 1, 0], d: floorY, uAxis: [1, 0, 0], ...textured(rng, textures, 4) },
  ];
  const objects = 2 + rng.int(4);
  for (let k = 0; k < objects; k++) {
    const size = u(0.2, 0.8);
    const z = u(1.6 + size, 8);
    const halfW = ((cam.width / 2) * z) / cam.focal;
    const x = u(-halfW, halfW);
    const onFloor = rng.nextFloat() < 0.6;
    if (rng.nextFloat() < 0.5) {
      const half: Vec3 = [size * u(0.5, 1), size * u(0.5, 1), size * u(0.5, 1)];
      const y = onFloor ? floorY + half[1] : u(floorY + half[1], 1);
      prims.push({ kind: "box", center: [x, y, z], half, yaw: u(-0.8, 0.8), ...textured(rng, textures, 2 * size) });
    } else {
      const y = onFloor ? floorY + size : u(floorY + size, 1);
      prims.push({ kind: "sphere", center: [x, y, z], radius: size, ...textured(rng, textures, 2 * size) });
    }
  }
  return { primitives: prims, light: normalise([u(-0.6, 0.6), u(0.3, 1), -u(0.3, 1)]), ambient: u(0.35, 0.6) };
}

/** Renders both views; the left view's depth is the ground truth. */
export function renderPair(scene: Scene, cam: StereoCamera = RENDER_CAMERA): { left: RenderedView; right: RenderedView } {
  return { left: renderView(scene, cam, 0), right: renderView(scene, cam, cam.baseline) };
}

/** Photos as textures (longer side ≤ 256 px). */
async function loadTextures(files: readonly string[]): Promise<Texture[]> {
  const out: Texture[] = [];
  for (const file of files) {
    const m = await readImage(file, { channels: 3 });
    const k = Math.min(1, 256 / Math.max(m.height, m.width));
    const size: [number, number] = [Math.max(1, Math.round(m.height * k)), Math.max(1, Math.round(m.width * k))];
    const img = k < 1 ? await readImage(file, { channels: 3, size }) : m;
    out.push({ data: img.data, height: img.height, width: img.width });
  }
  return out;
}

export type RenderedSplit = "train" | "val" | "test";

export interface RenderedOptions {
  count: number;
  /** Train/val scenes depend on it; test scenes never do (every model meets the same ones). */
  seed?: number;
  /** The cache root (default: the shared data cache). */
  cache?: string;
  log?: (line: string) => void;
}

/** Renders (or reads from the cache) `count` scenes of a split; test scenes are textured with held-out photos only. */
export async function renderedSet(split: RenderedSplit, o: RenderedOptions): Promise<StereoSet> {
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > 100000)
    argError("renderedSet", `count must be an integer in [1, 100000], got ${o.count}`);
  const photos = splitPhotos(await listPhotos("debian-photos"));
  const files = split === "test" ? photos.test : photos.train;
  const seed = split === "test" ? 0 : (o.seed ?? 0);
  const cam = RENDER_CAMERA;
  const key = createHash("sha1").update(JSON.stringify({ VERSION, split, seed, cam, files })).digest("hex").slice(0, 16);
  const dir = join(o.cache ?? cacheRoot(), "depth-rendered");
  const px = 3 * cam.height * cam.width;
  const n = o.count;
  const bytesOf = (k: number) => k * (2 * px + 4 * cam.height * cam.width);
  // Scenes come from one random stream in order, so the first n of a larger cached set are the n-scene set.
  const cached = existsSync(dir)
    ? readdirSync(dir)
        .map((f) => new RegExp(`^${split}-${key}-(\\d+)\\.bin$`).exec(f))
        .map((m) => (m ? Number(m[1]) : 0))
        .filter((k) => k >= n)
        .sort((a, b) => a - b)
    : [];
  for (const k of cached) {
    const buf = readFileSync(join(dir, `${split}-${key}-${k}.bin`));
    if (buf.length === bytesOf(k)) return headOf(unpack(buf, k, cam), n);
  }
  const path = join(dir, `${split}-${key}-${n}.bin`);
  const bytes = bytesOf(n);
  const t0 = performance.now();
  const textures = await loadTextures(files);
  const rng = new Random(seed, split === "test" ? 2 : split === "val" ? 1 : 0);
  const set = unpack(Buffer.alloc(bytes), n, cam);
  for (let i = 0; i < n; i++) {
    const { left, right } = renderPair(randomScene(rng, textures, cam), cam);
    set.left.set(left.rgb, i * px);
    set.right.set(right.rgb, i * px);
    set.depth.set(left.depth, i * cam.height * cam.width);
  }
  mkdirSync(dir, { recursive: true });
  await writeAtomic("renderedSet", path, (fh) => writeAll(fh, [new Uint8Array(set.left.buffer)]));
  o.log?.(
    `rendered ${n} ${split} scenes (${files.length} photos as textures) in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${path}`,
  );
  return set;
}

/** A set over a copy of a packed buffer (left | right | depth), aligned for the float view. */
function unpack(buf: Buffer, n: number, cam: StereoCamera): StereoSet {
  const px = 3 * cam.height * cam.width;
  const ab = new ArrayBuffer(buf.length);
  new Uint8Array(ab).set(buf);
  return {
    camera: cam,
    count: n,
    left: new Uint8Array(ab, 0, n * px),
    right: new Uint8Array(ab, n * px, n * px),
    depth: new Float32Array(ab, 2 * n * px, n * cam.height * cam.width),
  };
}

/** The first `n` scenes of a set (views, no copy). */
export function headOf(set: StereoSet, n: number): StereoSet {
  const k = Math.min(n, set.count);
  const px = 3 * set.camera.height * set.camera.width;
  const hw = set.camera.height * set.camera.width;
  return {
    ...set,
    count: k,
    left: set.left.subarray(0, k * px),
    right: set.right.subarray(0, k * px),
    depth: set.depth.subarray(0, k * hw),
  };
}

/** Disparity of the left view (px): f·B/Z. */
export function setDisparity(set: StereoSet): Float32Array {
  const fb = set.camera.focal * set.camera.baseline;
  return set.depth.map((z) => fb / z);
}
