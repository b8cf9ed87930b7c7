// A small exact ray caster for rendered stereo data: textured planes, boxes and spheres seen by
// a rectified pinhole stereo pair. Depth is the z-distance of the first hit of each pixel
// centre's ray, computed in closed form for each primitive, so the ground truth is exact
// (no depth pass, no quantisation); disparity is then f·B/Z by construction of the rig.
// Shading is Lambertian and view-independent, so both views agree photometrically.
import { argError } from "../../core/errors.js";

export type Vec3 = readonly [number, number, number];

/** An RGB texture, channel-first uint8 [3, H, W], tiled with mirrored repeats. */
export interface Texture {
  data: Uint8Array;
  height: number;
  width: number;
}

interface Textured {
  texture: Texture;
  /** World units per texture pixel. */
  texScale: number;
  /** Texture offset in texture pixels (a different crop per object). */
  texOffset: readonly [number, number];
}

/** The infinite plane n·p = d (n unit), textured along `uAxis` and n × uAxis. */
export interface Plane extends Textured {
  kind: "plane";
  normal: Vec3;
  d: number;
  uAxis: Vec3;
}

export interface Sphere extends Textured {
  kind: "sphere";
  center: Vec3;
  radius: number;
}

/** A box of half-sizes `half`, centred at `center`, turned by `yaw` radians about the vertical axis. */
export interface Box extends Textured {
  kind: "box";
  center: Vec3;
  half: Vec3;
  yaw: number;
}

export type Primitive = Plane | Sphere | Box;

/** A rectified stereo rig: the left camera at the origin looking down +z (y up), the right one at (baseline, 0, 0). */
export interface StereoCamera {
  width: number;
  height: number;
  /** Focal length in pixels (square pixels). */
  focal: number;
  cx: number;
  cy: number;
  baseline: number;
}

export interface Scene {
  primitives: Primitive[];
  /** Unit direction towards the light. */
  light: Vec3;
  ambient: number;
}

export interface RenderedView {
  /** uint8 [3, H, W] */
  rgb: Uint8Array;
  /** float32 [H, W]: z of the first hit (Infinity where a ray hits nothing). */
  depth: Float32Array;
}

interface Hit {
  t: number;
  nx: number;
  ny: number;
  nz: number;
  /** Texture coordinates in world units. */
  u: number;
  v: number;
}

const EPS = 1e-9;

const dot = (a: Vec3, x: number, y: number, z: number) => a[0] * x + a[1] * y + a[2] * z;

function hitPlane(p: Plane, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): Hit | null {
  const den = dot(p.normal, dx, dy, dz);
  if (Math.abs(den) < EPS) return null;
  const t = (p.d - dot(p.normal, ox, oy, oz)) / den;
  if (t <= EPS) return null;
  const hx = ox + t * dx;
  const hy = oy + t * dy;
  const hz = oz + t * dz;
  const [nx, ny, nz] = p.normal;
  const [ax, ay, az] = p.uAxis;
  // v axis: n × u
  const bx = ny * az - nz * ay;
  const by = nz * ax - nx * az;
  const bz = nx * ay - ny * ax;
  return { t, nx, ny, nz, u: ax * hx + ay * hy + az * hz, v: bx * hx + by * hy + bz * hz };
}

function hitSphere(s: Sphere, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): Hit | null {
  const [cx, cy, cz] = s.center;
  const lx = ox - cx;
  const ly = oy - cy;
  const lz = oz - cz;
  const a = dx * dx + dy * dy + dz * dz;
  const b = 2 * (lx * dx + ly * dy + lz * dz);
  const c = lx * lx + ly * ly + lz * lz - s.radius * s.radius;
  const disc = b * b - 4 * a * c;
  if (disc < 0) return null;
  const sq = Math.sqrt(disc);
  let t = (-b - sq) / (2 * a);
  if (t <= EPS) t = (-b + sq) / (2 * a);
  if (t <= EPS) return null;
  const nx = (lx + t * dx) / s.radius;
  const ny = (ly + t * dy) / s.radius;
  const nz = (lz + t * dz) / s.radius;
  // Longitude/latitude, scaled to arc length on the sphere.
  return { t, nx, ny, nz, u: Math.atan2(nx, -nz) * s.radius, v: Math.asin(Math.max(-1, Math.min(1, ny))) * s.radius };
}

