// Pictures of predictions: boxes drawn on an image and class-coloured mask overlays, on
// channel-first uint8 pixels, for `predict` outputs and the demo report.

/** A fixed, well-separated colour per class (index 0, the background, is never drawn). */
export function classColor(c: number): [number, number, number] {
  const palette: [number, number, number][] = [
    [0, 0, 0],
    [230, 25, 75],
    [60, 180, 75],
    [255, 225, 25],
    [0, 130, 200],
    [245, 130, 48],
    [145, 30, 180],
    [70, 240, 240],
    [240, 50, 230],
    [210, 245, 60],
    [250, 190, 212],
    [0, 128, 128],
    [170, 110, 40],
  ];
  return palette[c] ?? [(c * 97) % 256, (c * 57) % 256, (c * 151) % 256];
}

/** Draws [x, y, w, h] box outlines (1 px, clipped) in place on a [3, H, W] image. */
export function drawBoxes(
  img: Uint8Array,
  h: number,
  w: number,
  boxes: readonly { box: readonly number[]; color: readonly number[] }[],
): void {
  const put = (x: number, y: number, col: readonly number[]) => {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    for (let c = 0; c < 3; c++) img[c * h * w + y * w + x] = col[c]!;
  };
  for (const { box, color } of boxes) {
    const x0 = Math.round(box[0]!);
    const y0 = Math.round(box[1]!);
    const x1 = Math.round(box[0]! + box[2]!) - 1;
    const y1 = Math.round(box[1]! + box[3]!) - 1;
    for (let x = x0; x <= x1; x++) {
      put(x, y0, color);
      put(x, y1, color);
    }
    for (let y = y0; y <= y1; y++) {
      put(x0, y, color);
      put(x1, y, color);
    }
  }
}

/** Blends class colours over a [3, H, W] image where `labels` (H × W) is non-zero; returns a new image. */
export function overlayMask(img: Uint8Array, labels: Uint8Array, h: number, w: number, alpha = 0.55): Uint8Array {
  const out = img.slice();
  for (let p = 0; p < h * w; p++) {
    const l = labels[p]!;
    if (l === 0 || l === 255) continue;
    const col = classColor(l);
    for (let c = 0; c < 3; c++) out[c * h * w + p] = Math.round((1 - alpha) * img[c * h * w + p]! + alpha * col[c]!);
  }
  return out;
}
