// Frames with a caption: a label strip rendered once from SVG text (sharp/librsvg) and
// blended over the top of each upscaled frame, for `predict`'s annotated GIFs and the demo.
import sharp from "sharp";

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * uint8 [T, 3, S, S] frames scaled by `scale` (nearest) with `caption` written across the top;
 * returns [T, 3, S·scale, S·scale].
 */
export async function captionFrames(frames: Uint8Array, t: number, side: number, scale: number, caption: string): Promise<Uint8Array> {
  const s = side * scale;
  const band = Math.max(12, Math.round(s / 8));
  const svg = `<svg width="${s}" height="${band}" xmlns="http://www.w3.org/2000/svg"><rect width="${s}" height="${band}" fill="black" fill-opacity="0.6"/><text x="3" y="${Math.round(band * 0.78)}" font-family="sans-serif" font-size="${Math.round(band * 0.75)}" fill="white">${escapeXml(caption)}</text></svg>`;
  const strip = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer();
  const hw = s * s;
  const out = new Uint8Array(t * 3 * hw);
  for (let f = 0; f < t; f++)
    for (let c = 0; c < 3; c++) {
      const src = f * 3 * side * side + c * side * side;
      const dst = f * 3 * hw + c * hw;
      for (let y = 0; y < s; y++)
        for (let x = 0; x < s; x++) {
          let v = frames[src + Math.floor(y / scale) * side + Math.floor(x / scale)]!;
          if (y < band) {
            const k = (y * s + x) * 4;
            const a = strip[k + 3]! / 255;
            v = Math.round(v * (1 - a) + strip[k + c]! * a);
          }
          out[dst + y * s + x] = v;
        }
    }
  return out;
}