function hitBox(b: Box, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): Hit | null {
  const c = Math.cos(b.yaw);
  const s = Math.sin(b.yaw);
  // Into the box's frame: translate, then rotate by −yaw about y.
  const px = ox - b.center[0];
  const py = oy - b.center[1];
  const pz = oz - b.center[2];
  const lo = [c * px - s * pz, py, s * px + c * pz];
  const ld = [c * dx - s * dz, dy, s * dx + c * dz];
  let tNear = -Infinity;
  let tFar = Infinity;
  let axis = -1;
  for (let k = 0; k < 3; k++) {
    const h = b.half[k]!;
    if (Math.abs(ld[k]!) < EPS) {
      if (lo[k]! < -h || lo[k]! > h) return null;
      continue;
    }
    let t1 = (-h - lo[k]!) / ld[k]!;
    let t2 = (h - lo[k]!) / ld[k]!;
    if (t1 > t2) [t1, t2] = [t2, t1];
    if (t1 > tNear) {
      tNear = t1;
      axis = k;
    }
    if (t2 < tFar) tFar = t2;
    if (tNear > tFar) return null;
  }
  if (tFar <= EPS || axis < 0) return null;
  const t = tNear > EPS ? tNear : tFar;
  const hp = [lo[0]! + t * ld[0]!, lo[1]! + t * ld[1]!, lo[2]! + t * ld[2]!];
  const sign = ld[axis]! > 0 ? -1 : 1;
  const ln = [0, 0, 0];
  ln[axis] = sign;
  // Back to the world frame: rotate by +yaw.
  const nx = c * ln[0]! + s * ln[2]!;
  const nz = -s * ln[0]! + c * ln[2]!;
  const [u, v] = axis === 0 ? [hp[2]!, hp[1]!] : axis === 1 ? [hp[0]!, hp[2]!] : [hp[0]!, hp[1]!];
  return { t, nx, ny: ln[1]!, nz, u, v };
}

function hitPrimitive(p: Primitive, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): Hit | null {
  if (p.kind === "plane") return hitPlane(p, ox, oy, oz, dx, dy, dz);
  if (p.kind === "sphere") return hitSphere(p, ox, oy, oz, dx, dy, dz);
  return hitBox(p, ox, oy, oz, dx, dy, dz);
}

/** Mirrored repeat: 0 1 … n−1 n−1 … 0 0 1 … (no seams). */
function mirror(i: number, n: number): number {
  const m = ((i % (2 * n)) + 2 * n) % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

export function checkCamera(op: string, cam: StereoCamera): void {
  for (const k of ["width", "height"] as const)
    if (!Number.isInteger(cam[k]) || cam[k] < 1 || cam[k] > 4096)
      argError(op, `camera ${k} must be an integer in [1, 4096], got ${cam[k]}`);
  if (!(cam.focal > 0)) argError(op, `camera focal must be > 0, got ${cam.focal}`);
  if (!(cam.baseline > 0)) argError(op, `camera baseline must be > 0, got ${cam.baseline}`);
}

/**
 * Renders one view. `eyeX` is the camera's x (0: left, baseline: right). The ray of pixel
 * (col, row) passes through its centre: direction ((col + ½ − cx)/f, −(row + ½ − cy)/f, 1), so
 * the hit's t along it is its z-depth.
 */
export function renderView(scene: Scene, cam: StereoCamera, eyeX: number): RenderedView {
  checkCamera("renderView", cam);
  const { width: w, height: h, focal: f } = cam;
  const rgb = new Uint8Array(3 * h * w);
  const depth = new Float32Array(h * w);
  const [lx, ly, lz] = scene.light;
  for (let row = 0; row < h; row++) {
    const dy = -(row + 0.5 - cam.cy) / f;
    for (let col = 0; col < w; col++) {
      const dx = (col + 0.5 - cam.cx) / f;
      let best: Hit | null = null;
      let bestP: Primitive | null = null;
      for (const p of scene.primitives) {
        const hit = hitPrimitive(p, eyeX, 0, 0, dx, dy, 1);
        if (hit && (best === null || hit.t < best.t)) {
          best = hit;
          bestP = p;
        }
      }
      const i = row * w + col;
      if (best === null || bestP === null) {
        depth[i] = Infinity;
        continue;
      }
      depth[i] = best.t;
      const tex = bestP.texture;
      const tu = mirror(Math.floor(best.u / bestP.texScale + bestP.texOffset[0]), tex.width);
      const tv = mirror(Math.floor(-best.v / bestP.texScale + bestP.texOffset[1]), tex.height);
      // Two-sided Lambert: a plane seen from behind is lit like its front.
      const facing = best.nx * dx + best.ny * dy + best.nz < 0 ? 1 : -1;
      const lambert = Math.max(0, facing * (best.nx * lx + best.ny * ly + best.nz * lz));
      const shade = scene.ambient + (1 - scene.ambient) * lambert;
      const plane = tex.height * tex.width;
      const ti = tv * tex.width + tu;
      for (let ch = 0; ch < 3; ch++) rgb[ch * h * w + i] = Math.min(255, Math.round(tex.data[ch * plane + ti]! * shade));
    }
  }
  return { rgb, depth };
}

/** Disparity (px) of a depth map on this rig: f·B/Z (0 where Z is infinite). */
export function disparityOf(depth: Float32Array, cam: StereoCamera): Float32Array {
  const out = new Float32Array(depth.length);
  const fb = cam.focal * cam.baseline;
  for (let i = 0; i < depth.length; i++) out[i] = Number.isFinite(depth[i]!) ? fb / depth[i]! : 0;
  return out;
}
