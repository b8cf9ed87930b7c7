// Pictures of a predicted scene graph: the boxes in class colours with their names, and an
// arrow from each triplet's subject to its object labelled with the predicate — as an SVG
// (the image embedded as a PNG data URI, text readable) or drawn into the pixels for a PNG
// (boxes and arrows only; the names are in predict's listing).
import { escapeHtml } from "../../tasks/html.js";
import { encodePng } from "../image-io.js";
import { classColor, drawBoxes } from "../scenes/draw.js";

export interface DrawnObject {
  /** Its name in the listing, e.g. "7#2". */
  name: string;
  /** Class index (its colour). */
  category: number;
  /** [x, y, w, h] in the image's pixels. */
  box: readonly number[];
}

export interface DrawnTriplet {
  subject: number;
  relation: string;
  object: number;
}

const rgb = (c: readonly number[]) => `rgb(${c[0]},${c[1]},${c[2]})`;
/** Coordinates to two decimals (shorter SVG). */
const r2 = (v: number) => Math.round(v * 100) / 100;
const centre = (b: readonly number[]) => [b[0]! + b[2]! / 2, b[1]! + b[3]! / 2] as const;

/** A self-contained SVG of the image (uint8 [3, h, w]) with the objects' boxes and the triplets' arrows. */
export async function sceneGraphSvg(
  image: { data: Uint8Array; height: number; width: number },
  objects: readonly DrawnObject[],
  triplets: readonly DrawnTriplet[],
  o: { scale?: number } = {},
): Promise<string> {
  const { height: h, width: w } = image;
  const k = o.scale ?? Math.max(1, Math.round(320 / Math.max(h, w)));
  const png = (await encodePng(image.data, 3, h, w)).toString("base64");
  const font = Math.max(3, Math.round(Math.max(h, w) / 22));
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w * k}" height="${h * k}">`,
    `<defs><marker id="sg-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="white"/></marker></defs>`,
    `<image href="data:image/png;base64,${png}" width="${w}" height="${h}" style="image-rendering:pixelated"/>`,
  ];
  for (const ob of objects) {
    const col = rgb(classColor(ob.category + 1));
    const [x, y, bw, bh] = ob.box as [number, number, number, number];
    out.push(
      `<rect x="${x}" y="${y}" width="${bw}" height="${bh}" fill="none" stroke="${col}" stroke-width="${(1.5 / k).toFixed(3)}"/>`,
      `<text x="${x + 0.5}" y="${y + font}" font-size="${font}" font-family="sans-serif" fill="${col}" stroke="black" stroke-width="${(0.3 / k).toFixed(3)}">${escapeHtml(ob.name)}</text>`,
    );
  }
  // One arrow per ordered pair, its predicates joined; a → b and b → a drawn side by side.
  const byPair = new Map<string, { subject: number; object: number; relations: string[] }>();
  for (const t of triplets) {
    const key = `${t.subject} ${t.object}`;
    const e = byPair.get(key) ?? { subject: t.subject, object: t.object, relations: [] };
    e.relations.push(t.relation);
    byPair.set(key, e);
  }
  for (const e of byPair.values()) {
    const a = objects[e.subject];
    const b = objects[e.object];
    if (!a || !b) continue;
    const [ax, ay] = centre(a.box);
    const [bx, by] = centre(b.box);
    const len = Math.max(1e-6, Math.hypot(bx - ax, by - ay));
    const [nx, ny] = [(-(by - ay) / len) * 1.2, ((bx - ax) / len) * 1.2];
    const [x1, y1, x2, y2] = [ax + nx, ay + ny, bx + nx, by + ny];
    out.push(
      `<line x1="${r2(x1)}" y1="${r2(y1)}" x2="${r2(x2)}" y2="${r2(y2)}" stroke="white" stroke-width="${(1.2 / k).toFixed(3)}" marker-end="url(#sg-arrow)"/>`,
      `<text x="${r2(x1 + (x2 - x1) * 0.4 + nx)}" y="${r2(y1 + (y2 - y1) * 0.4 + ny)}" font-size="${r2(font * 0.8)}" font-family="sans-serif" text-anchor="middle" fill="yellow" stroke="black" stroke-width="${(0.3 / k).toFixed(3)}">${escapeHtml(e.relations.join(", "))}</text>`,
    );
  }
  out.push("</svg>");
  return out.join("");
}

/** A copy of the image (uint8 [3, h, w]) with the boxes in class colours and each triplet's arrow (subject's colour, a dot at the object). */
export function drawSceneGraph(
  image: { data: Uint8Array; height: number; width: number },
  objects: readonly DrawnObject[],
  triplets: readonly DrawnTriplet[],
): Uint8Array {
  const { height: h, width: w } = image;
  const img = image.data.slice();
  drawBoxes(
    img,
    h,
    w,
    objects.map((ob) => ({ box: ob.box, color: classColor(ob.category + 1) })),
  );
  const put = (x: number, y: number, col: readonly number[]) => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= w || yi >= h) return;
    for (let c = 0; c < 3; c++) img[c * h * w + yi * w + xi] = col[c]!;
  };
  for (const t of triplets) {
    const a = objects[t.subject];
    const b = objects[t.object];
    if (!a || !b) continue;
    const col = classColor(a.category + 1);
    const [x1, y1] = centre(a.box);
    const [x2, y2] = centre(b.box);
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x2 - x1), Math.abs(y2 - y1))));
    for (let s = 0; s <= steps; s++) put(x1 + ((x2 - x1) * s) / steps, y1 + ((y2 - y1) * s) / steps, col);
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) put(x2 + dx, y2 + dy, [255, 255, 255]);
  }
  return img;
}
