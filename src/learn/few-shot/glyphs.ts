// The `glyphs` data set: an Omniglot-like set rendered from real fonts. Alphabets are Unicode
// scripts (Scripts.txt) that Debian's Noto fonts cover; a character (class) is one letter of
// the script, drawn in each of the script's Noto faces (Sans/Serif × Regular/Bold where they
// exist) under random affine distortions, 28×28 grayscale like Omniglot downsampled. Its
// Unicode name (UnicodeData.txt) describes the class. Alphabets are split whole into a
// background (training) and an evaluation (test) set. Generation is seeded and cached.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { requireOptional } from "../../core/optional.js";
import { cacheRoot } from "../../data/cache.js";
import { Random } from "../../data/random.js";
import { writeAll, writeAtomic, writeTextAtomic } from "../../io/atomic.js";
import { type Affine, boundsOf, fillPolygons, flattenPath, type PathCommand } from "./raster.js";

export const NOTO_DIR = "/usr/share/fonts/truetype/noto";
export const UNICODE_DIR = "/usr/share/unicode";
/** Bumped whenever the pixels a configuration produces change (invalidates caches). */
const GENERATOR_VERSION = 1;

export interface GlyphSetOptions {
  /** Image side (default 28). */
  size?: number;
  /** Images per character, spread over the script's fonts (default 20, as Omniglot's drawers). */
  samples?: number;
  /** At most this many characters per alphabet, a seeded choice (default 40). */
  maxCharacters?: number;
  /** Alphabets with fewer usable characters are left out (default 14, Omniglot's smallest). */
  minCharacters?: number;
  /** Alphabets drawn by fewer Noto faces are left out (default 2: a class varies by more than jitter). */
  minFonts?: number;
  /** Use only these scripts (Scripts.txt names, e.g. "Runic"); default: every covered one. */
  scripts?: readonly string[];
  /** Fraction of alphabets held out for evaluation (default 0.4, Omniglot's 20 of 50). */
  evalFraction?: number;
  seed?: number;
  /** Where fonts live (default the Debian Noto directory). */
  fontDir?: string;
  /** Cache directory (default cacheRoot()/few-shot); null: do not cache. */
  cacheDir?: string | null;
}

export interface GlyphClass {
  alphabet: string;
  /** A stable id: "Runic/U+16A0". */
  id: string;
  codepoint: number;
  /** The Unicode name ("RUNIC LETTER FEHU FEOH FE F"): the class's text description. */
  description: string;
  /** Its images are first … first+count-1. */
  first: number;
  count: number;
}

export interface GlyphAlphabet {
  name: string;
  split: "background" | "evaluation";
  fonts: string[];
  /** Indices into `classes`. */
  classes: number[];
}

/** Characters grouped by alphabet, images as uint8 ink coverage (0 = blank, 255 = ink). */
export interface GlyphSet {
  size: number;
  alphabets: GlyphAlphabet[];
  classes: GlyphClass[];
  images: Uint8Array;
}

interface OpenTypeGlyph {
  index: number;
  getPath(x: number, y: number, fontSize: number): { commands: PathCommand[] };
}
interface OpenTypeFont {
  unitsPerEm: number;
  charToGlyph(c: string): OpenTypeGlyph;
}
interface OpenTypeModule {
  parse(buffer: ArrayBuffer): OpenTypeFont;
}
let opentype: OpenTypeModule | undefined;
const fonts = new Map<string, OpenTypeFont>();
function loadFont(path: string): OpenTypeFont {
  opentype ??= requireOptional<OpenTypeModule>("opentype.js", "glyph data sets (reading fonts)", "glyphs");
  let f = fonts.get(path);
  if (!f) {
    try {
      // parse, not loadSync: opentype.js 1.3.5 deprecated loadSync and returns undefined from it.
      const bytes = readFileSync(path);
      f = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    } catch (e) {
      throw new FlambeauError("E_FORMAT", `glyphs: cannot read font ${path} (${(e as Error).message})`);
    }
    fonts.set(path, f);
  }
  return f;
}

