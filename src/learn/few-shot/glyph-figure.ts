// One glyph as an inline PNG figure for the demo report (few-shot episodes, zero-shot names).
import type { Tensor } from "../../core/index.js";
import { escapeHtml } from "../../tasks/html.js";
import { encodePngTensor } from "../../vision/image-io.js";

/** Glyph `i` of an image tensor [n, 1, S, S] as a PNG figure; the caption green or red when `right` is given. */
export async function glyphFigure(images: Tensor, i: number, caption: string, right?: boolean): Promise<string> {
  const png = await encodePngTensor(images.select(0, i));
  const colour = right === undefined ? "inherit" : right ? "#1a7f37" : "#cf222e";
  return `<figure style="display:inline-block;margin:3px;text-align:center;max-width:150px"><img alt="${escapeHtml(caption)}" src="data:image/png;base64,${png.toString("base64")}" width="56" height="56" style="image-rendering:pixelated;background:#fff"><figcaption style="font-size:11px;color:${colour}">${escapeHtml(caption)}</figcaption></figure>`;
}
