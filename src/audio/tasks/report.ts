// Spectrogram images for the demo report: log-mels as colour PNG data URIs (low frequencies at
// the bottom), in a self-contained HTML fragment with escaped captions.
import sharp from "sharp";
import { type Tensor, tidy } from "../../core/index.js";
import { magma } from "../../tasks/colour-map.js";
import { escapeHtml } from "../../tasks/html.js";

/** One [mels, frames] image as a PNG, min–max scaled, scaled up `zoom` times. */
export async function spectrogramPng(spec: Float32Array, mels: number, frames: number, zoom = 3): Promise<Buffer> {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of spec) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const rgb = new Uint8Array(mels * frames * 3);
  for (let m = 0; m < mels; m++)
    for (let t = 0; t < frames; t++) {
      const c = magma((spec[m * frames + t]! - lo) / Math.max(1e-9, hi - lo));
      const at = ((mels - 1 - m) * frames + t) * 3;
      rgb[at] = c[0];
      rgb[at + 1] = c[1];
      rgb[at + 2] = c[2];
    }
  return sharp(rgb, { raw: { width: frames, height: mels, channels: 3 } })
    .resize(frames * zoom, mels * zoom, { kernel: "nearest" })
    .png()
    .toBuffer();
}

/** A figure per example of feats [B, 1, mels, frames], captioned. */
export async function spectrogramGallery(feats: Tensor, captions: readonly string[], heading: string): Promise<string> {
  const [b, , mels, frames] = feats.shape as [number, number, number, number];
  const data = tidy(() => feats.contiguous().data() as Float32Array).slice();
  const figs: string[] = [];
  for (let i = 0; i < b; i++) {
    const png = await spectrogramPng(data.subarray(i * mels * frames, (i + 1) * mels * frames), mels, frames);
    figs.push(
      `<figure style="display:inline-block;margin:4px"><img alt="log-mel spectrogram" src="data:image/png;base64,${png.toString("base64")}"/><figcaption style="font-size:11px;max-width:${frames * 3}px">${escapeHtml(captions[i] ?? "")}</figcaption></figure>`,
    );
  }
  return `<p>${escapeHtml(heading)}</p><div>${figs.join("")}</div>`;
}
