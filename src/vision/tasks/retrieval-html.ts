// The retrieval demo's strip: a few queries from the held-out classes and their nearest
// gallery images, captioned with their class (green when it matches the query's).
import { noGrad, type Tensor, tidy } from "../../core/index.js";
import { escapeHtml } from "../../tasks/html.js";
import type { LabelledImages } from "../image-data.js";
import { encodePngTensor } from "../image-io.js";
import { descriptorOf, type EmbeddingCNN } from "../models/embedding.js";
import { embedImages } from "../retrieval/embed.js";
import { ExactIndex } from "../retrieval/knn.js";

async function figure(t: Tensor, caption: string, ok?: boolean): Promise<string> {
  const png = await encodePngTensor(t);
  const colour = ok === undefined ? "#000" : ok ? "#1a7f37" : "#cf222e";
  return `<figure style="display:inline-block;margin:3px;text-align:center"><img alt="${escapeHtml(caption)}" src="data:image/png;base64,${png.toString("base64")}" width="56" height="56" style="image-rendering:pixelated"><figcaption style="font-size:11px;color:${colour}">${escapeHtml(caption)}</figcaption></figure>`;
}

export async function neighboursHtml(
  model: EmbeddingCNN,
  prep: (x: Tensor) => Tensor,
  test: LabelledImages,
  labels: readonly string[],
  held: readonly number[],
  perClass = 3,
  k = 5,
): Promise<string> {
  const emb = embedImages(descriptorOf(model, "spatial"), test.images, prep);
  const index = new ExactIndex(emb);
  const lab = test.labels.data() as BigInt64Array;
  const queries: number[] = [];
  for (const c of held) {
    let found = 0;
    for (let i = 0; i < lab.length && found < perClass; i++)
      if (Number(lab[i]) === c) {
        queries.push(i);
        found++;
      }
  }
  const rows: string[] = [];
  for (const q of queries) {
    const r = noGrad(() => tidy(() => index.search(emb.narrow(0, q, 1), k, { exclude: [q] }).indices.keep()));
    const ids = Array.from(r.data() as BigInt64Array, Number);
    const cells = [await figure(test.images.select(0, q), `query: ${labels[Number(lab[q])]}`)];
    for (const id of ids) cells.push(await figure(test.images.select(0, id), labels[Number(lab[id])] ?? "?", lab[id] === lab[q]));
    rows.push(`<div>${cells.join("")}</div>`);
    r.dispose();
  }
  index.dispose();
  emb.dispose();
  return `<div class="retrieval"><div style="font-size:13px">Queries from classes never seen in training, and their ${k} nearest test images</div>${rows.join("")}</div>`;
}
