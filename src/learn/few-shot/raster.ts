// A glyph outline filled into a small grayscale image: the path's curves are flattened into
// line segments, mapped by an affine transform, and filled with the nonzero winding rule on a
// supersampled grid that is box-averaged down. Doing it here rather than through an SVG
// renderer keeps the pixels exact and independent of fontconfig and of the renderer's version.

/** One drawing command of a glyph outline (opentype.js's Path commands), in font units, y up. */
export type PathCommand =
  | { type: "M" | "L"; x: number; y: number }
  | { type: "Q"; x1: number; y1: number; x: number; y: number }
  | { type: "C"; x1: number; y1: number; x2: number; y2: number; x: number; y: number }
  | { type: "Z" };

/** x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = readonly [number, number, number, number, number, number];

const CURVE_STEPS = 8;

/** The outline's closed polygons (flattened curves), points as [x0, y0, x1, y1, …]. */
export function flattenPath(commands: readonly PathCommand[]): number[][] {
  const polys: number[][] = [];
  let cur: number[] = [];
  let [x0, y0] = [0, 0];
  const close = () => {
    if (cur.length >= 6) polys.push(cur);
    cur = [];
  };
  for (const c of commands) {
    if (c.type === "M") {
      close();
      cur.push(c.x, c.y);
    } else if (c.type === "L") cur.push(c.x, c.y);
    else if (c.type === "Q") {
      for (let i = 1; i <= CURVE_STEPS; i++) {
        const t = i / CURVE_STEPS;
        const u = 1 - t;
        cur.push(u * u * x0 + 2 * u * t * c.x1 + t * t * c.x, u * u * y0 + 2 * u * t * c.y1 + t * t * c.y);
      }
    } else if (c.type === "C") {
      for (let i = 1; i <= CURVE_STEPS; i++) {
        const t = i / CURVE_STEPS;
        const u = 1 - t;
        const [a, b, d, e] = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
        cur.push(a * x0 + b * c.x1 + d * c.x2 + e * c.x, a * y0 + b * c.y1 + d * c.y2 + e * c.y);
      }
    } else close();
    if (c.type !== "Z") [x0, y0] = [c.x, c.y];
  }
  close();
  return polys;
}

/** The bounding box [x0, y0, x1, y1] of polygons. */
export function boundsOf(polys: readonly number[][]): [number, number, number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of polys)
    for (let i = 0; i < p.length; i += 2) {
      x0 = Math.min(x0, p[i]!);
      x1 = Math.max(x1, p[i]!);
      y0 = Math.min(y0, p[i + 1]!);
      y1 = Math.max(y1, p[i + 1]!);
    }
  return [x0, y0, x1, y1];
}

/**
 * Fills the polygons, mapped by `m` into pixel coordinates of a size×size image (y down),
 * with `ss`×`ss` samples per pixel; returns coverage in [0, 1] row-major.
 */
export function fillPolygons(polys: readonly number[][], m: Affine, size: number, ss = 4): Float32Array {
  const n = size * ss;
  const edges: number[] = []; // x0, y0, x1, y1, winding — in sample coordinates
  for (const p of polys) {
    const k = p.length / 2;
    for (let i = 0; i < k; i++) {
      const j = (i + 1) % k;
      const [ax, ay, bx, by] = [p[2 * i]!, p[2 * i + 1]!, p[2 * j]!, p[2 * j + 1]!];
      const x0 = (m[0] * ax + m[1] * ay + m[2]) * ss;
      const y0 = (m[3] * ax + m[4] * ay + m[5]) * ss;
      const x1 = (m[0] * bx + m[1] * by + m[2]) * ss;
      const y1 = (m[3] * bx + m[4] * by + m[5]) * ss;
      if (y0 !== y1) edges.push(x0, y0, x1, y1, y1 > y0 ? 1 : -1);
    }
  }
  const out = new Float32Array(size * size);
  const xs: [number, number][] = [];
  const w = 1 / (ss * ss);
  for (let row = 0; row < n; row++) {
    const y = row + 0.5;
    xs.length = 0;
    for (let e = 0; e < edges.length; e += 5) {
      const [x0, y0, x1, y1] = [edges[e]!, edges[e + 1]!, edges[e + 2]!, edges[e + 3]!];
      if ((y0 <= y && y < y1) || (y1 <= y && y < y0)) xs.push([x0 + ((y - y0) / (y1 - y0)) * (x1 - x0), edges[e + 4]!]);
    }
    if (xs.length === 0) continue;
    xs.sort((a, b) => a[0] - b[0]);
    let wind = 0;
    const py = Math.floor(row / ss) * size;
    for (let i = 0; i < xs.length - 1; i++) {
      wind += xs[i]![1];
      if (wind === 0) continue;
      // Samples at column centres c + 0.5 inside [xs[i], xs[i+1]).
      const from = Math.max(0, Math.ceil(xs[i]![0] - 0.5));
      const to = Math.min(n - 1, Math.ceil(xs[i + 1]![0] - 0.5) - 1);
      for (let col = from; col <= to; col++) out[py + Math.floor(col / ss)]! += w;
    }
  }
  return out;
}
