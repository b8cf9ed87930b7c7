// Pixel-level drawing for the scene generator, on plain typed arrays: bilinear crops of
// photos and rotated, scaled cut-outs. Scenes are small (64–128 px), so JavaScript loops
// are fast enough and keep every scene bit-exact for a seed on any machine.

/** Bilinear sample of channel-first uint8 pixels at (x, y) in pixel-centre coordinates, clamped at the border. */
function bilinear(src: Uint8Array, h: number, w: number, plane: number, x: number, y: number): number {
  const x0 = Math.min(w - 1, Math.max(0, Math.floor(x)));
  const y0 = Math.min(h - 1, Math.max(0, Math.floor(y)));
  const x1 = Math.min(w - 1, x0 + 1);
  const y1 = Math.min(h - 1, y0 + 1);
  const fx = Math.min(1, Math.max(0, x - x0));
  const fy = Math.min(1, Math.max(0, y - y0));
  const o = plane * h * w;
  const a = src[o + y0 * w + x0]! * (1 - fx) + src[o + y0 * w + x1]! * fx;
  const b = src[o + y1 * w + x0]! * (1 - fx) + src[o + y1 * w + x1]! * fx;
  return a * (1 - fy) + b * fy;
}

/** The [top, left, side] square of a [C, H, W] image resized to out × out (bilinear), optionally mirrored. */
export function cropResize(
  src: Uint8Array,
  channels: number,
  h: number,
  w: number,
  crop: { top: number; left: number; side: number },
  out: number,
  mirror = false,
): Uint8Array {
  const dst = new Uint8Array(channels * out * out);
  const k = crop.side / out;
  for (let c = 0; c < channels; c++)
    for (let v = 0; v < out; v++)
      for (let u = 0; u < out; u++) {
        const uu = mirror ? out - 1 - u : u;
        const x = crop.left + (uu + 0.5) * k - 0.5;
        const y = crop.top + (v + 0.5) * k - 0.5;
        dst[c * out * out + v * out + u] = Math.round(bilinear(src, h, w, c, x, y));
      }
  return dst;
}

/** A rendered cut-out: a width × height canvas of intensities and its 0/1 mask, tightly cropped to the mask. */
export interface Sprite {
  width: number;
  height: number;
  gray: Float32Array;
  mask: Uint8Array;
}

/**
 * Renders a side × side item scaled to `length` px and rotated by `angle` radians about its
 * centre. The mask is the bilinear mask ≥ 0.5, so boxes and masks stay exactly consistent.
 */
export function renderSprite(gray: Uint8Array, mask: Uint8Array, side: number, length: number, angle: number): Sprite | null {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const ext = Math.ceil(length * (Math.abs(cos) + Math.abs(sin))) + 2;
  const k = side / length;
  const g = new Float32Array(ext * ext);
  const m = new Uint8Array(ext * ext);
  let x0 = ext;
  let y0 = ext;
  let x1 = -1;
  let y1 = -1;
  const maskF = (x: number, y: number): number => {
    if (x < -0.5 || y < -0.5 || x > side - 0.5 || y > side - 0.5) return 0;
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    const fx = x - xi;
    const fy = y - yi;
    const at = (a: number, b: number) => (a < 0 || b < 0 || a >= side || b >= side ? 0 : mask[b * side + a]!);
    return (at(xi, yi) * (1 - fx) + at(xi + 1, yi) * fx) * (1 - fy) + (at(xi, yi + 1) * (1 - fx) + at(xi + 1, yi + 1) * fx) * fy;
  };
  for (let v = 0; v < ext; v++)
    for (let u = 0; u < ext; u++) {
      const dx = u + 0.5 - ext / 2;
      const dy = v + 0.5 - ext / 2;
      // inverse rotation, then into the item's pixel-centre coordinates
      const sx = (cos * dx + sin * dy) * k + side / 2 - 0.5;
      const sy = (-sin * dx + cos * dy) * k + side / 2 - 0.5;
      if (maskF(sx, sy) < 0.5) continue;
      const i = v * ext + u;
      m[i] = 1;
      g[i] = bilinear(gray, side, side, 0, sx, sy);
      if (u < x0) x0 = u;
      if (u > x1) x1 = u;
      if (v < y0) y0 = v;
      if (v > y1) y1 = v;
    }
  if (x1 < 0) return null;
  const width = x1 - x0 + 1;
  const height = y1 - y0 + 1;
  const sg = new Float32Array(width * height);
  const sm = new Uint8Array(width * height);
  for (let v = 0; v < height; v++)
    for (let u = 0; u < width; u++) {
      sg[v * width + u] = g[(v + y0) * ext + u + x0]!;
      sm[v * width + u] = m[(v + y0) * ext + u + x0]!;
    }
  return { width, height, gray: sg, mask: sm };
}

/** Bounds [x, y, width, height] of the pixels equal to `value` in an H × W label map (null when none). */
export function maskBox(map: Uint8Array, h: number, w: number, value: number): [number, number, number, number] | null {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (map[y * w + x] === value) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return x1 < 0 ? null : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}