// Scripts whose letters are thousands of intricate ideographs or pictures: blobs at 28×28.
const EXCLUDED = new Set([
  "Common",
  "Inherited",
  "Han",
  "Tangut",
  "Nushu",
  "Egyptian_Hieroglyphs",
  "Cuneiform",
  "Anatolian_Hieroglyphs",
  "SignWriting",
  "Yi",
  "Bamum",
  "Linear_A",
]);
// Scripts drawn by the general Noto faces, and extra faces of some scripts.
const SHARED_FACES = ["NotoSans-Regular", "NotoSans-Bold", "NotoSerif-Regular", "NotoSerif-Bold"];
const EXTRA_FACES: Record<string, string[]> = {
  Arabic: ["NotoNaskhArabic-Regular", "NotoKufiArabic-Regular"],
  Hebrew: ["NotoRashiHebrew-Regular"],
  Thai: ["NotoLoopedThai-Regular"],
  Lao: ["NotoLoopedLao-Regular"],
  Tifinagh: ["NotoSansTifinaghAdrar-Regular", "NotoSansTifinaghAhaggar-Regular"],
};
const MAX_FONTS = 4;

/** The Noto faces of a script, up to four, in a fixed order. */
export function scriptFonts(script: string, fontDir = NOTO_DIR): string[] {
  const camel = script.replace(/_/g, "");
  const names = ["Latin", "Greek", "Cyrillic"].includes(script)
    ? SHARED_FACES
    : [
        `NotoSans${camel}-Regular`,
        `NotoSerif${camel}-Regular`,
        ...(EXTRA_FACES[script] ?? []),
        `NotoSans${camel}-Bold`,
        `NotoSerif${camel}-Bold`,
      ];
  return names
    .map((n) => join(fontDir, `${n}.ttf`))
    .filter((p) => existsSync(p))
    .slice(0, MAX_FONTS);
}

interface Letter {
  codepoint: number;
  name: string;
}

/** Letters of each script: general category Lu/Ll/Lo/Lt, not precomposed, lowercase only where it has no uppercase. */
export function scriptLetters(unicodeDir = UNICODE_DIR): Map<string, Letter[]> {
  const read = (f: string) => {
    const p = join(unicodeDir, f);
    if (!existsSync(p)) throw new FlambeauError("E_IO", `glyphs: ${p} is missing (install the unicode-data package)`);
    return readFileSync(p, "utf8");
  };
  const info = new Map<number, { name: string; cat: string; decomposed: boolean; hasUpper: boolean }>();
  for (const line of read("UnicodeData.txt").split("\n")) {
    const f = line.split(";");
    if (f.length < 13 || f[1]!.startsWith("<")) continue;
    info.set(Number.parseInt(f[0]!, 16), { name: f[1]!, cat: f[2]!, decomposed: f[5] !== "", hasUpper: f[12] !== "" });
  }
  const out = new Map<string, Letter[]>();
  for (const line of read("Scripts.txt").split("\n")) {
    const m = /^([0-9A-F]+)(?:\.\.([0-9A-F]+))?\s*;\s*(\w+)/.exec(line);
    if (!m) continue;
    const [lo, hi, script] = [Number.parseInt(m[1]!, 16), Number.parseInt(m[2] ?? m[1]!, 16), m[3]!];
    if (EXCLUDED.has(script)) continue;
    for (let c = lo; c <= hi; c++) {
      const u = info.get(c);
      if (!u || !["Lu", "Ll", "Lo", "Lt"].includes(u.cat) || u.decomposed || (u.cat === "Ll" && u.hasUpper)) continue;
      if (!out.has(script)) out.set(script, []);
      out.get(script)!.push({ codepoint: c, name: u.name });
    }
  }
  return out;
}

const mul = (a: Affine, b: Affine): Affine => [
  a[0] * b[0] + a[1] * b[3],
  a[0] * b[1] + a[1] * b[4],
  a[0] * b[2] + a[1] * b[5] + a[2],
  a[3] * b[0] + a[4] * b[3],
  a[3] * b[1] + a[4] * b[4],
  a[3] * b[2] + a[4] * b[5] + a[5],
];

