// The layering of DESIGN.md, checked on the import graph of src/: a file imports only from
// its own layer or lower ones, the modalities never import each other (video, above them, uses vision only), and no files import
// each other in a circle. Type-only imports (`import type`, erased at compile time) are
// not edges: they cannot make a module load another.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src");

/** Bottom to top. A path's layer is the first rule that matches it. */
const LAYERS: readonly [string, RegExp][] = [
  ["core", /^core\//],
  ["nn", /^nn\//],
  // Quantized modules and kernels: nn modules on int8 tensors; training and compress load them.
  ["quant", /^quant\//],
  ["optim", /^optim\//],
  ["io", /^io\//],
  ["http", /^http\//],
  ["data", /^data\//],
  ["train", /^train\//],
  ["task contract", /^tasks\/(?!registry\.ts|index\.ts|pipeline\.ts|catalog\.ts)/],
  ["modality", /^(vision|text|audio|graph)\//],
  // Video frames are images: the video modality builds on vision (scenes, models), never the reverse.
  ["video", /^video\//],
  ["learn", /^learn\//],
  ["registry", /^tasks\/(registry|index|pipeline|catalog)\.ts$/],
  ["runners", /^(worker|compare)\//],
  ["serve", /^serve\//],
  // The studio shows runs and tries their models through the server's predict path.
  ["studio", /^studio\//],
  ["cli", /^cli\//],
  ["package", /^index\.ts$/],
];

function layerOf(file: string): number {
  const i = LAYERS.findIndex(([, re]) => re.test(file));
  assert.notEqual(i, -1, `${file} is in no layer of test/layers.test.ts: add its folder to LAYERS`);
  return i;
}

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith(".ts")) out.push(relative(SRC, p));
  }
  return out;
}

// Value imports and re-exports with a relative specifier ("import type" and "export type" excluded;
// `import("…")` expressions are loaded when called, and checked for direction only).
const STATIC = /^\s*(?:import|export)\s+(?!type\s)(?:[^;]*?\sfrom\s+)?["'](\.[^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["'](\.[^"']+)["']\s*\)/g;

function importsOf(file: string, re: RegExp): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  return [...text.matchAll(re)].map((m) => normalize(join(dirname(file), m[1]!)).replace(/\.js$/, ".ts"));
}

const files = sources(SRC).sort();
const graph = new Map(files.map((f) => [f, importsOf(f, STATIC)]));
const MODALITY = /^(vision|text|audio|graph)\//;

test("every import points to the same layer or a lower one, and modalities do not import each other", () => {
  const wrong: string[] = [];
  for (const f of files) {
    for (const to of [...graph.get(f)!, ...importsOf(f, DYNAMIC)]) {
      if (to.startsWith("..")) continue; // outside src (package.json)
      const [a, b] = [layerOf(f), layerOf(to)];
      if (b > a) wrong.push(`${f} (${LAYERS[a]![0]}) imports ${to} (${LAYERS[b]![0]})`);
      const [ma, mb] = [f.match(MODALITY)?.[1], to.match(MODALITY)?.[1]];
      if (ma && mb && ma !== mb) wrong.push(`${f} imports another modality: ${to}`);
      if (f.startsWith("video/") && /^(text|audio|graph)\//.test(to))
        wrong.push(`${f} (video) imports a modality other than vision: ${to}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("no import circles", () => {
  // Tarjan's strongly connected components over the value-import graph.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) circles.push(c.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  assert.deepEqual(circles, []);
});
