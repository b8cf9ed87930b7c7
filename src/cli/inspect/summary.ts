// A scan (scan.ts) summarised: class counts, min/median/max of image sizes, clip lengths and
// token lengths, exact duplicates within the data and between it and the other splits given,
// and the problems (the scanner's, plus classes too small to split).
import type { Scan, ScanItem } from "./scan.js";
import { MAX_PROBLEMS } from "./scan.js";

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface SplitOverlap {
  /** The other split's path. */
  path: string;
  /** Examples of the data whose exact copy is in that split. */
  examples: number;
  /** A few of them: where in the data, and where in the other split. */
  first: { data: string; other: string }[];
}

export interface DataSummary {
  path: string;
  format: string;
  examples: number;
  classes?: Record<string, number>;
  imageWidth?: Spread;
  imageHeight?: Spread;
  clipSeconds?: Spread;
  tokens?: Spread;
  /** Examples that repeat an earlier one exactly. */
  duplicates: number;
  /** A few duplicate groups (where each copy is). */
  duplicateGroups: string[][];
  overlaps: SplitOverlap[];
  problems: string[];
}

const SHOWN = 5;

function spread(values: readonly (number | undefined)[]): Spread | undefined {
  const v = values.filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { min: v[0]!, median, max: v[v.length - 1]! };
}

function classCounts(items: readonly ScanItem[]): Record<string, number> | undefined {
  const counts = new Map<string, number>();
  for (const it of items) for (const c of it.tags ?? (it.label !== undefined ? [it.label] : [])) counts.set(c, (counts.get(c) ?? 0) + 1);
  if (counts.size === 0) return undefined;
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Summarises the data's scan; `others` are the validation / test splits given beside it. */
export function summarise(scan: Scan, others: readonly Scan[] = []): DataSummary {
  const groups = new Map<string, string[]>();
  for (const it of scan.items) groups.set(it.key, [...(groups.get(it.key) ?? []), it.where]);
  const repeated = [...groups.values()].filter((g) => g.length > 1);
  const problems = [...scan.problems];
  const classes = classCounts(scan.items);
  // Classification only: a class with one example cannot be both trained on and held out.
  const perExampleLabels = scan.items.some((it) => it.label !== undefined);
  if (classes && perExampleLabels)
    for (const [c, n] of Object.entries(classes))
      if (n < 2 && problems.length < MAX_PROBLEMS) problems.push(`${scan.path}: class "${c}" has ${n} example (fewer than 2)`);
  // The same example under two labels teaches the model nothing but noise.
  for (const g of repeated) {
    const labels = new Set(scan.items.filter((it) => g.includes(it.where)).map((it) => it.label));
    if (labels.size > 1 && problems.length < MAX_PROBLEMS)
      problems.push(`${g.join(" = ")}: the same example labelled ${[...labels].map((l) => JSON.stringify(l)).join(" and ")}`);
  }
  const overlaps = others.map((o): SplitOverlap => {
    const there = new Map(o.items.map((it) => [it.key, it.where]));
    const both = scan.items.filter((it) => there.has(it.key));
    return {
      path: o.path,
      examples: both.length,
      first: both.slice(0, SHOWN).map((it) => ({ data: it.where, other: there.get(it.key)! })),
    };
  });
  const s = (k: "width" | "height" | "seconds" | "tokens") => spread(scan.items.map((it) => it[k]));
  const w = s("width");
  const h = s("height");
  const sec = s("seconds");
  const tok = s("tokens");
  return {
    path: scan.path,
    format: scan.format,
    examples: scan.items.length,
    ...(classes ? { classes } : {}),
    ...(w ? { imageWidth: w } : {}),
    ...(h ? { imageHeight: h } : {}),
    ...(sec ? { clipSeconds: sec } : {}),
    ...(tok ? { tokens: tok } : {}),
    duplicates: repeated.reduce((a, g) => a + g.length - 1, 0),
    duplicateGroups: repeated.slice(0, SHOWN),
    overlaps,
    problems,
  };
}

const fmtSpread = (name: string, s: Spread | undefined, unit = ""): string[] =>
  s ? [`${name}: min ${+s.min.toFixed(3)}${unit}, median ${+s.median.toFixed(3)}${unit}, max ${+s.max.toFixed(3)}${unit}`] : [];

/** The summary as the lines `flambeau data inspect` prints. */
export function formatSummary(d: DataSummary): string {
  const lines = [`${d.path} (${d.format}): ${d.examples} examples`];
  if (d.classes)
    lines.push(
      `classes (${Object.keys(d.classes).length}): ${Object.entries(d.classes)
        .map(([c, n]) => `${c} ${n}`)
        .join(", ")}`,
    );
  lines.push(
    ...fmtSpread("image width", d.imageWidth, " px"),
    ...fmtSpread("image height", d.imageHeight, " px"),
    ...fmtSpread("clip length", d.clipSeconds, " s"),
    ...fmtSpread("tokens", d.tokens),
  );
  lines.push(`exact duplicates within the data: ${d.duplicates}`);
  for (const g of d.duplicateGroups) lines.push(`  ${g.join(" = ")}`);
  for (const o of d.overlaps) {
    lines.push(`exact duplicates shared with ${o.path}: ${o.examples}`);
    for (const f of o.first) lines.push(`  ${f.data} = ${f.other}`);
  }
  const capped = d.problems.length >= MAX_PROBLEMS ? `first ${MAX_PROBLEMS}` : String(d.problems.length);
  lines.push(d.problems.length ? `problems (${capped}):` : "problems: none found");
  for (const p of d.problems) lines.push(`  ${p}`);
  return lines.join("\n");
}
