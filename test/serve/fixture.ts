// Tiny saved models for the server tests: an image classifier trained for one epoch on a
// dozen Fashion-MNIST PNGs, and (on demand) a tiny topic-conditioned text generator.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getTask } from "../../src/tasks/registry.js";
import { writeFashionImageFolder } from "../helpers/image-folder.js";

export interface ImageModel {
  root: string;
  model: string;
  /** PNG bytes of a held-out test image of each class. */
  png: Buffer;
  file: string;
}

export async function trainImageModel(): Promise<ImageModel> {
  const root = await writeFashionImageFolder({ train: 12, test: 2 });
  const model = join(root, "model");
  await getTask("image-classification").train({ data: join(root, "train"), out: model, epochs: 1, seed: 0 });
  const bag = join(root, "test", "bag");
  const file = join(bag, readdirSync(bag)[0]!);
  return { root, model, png: readFileSync(file), file };
}

export async function trainTextGenerator(root: string): Promise<string> {
  const rows = ["text,label"];
  for (let i = 0; i < 40; i++) rows.push(i % 2 ? `the cat sat on the mat ${i % 7},cats` : `the dog ran in the park ${i % 5},dogs`);
  const file = join(root, "docs.csv");
  writeFileSync(file, `${rows.join("\n")}\n`);
  const out = join(root, "lm");
  await getTask("text-generation").train({ data: file, out, epochs: 1, model: "tiny", seed: 0 });
  return out;
}