/** Omniglot-like jitter: rotation ±10°, scale 0.85–1.1, shear ±0.2, shift ±2 px (at 28 px). */
function distortion(rng: Random, size: number): Affine {
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng.nextFloat();
  const th = (u(-10, 10) * Math.PI) / 180;
  const s = u(0.85, 1.1);
  const sh = u(-0.2, 0.2);
  const k = size / 28;
  const [dx, dy] = [u(-2, 2) * k, u(-2, 2) * k];
  const rot: Affine = [Math.cos(th), -Math.sin(th), 0, Math.sin(th), Math.cos(th), 0];
  return mul([1, 0, size / 2 + dx, 0, 1, size / 2 + dy], mul(rot, [s, sh * s, 0, 0, s, 0]));
}

/** The glyph's polygons, or undefined when the font has no visible glyph for it. */
function outline(font: OpenTypeFont, codepoint: number): { polys: number[][]; box: [number, number, number, number] } | undefined {
  const g = font.charToGlyph(String.fromCodePoint(codepoint));
  if (!g || g.index === 0) return undefined;
  const polys = flattenPath(g.getPath(0, 0, font.unitsPerEm).commands);
  if (polys.length === 0) return undefined;
  const box = boundsOf(polys);
  // Dots and bars (a script's tiny marks) carry no shape to learn.
  if (Math.max(box[2] - box[0], box[3] - box[1]) < 0.05 * font.unitsPerEm) return undefined;
  return { polys, box };
}

/** Renders one glyph: its bounding box fitted into 20/28 of the image, centred, then distorted. */
export function renderGlyph(polys: number[][], box: readonly number[], size: number, jitter: Affine): Uint8Array {
  // opentype.js paths are already y-down (screen coordinates).
  const side = Math.max(box[2]! - box[0]!, box[3]! - box[1]!);
  const s = ((20 / 28) * size) / side;
  const centre: Affine = [s, 0, -s * ((box[0]! + box[2]!) / 2), 0, s, -s * ((box[1]! + box[3]!) / 2)];
  const cov = fillPolygons(polys, mul(jitter, centre), size);
  const px = new Uint8Array(cov.length);
  for (let i = 0; i < cov.length; i++) px[i] = Math.round(255 * Math.min(1, cov[i]!));
  return px;
}

function resolved(o: GlyphSetOptions) {
  return {
    size: o.size ?? 28,
    samples: o.samples ?? 20,
    maxCharacters: o.maxCharacters ?? 40,
    minCharacters: o.minCharacters ?? 14,
    minFonts: o.minFonts ?? 2,
    scripts: o.scripts ? [...o.scripts] : null,
    evalFraction: o.evalFraction ?? 0.4,
    seed: o.seed ?? 0,
    fontDir: o.fontDir ?? NOTO_DIR,
  };
}

function checkOptions(c: ReturnType<typeof resolved>) {
  const int = (k: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new FlambeauError("E_ARG", `glyphs: ${k} must be an integer >= ${min}, got ${v}`);
  };
  int("size", c.size, 8);
  int("samples", c.samples, 1);
  int("maxCharacters", c.maxCharacters, 1);
  int("minCharacters", c.minCharacters, 1);
  int("minFonts", c.minFonts, 1);
  if (!(c.evalFraction > 0 && c.evalFraction < 1))
    throw new FlambeauError("E_ARG", `glyphs: evalFraction must be in (0, 1), got ${c.evalFraction}`);
}

