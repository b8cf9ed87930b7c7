// The PNG fast path gives exactly libvips' pixels where it decodes, and declines the rest: on
// PNGs sharp writes in every plain colour type (with adaptive filtering, so every row filter
// appears) and on the real PNGs scikit-image and opencv-doc ship (palettes, 16 bits, alpha …).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { readImage } from "../../src/vision/image-io.js";
import { decodePngFast } from "../../src/vision/png-fast.js";

/** readImage's libvips path, as it decodes: alpha dropped, gray or sRGB, HWC → CHW. */
async function viaLibvips(bytes: Uint8Array, channels: 1 | 3): Promise<Uint8Array> {
  const img = sharp(bytes).removeAlpha();
  const { data, info } = await (channels === 1 ? img.toColourspace("b-w") : img.toColourspace("srgb"))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const hw = info.width * info.height;
  const out = new Uint8Array(channels * hw);
  for (let i = 0; i < hw; i++)
    for (let k = 0; k < channels; k++) out[k * hw + i] = data[i * info.channels + Math.min(k, info.channels - 1)]!;
  return out;
}

/** Pixels with edges and gradients, so that sub, up, average and Paeth rows all occur. */
function pattern(h: number, w: number, c: number): Buffer {
  const b = Buffer.alloc(h * w * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) b[(y * w + x) * c + k] = (x * 7 + y * 13 + k * 50 + ((x * y) % 17) * 9 + (x > w / 2 ? 90 : 0)) & 255;
  return b;
}

test("sharp-written PNGs of every plain colour type decode to libvips' pixels", async () => {
  let decoded = 0;
  for (const c of [1, 2, 3, 4] as const) {
    const img = sharp(pattern(23, 37, c), { raw: { width: 37, height: 23, channels: c } });
    // libvips writes gray (and gray + alpha) PNGs only from its b-w space.
    const png = await (c <= 2 ? img.toColourspace("b-w") : img).png({ adaptiveFiltering: true, compressionLevel: 9 }).toBuffer();
    assert.equal(png[25], [0, 4, 2, 6][c - 1], "the colour type asked for");
    for (const want of [1, 3] as const) {
      const fast = decodePngFast(png, want);
      if (want === 1 && c >= 3) {
        assert.equal(fast, null, "colour → gray is libvips' conversion");
        continue;
      }
      assert.ok(fast, `${c} channels → ${want}`);
      assert.deepEqual(fast.data, await viaLibvips(png, want), `${c} channels → ${want}`);
      decoded++;
    }
    const own = decodePngFast(png);
    assert.equal(own?.channels, c <= 2 ? 1 : 3);
    assert.equal(decodePngFast(png, undefined, [23, 36]), null, "a resize goes to libvips");
    assert.ok(decodePngFast(png, undefined, [23, 37]));
  }
  assert.equal(decoded, 6);
  // Interlaced and palette PNGs are libvips'.
  const rgb = pattern(16, 16, 3);
  const raw = { raw: { width: 16, height: 16, channels: 3 as const } };
  assert.equal(decodePngFast(await sharp(rgb, raw).png({ progressive: true }).toBuffer()), null);
  assert.equal(decodePngFast(await sharp(rgb, raw).png({ palette: true }).toBuffer()), null);
});

test("a damaged PNG is declined (libvips names the error), never decoded wrongly", async () => {
  const png = await sharp(pattern(8, 8, 3), { raw: { width: 8, height: 8, channels: 3 } })
    .png()
    .toBuffer();
  const bad = Buffer.from(png);
  bad[bad.length - 20] = bad[bad.length - 20]! ^ 0xff; // inside the IDAT: its CRC no longer matches
  assert.equal(decodePngFast(bad), null);
  await assert.rejects(() => readImage(bad, { name: "bad.png" }), /readImage: cannot decode bad\.png/);
  assert.equal(decodePngFast(png.subarray(0, 40)), null);
});

test("the PNGs scikit-image and opencv-doc ship read the same through readImage as through libvips", async (t) => {
  const dirs = ["/usr/lib/python3/dist-packages/skimage/data", "/usr/share/doc/opencv-doc/examples/data"].filter((d) => existsSync(d));
  if (dirs.length === 0) return t.skip("no scikit-image or opencv-doc PNGs here");
  let fast = 0;
  let files = 0;
  for (const dir of dirs)
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".png"))) {
      const bytes = readFileSync(join(dir, f));
      if (bytes.length > 1 << 20) continue;
      files++;
      const img = await readImage(bytes, { name: f });
      const want = img.channels as 1 | 3;
      assert.deepEqual(img.data, await viaLibvips(bytes, want), f);
      if (decodePngFast(bytes, want)) fast++;
    }
  assert.ok(files >= 20 && fast >= 5, `${fast} of ${files} PNGs took the fast path`);
});
