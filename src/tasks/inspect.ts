// Looking inside a trained model, beside the hand-made features it replaces: the
// first-layer filters as an image grid, per-layer activation maps for one input, and 2-D
// PCA projections of the learned embedding and of the hand-made features, coloured by
// class, with a leave-one-out k-NN accuracy in each space as the number behind the picture.

import { aten } from "../core/aten.js";
import { callTs } from "../core/dispatch.js";
import { FlambeauError } from "../core/errors.js";
import { cdist, eye, noGrad, svd, type Tensor, tidy } from "../core/index.js";
import { Linear, type Module } from "../nn/index.js";

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** A uint8 image [channels, height, width], ready for PNG encoding. */
export interface GridImage {
  data: Uint8Array;
  channels: 1 | 3;
  height: number;
  width: number;
}

/** Tiles maps [N, C, h, w] (C = 1 or 3), each stretched to [0, 255] on its own, `scale`× enlarged. */
function tile(maps: Tensor, columns: number, scale: number): GridImage {
  return tidy(() => {
    const [n, c, h, w] = maps.shape as [number, 1 | 3, number, number];
    const flat = maps.reshape([n, -1]);
    const lo = flat.neg().amax(1, true).neg();
    const hi = flat.amax(1, true);
    const norm = flat.sub(lo).div(hi.sub(lo).clamp(1e-12)).mul(255).round().to("uint8").reshape([n, c, h, w]);
    const px = norm.data() as Uint8Array;
    const rows = Math.ceil(n / columns);
    const cellH = h * scale + 1;
    const cellW = w * scale + 1;
    const H = rows * cellH + 1;
    const W = columns * cellW + 1;
    const out = new Uint8Array(c * H * W).fill(255);
    for (let k = 0; k < n; k++) {
      const y0 = Math.floor(k / columns) * cellH + 1;
      const x0 = (k % columns) * cellW + 1;
      for (let ch = 0; ch < c; ch++)
        for (let y = 0; y < h * scale; y++)
          for (let x = 0; x < w * scale; x++)
            out[ch * H * W + (y0 + y) * W + x0 + x] = px[((k * c + ch) * h + Math.floor(y / scale)) * w + Math.floor(x / scale)]!;
    }
    return { data: out, channels: c, height: H, width: W };
  });
}

/** The first convolution's filters: RGB when it reads 3 channels, else their mean over inputs. */
export function firstLayerFilters(model: Module): GridImage {
  const w = model.namedParameters().find(([, p]) => p.ndim === 4)?.[1];
  if (!w) throw new FlambeauError("E_ARG", "firstLayerFilters: the model has no convolution (no 4-D weight)");
  return noGrad(() =>
    tidy(() => {
      const maps = w.shape[1] === 3 ? w.detach() : w.detach().mean({ dim: 1, keepdim: true });
      return tile(maps.float(), Math.min(8, w.shape[0]!), Math.max(1, Math.round(48 / w.shape[2]!)));
    }),
  );
}

const ACTIVATION = /^(ReLU|ReLU6|LeakyReLU|GELU|SiLU|Hardswish|ELU|Mish)$/;

/** One input through the model: the maps after each activation layer with spatial output (up to 16 channels each). */
export function activationMaps(model: Module, input: Tensor): { layer: string; image: GridImage }[] {
  const found: { layer: string; image: GridImage }[] = [];
  const handles = model
    .namedModules()
    .filter(([, m]) => ACTIVATION.test(m.constructor.name))
    .map(([name, m]) =>
      m.registerForwardHook((_m, _in, out) => {
        const t = out as Tensor;
        if (t.ndim !== 4) return;
        const maps = t.select(0, 0).narrow(0, 0, Math.min(16, t.shape[1]!)).unsqueeze(1);
        found.push({ layer: name, image: tile(maps, 8, Math.max(1, Math.round(48 / t.shape[2]!))) });
      }),
    );
  try {
    noGrad(() => tidy(() => void model.forward(input)));
  } finally {
    for (const h of handles) h.remove();
  }
  return found;
}

/** What the last linear layer reads: the model's learned embedding of each input, [N, D]. */
export function penultimate(model: Module, inputs: Tensor): Tensor {
  const last = model
    .modules()
    .filter((m) => m instanceof Linear)
    .at(-1);
  if (!last) throw new FlambeauError("E_ARG", "penultimate: the model has no Linear layer to read the embedding from");
  let emb: Tensor | undefined;
  const h = last.registerForwardHook((_m, inputs) => {
    emb = (inputs[0] as Tensor).detach().keep();
  });
  try {
    noGrad(() => tidy(() => void model.forward(inputs)));
  } finally {
    h.remove();
  }
  return emb!;
}

/** The first two principal components of x [N, F] (scores, [N, 2]). */
export function pca2(x: Tensor): Tensor {
  return tidy(() => {
    const c = x.double().sub(x.double().mean({ dim: 0, keepdim: true }));
    const { U, S } = svd(c);
    return U.narrow(1, 0, 2)
      .mul(S.narrow(0, 0, 2))
      .float();
  });
}

/** Leave-one-out k-NN accuracy (Euclidean) of features x [N, F] with labels [N]. */
export function knnAccuracy(x: Tensor, labels: Tensor, k = 5): number {
  return tidy(() => {
    const n = x.shape[0]!;
    // Each point is excluded from its own neighbours.
    const d = cdist(x.float(), x.float()).add(eye(n).mul(1e30));
    const nn = d.topk(Math.min(k, n - 1), 1, false).indices;
    const votes = labels.index([nn]);
    const pred = callTs(aten("mode"), votes, 1, false)[0]!;
    return pred.eq(labels).float().mean().item();
  });
}

const PALETTE = ["#1c7ed6", "#e8590c", "#2f9e44", "#c2255c", "#6741d9", "#f08c00", "#0c8599", "#5c940d", "#862e9c", "#495057"];

/** A scatter plot of 2-D points coloured by class, as inline SVG. */
export function scatterSvg(points: Tensor, labels: Tensor, classes: readonly string[], title: string): string {
  const p = points.toArray() as number[][];
  const l = Array.from(labels.to("int64").data() as BigInt64Array, Number);
  const S = 300;
  const P = 10;
  const xs = p.map((q) => q[0]!);
  const ys = p.map((q) => q[1]!);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (v: number) => P + ((v - x0) / (x1 - x0 || 1)) * (S - 2 * P);
  const sy = (v: number) => S - P - ((v - y0) / (y1 - y0 || 1)) * (S - 2 * P);
  const dots = p
    .map(
      (q, i) =>
        `<circle cx="${sx(q[0]!).toFixed(1)}" cy="${sy(q[1]!).toFixed(1)}" r="2" fill="${PALETTE[l[i]! % PALETTE.length]}" fill-opacity="0.7"/>`,
    )
    .join("");
  const legend = classes.map((c, i) => `<span style="color:${PALETTE[i % PALETTE.length]}">■</span> ${esc(c)}`).join(" ");
  return `<figure style="display:inline-block;margin:0 1em 1em 0"><svg width="${S}" height="${S}" role="img" aria-label="${esc(title)}"><rect width="${S}" height="${S}" fill="#fff" stroke="#ddd"/>${dots}</svg><figcaption style="max-width:${S}px">${esc(title)}<br><small>${legend}</small></figcaption></figure>`;
}