/** Renders the set (no cache). */
export function generateGlyphSet(o: GlyphSetOptions = {}): GlyphSet {
  const c = resolved(o);
  checkOptions(c);
  if (!existsSync(c.fontDir)) throw new FlambeauError("E_IO", `glyphs: no fonts at ${c.fontDir} (install the fonts-noto-core package)`);
  const letters = scriptLetters();
  if (c.scripts)
    for (const s of c.scripts) if (!letters.has(s)) throw new FlambeauError("E_ARG", `glyphs: unknown or excluded script "${s}"`);
  const names = (c.scripts ?? [...letters.keys()]).slice().sort();
  const chosen: { name: string; fonts: string[]; chars: { letter: Letter; outlines: NonNullable<ReturnType<typeof outline>>[] }[] }[] = [];
  for (const name of names) {
    const fontPaths = scriptFonts(name, c.fontDir);
    if (fontPaths.length < c.minFonts) continue;
    const faces = fontPaths.map(loadFont);
    const usable = [];
    for (const letter of letters.get(name)!) {
      const outlines = faces.map((f) => outline(f, letter.codepoint));
      if (outlines.every((x) => x !== undefined)) usable.push({ letter, outlines: outlines as NonNullable<(typeof outlines)[0]>[] });
    }
    if (usable.length < c.minCharacters) continue;
    const pick = new Random(c.seed, 1, ...[...name].map((ch) => ch.charCodeAt(0))).shuffle(usable).slice(0, c.maxCharacters);
    pick.sort((a, b) => a.letter.codepoint - b.letter.codepoint);
    chosen.push({ name, fonts: fontPaths.map((p) => p.slice(p.lastIndexOf("/") + 1)), chars: pick });
  }
  if (chosen.length < 2)
    throw new FlambeauError(
      "E_ARG",
      `glyphs: only ${chosen.length} alphabet(s) have ${c.minCharacters}+ characters in ${c.fontDir}; need 2 to hold one out`,
    );
  const order = new Random(c.seed, 2).permutation(chosen.length);
  const nEval = Math.min(chosen.length - 1, Math.max(1, Math.round(c.evalFraction * chosen.length)));
  const evalSet = new Set([...order.slice(0, nEval)]);
  const px = c.size * c.size;
  const total = chosen.reduce((n, a) => n + a.chars.length, 0) * c.samples;
  const images = new Uint8Array(total * px);
  const classes: GlyphClass[] = [];
  const alphabets: GlyphAlphabet[] = [];
  let next = 0;
  chosen.forEach((a, ai) => {
    const ids: number[] = [];
    for (const ch of a.chars) {
      const rng = new Random(c.seed, 3, ch.letter.codepoint);
      const first = next;
      for (let s = 0; s < c.samples; s++) {
        const o = ch.outlines[s % ch.outlines.length]!;
        images.set(renderGlyph(o.polys, o.box, c.size, distortion(rng, c.size)), next * px);
        next++;
      }
      ids.push(classes.length);
      const hex = ch.letter.codepoint.toString(16).toUpperCase().padStart(4, "0");
      classes.push({
        alphabet: a.name,
        id: `${a.name}/U+${hex}`,
        codepoint: ch.letter.codepoint,
        description: ch.letter.name,
        first,
        count: c.samples,
      });
    }
    alphabets.push({ name: a.name, split: evalSet.has(ai) ? "evaluation" : "background", fonts: a.fonts, classes: ids });
  });
  return { size: c.size, alphabets, classes, images };
}

/** The set from the cache, rendered and cached on the first call. */
export async function loadGlyphSet(o: GlyphSetOptions = {}): Promise<GlyphSet> {
  const c = resolved(o);
  checkOptions(c);
  const key = createHash("sha256")
    .update(JSON.stringify({ v: GENERATOR_VERSION, ...c }))
    .digest("hex")
    .slice(0, 16);
  const dir = o.cacheDir === null ? null : join(o.cacheDir ?? join(cacheRoot(), "few-shot"), `glyphs-${key}`);
  const [metaPath, imgPath] = dir ? [join(dir, "meta.json"), join(dir, "images.u8")] : ["", ""];
  if (dir && existsSync(metaPath) && existsSync(imgPath)) {
    const meta = JSON.parse(readFileSync(metaPath, "utf8")) as Omit<GlyphSet, "images">;
    const buf = readFileSync(imgPath);
    const images = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const expected = meta.classes.reduce((n, k) => n + k.count, 0) * meta.size * meta.size;
    if (images.length === expected) return { ...meta, images };
  }
  const set = generateGlyphSet(o);
  if (dir) {
    mkdirSync(dir, { recursive: true });
    // Images first: meta.json present means the pair is complete.
    await writeAtomic("glyphs", imgPath, (fh) => writeAll(fh, [set.images]));
    const { images: _images, ...meta } = set;
    await writeTextAtomic("glyphs", metaPath, JSON.stringify(meta));
  }
  return set;
}
