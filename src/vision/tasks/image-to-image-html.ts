// The demo's before/after strip: for a few held-out photos, the low-resolution input, the
// bicubic upscale, the model's output and the original, as inline PNGs with their PSNR.
import { noGrad, type Tensor, tidy } from "../../core/index.js";
import { escapeHtml } from "../../tasks/html.js";
import { baseline, degrade } from "../degrade.js";
import { encodePngTensor } from "../image-io.js";
import type { ImageRestorer, RestorerHyper } from "../models/restoration.js";
import type { Photo } from "../photos.js";
import { psnr } from "../quality.js";
import { resize } from "../transforms/resize.js";

const CROP = 96;

async function cell(img: Tensor, caption: string): Promise<string> {
  const png = await encodePngTensor(img);
  return `<figure style="display:inline-block;margin:4px;text-align:center"><img alt="${escapeHtml(caption)}" src="data:image/png;base64,${png.toString("base64")}" width="${2 * CROP}" height="${2 * CROP}" style="image-rendering:pixelated"><figcaption style="font-size:12px">${escapeHtml(caption)}</figcaption></figure>`;
}

export async function restoredCropsHtml(model: ImageRestorer, h: RestorerHyper, photos: readonly Photo[]): Promise<string> {
  const rows: string[] = [];
  const scale = h.job.kind === "super-resolution" ? h.job.scale : 1;
  for (const p of photos) {
    const [ph, pw] = [p.pixels.shape[1]!, p.pixels.shape[2]!];
    const side = Math.floor(Math.min(CROP, ph, pw) / scale) * scale;
    const imgs = noGrad(() =>
      tidy(() => {
        const hr = p.pixels
          .narrow(1, (ph - side) >> 1, side)
          .narrow(2, (pw - side) >> 1, side)
          .float()
          .div(255)
          .unsqueeze(0);
        const input = degrade(hr, h.job);
        const out = model.forward(input).clamp(0, 1);
        const base = baseline(input, h.job);
        const shown = resize(input.clamp(0, 1), [side, side], { interpolation: "nearest" });
        const score = (t: Tensor) => psnr(t, hr, { shave: Math.min(scale, 4) })[0]!;
        return {
          tensors: [shown, base, out, hr].map((t) => t.squeeze(0).keep()),
          base: score(base),
          model: score(out),
        };
      }),
    );
    const name = p.file.split("/").pop() ?? p.file;
    const inputLabel = h.job.kind === "denoise" ? "noisy input" : `input (1/${scale}, nearest)`;
    const cells = await Promise.all([
      cell(imgs.tensors[0]!, inputLabel),
      cell(imgs.tensors[1]!, `${h.job.kind === "denoise" ? "noisy" : "bicubic"} ${imgs.base.toFixed(2)} dB`),
      cell(imgs.tensors[2]!, `model ${imgs.model.toFixed(2)} dB`),
      cell(imgs.tensors[3]!, "original"),
    ]);
    for (const t of imgs.tensors) t.dispose();
    rows.push(`<div><div style="font-size:13px">${escapeHtml(name)} (held out; PSNR on luma)</div>${cells.join("")}</div>`);
  }
  return `<div class="image-to-image">${rows.join("")}</div>`;
}
