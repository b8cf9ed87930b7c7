// A tiny labelled molecule set for end-to-end tests of the graph tasks: alcohols and amines (1)
// against hydrocarbons (0), learnable from atom features alone; and its CSV writer.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export const MOLECULE_ROWS: [string, number][] = [
  ["CCO", 1],
  ["CCCO", 1],
  ["OCCO", 1],
  ["CC(O)C", 1],
  ["NCC", 1],
  ["NCCN", 1],
  ["c1ccccc1O", 1],
  ["c1ccccc1N", 1],
  ["CC", 0],
  ["CCC", 0],
  ["CCCC", 0],
  ["CC(C)C", 0],
  ["c1ccccc1", 0],
  ["Cc1ccccc1", 0],
  ["C1CCCCC1", 0],
  ["CC=C", 0],
];

/** Writes rows as `smiles,label` CSV at dir/name; returns its path. */
export function writeMoleculeCsv(dir: string, rows: readonly (readonly [string, number | string])[], name = "mols.csv"): string {
  const p = join(dir, name);
  writeFileSync(p, `smiles,label\n${rows.map(([s, l]) => `${s},${l}`).join("\n")}\n`);
  return p;
}
