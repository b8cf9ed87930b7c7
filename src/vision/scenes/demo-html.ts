// Inline figures of scenes for the demo report: small PNGs (data URIs) drawn at 2× with
// pixelated scaling, each with a caption. Self-contained HTML, no scripts.

import { escapeHtml } from "../../tasks/html.js";
import { encodePng } from "../image-io.js";

export async function pngDataUri(img: Uint8Array, size: number): Promise<string> {
  return `data:image/png;base64,${(await encodePng(img, 3, size, size)).toString("base64")}`;
}

/** Rows of captioned [3, size, size] images; `title` heads the block. */
export async function sceneFiguresHtml(
  title: string,
  rows: readonly { image: Uint8Array; caption: string }[][],
  size: number,
): Promise<string> {
  const out: string[] = [`<div class="scenes"><div style="font-size:13px">${escapeHtml(title)}</div>`];
  for (const row of rows) {
    const cells = await Promise.all(
      row.map(
        async (c) =>
          `<figure style="display:inline-block;margin:4px;text-align:center"><img alt="${escapeHtml(c.caption)}" src="${await pngDataUri(c.image, size)}" width="${2 * size}" height="${2 * size}" style="image-rendering:pixelated"><figcaption style="font-size:12px">${escapeHtml(c.caption)}</figcaption></figure>`,
      ),
    );
    out.push(`<div>${cells.join("")}</div>`);
  }
  out.push("</div>");
  return out.join("");
}
