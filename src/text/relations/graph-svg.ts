// The extracted knowledge graph drawn as an inline SVG: described packages in the left column,
// the packages they name in the right one, one arrow per extracted triple coloured by its
// relation (dashed when the Packages index does not hold it), with a legend of the relations drawn.
// WordNet's extracted hypernym pairs are drawn the same way (terms → hypernyms, dashed when
// WordNet does not hold the pair).
import { escapeHtml } from "../../tasks/html.js";

export interface DrawnTriple {
  head: string;
  relation: string;
  tail: string;
  confidence: number;
  /** Whether the knowledge base holds the triple. */
  correct: boolean;
}

const COLOURS: Record<string, string> = {
  Depends: "#0969da",
  Recommends: "#1a7f37",
  Suggests: "#9a6700",
  Provides: "#8250df",
  Replaces: "#cf222e",
  hypernym: "#0969da",
};

/** An SVG of the triples (names in first-seen order). */
export function triplesSvg(triples: readonly DrawnTriple[]): string {
  const heads = [...new Set(triples.map((t) => t.head))];
  const tails = [...new Set(triples.map((t) => t.tail))];
  const row = 22;
  const width = 780;
  const top = 34;
  const height = top + Math.max(heads.length, tails.length, 1) * row + 10;
  const hy = (n: string) => top + heads.indexOf(n) * row + row / 2;
  const ty = (n: string) => top + tails.indexOf(n) * row + row / 2;
  const x0 = 270;
  const x1 = width - 270;
  const drawn = new Set(triples.map((t) => t.relation));
  const legend = Object.entries(COLOURS)
    .filter(([r]) => drawn.has(r))
    .map(([r, c], i) => `<text x="${10 + i * 120}" y="16" fill="${c}" font-size="12">■ ${r}</text>`)
    .join("");
  const edges = triples
    .map((t) => {
      const c = COLOURS[t.relation] ?? "#57606a";
      const dash = t.correct ? "" : ' stroke-dasharray="4 3"';
      return `<line x1="${x0 + 4}" y1="${hy(t.head)}" x2="${x1 - 8}" y2="${ty(t.tail)}" stroke="${c}" stroke-width="${(1 + 2 * t.confidence).toFixed(2)}"${dash} marker-end="url(#arrow)"><title>${escapeHtml(`${t.head} ${t.relation} ${t.tail} (${(100 * t.confidence).toFixed(0)}%)`)}</title></line>`;
    })
    .join("");
  const names = [
    ...heads.map((n) => `<text x="${x0 - 4}" y="${hy(n) + 4}" text-anchor="end" font-size="12">${escapeHtml(n)}</text>`),
    ...tails.map((n) => `<text x="${x1}" y="${ty(n) + 4}" font-size="12">${escapeHtml(n)}</text>`),
  ].join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#57606a"/></marker></defs>${legend}${edges}${names}</svg>`;
}
