// Inline figures of scenes for the demo report: small PNGs (data URIs) drawn at 2× with
// pixelated scaling, each with a caption. Self-contained HTML, no scripts.

import { escapeHtml } from "../../tasks/html.js";
import { encodePng } from "../image-io.js";

/** A square side, or the height and width of a non-square image (rendered views, frame strips). */
export type FigureSize = number | { height: number; width: number };

const sidesOf = (size: FigureSize): [number, number] => (typeof size === "number" ? [size, size] : [size.height, size.width]);

export async function pngDataUri(img: Uint8Array, size: FigureSize): Promise<string> {
  const [h, w] = sidesOf(size);
  return `data:image/png;base64,${(await encodePng(img, 3, h, w)).toString("base64")}`;
}

/** Rows of captioned [3, H, W] images (`size`: H = W, or both); `title` heads the block. */
export async function sceneFiguresHtml(
  title: string,
  rows: readonly { image: Uint8Array; caption: string }[][],
  size: FigureSize,
): Promise<string> {
  const [h, w] = sidesOf(size);
  const out: string[] = [`<div class="scenes"><div style="font-size:13px">${escapeHtml(title)}</div>`];
  for (const row of rows) {
    const cells = await Promise.all(
      row.map(
        async (c) =>
          `<figure style="display:inline-block;margin:4px;text-align:center;width:auto"><img alt="${escapeHtml(c.caption)}" src="${await pngDataUri(c.image, size)}" width="${2 * w}" height="${2 * h}" style="image-rendering:pixelated"><figcaption style="font-size:12px">${escapeHtml(c.caption)}</figcaption></figure>`,
      ),
    );
    out.push(`<div>${cells.join("")}</div>`);
  }
  out.push("</div>");
  return out.join("");
}
