// Molecule data sets: built-in ones from Debian's rdkit-data, a user CSV (smiles + label
// columns), or an SD file with the label in a data field ("file.sdf:FIELD"). Labels that are
// all numbers make a regression set, unless they are all 0/1; anything else is classes.
import { existsSync, readFileSync } from "node:fs";
import { FlambeauError } from "../../core/errors.js";
import { parseCsv } from "../../data/csv.js";
import { moleculeFromOcl, parseMolfileOcl, parseSmilesOcl } from "./ocl.js";

export const RDKIT_DATA = "/usr/share/RDKit";

export interface MoleculeRecord {
  smiles: string;
  /** Raw label text from the file. */
  label: string;
  /** file:line, for error messages. */
  where: string;
}

export interface MoleculeSet {
  name: string;
  records: MoleculeRecord[];
  /** Built-in sets say which kind they are; user files are inferred (see inferMode). */
  mode?: "classification" | "regression";
  /** What the label means (shown in logs and the README). */
  description: string;
  /** Rows skipped (built-in sets only: openchemlib refused the SMILES). */
  skipped: string[];
}

const ACTIVE_PIC50 = 7;

function readText(path: string, what: string): string {
  if (!existsSync(path))
    throw new FlambeauError(
      "E_IO",
      `${what}: ${path} does not exist${path.startsWith(RDKIT_DATA) ? " (install Debian's rdkit-data: apt-get install rdkit-data)" : ""}`,
      what,
    );
  return readFileSync(path, "utf8");
}

/** CHEMBL2321810 (rdkit-data's Free–Wilson example): 1016 inhibitors with pIC50. */
function chembl2321810(): MoleculeRecord[] {
  const dir = `${RDKIT_DATA}/Contrib/FreeWilson/data`;
  const smiPath = `${dir}/CHEMBL2321810.smi`;
  const actPath = `${dir}/CHEMBL2321810_act.csv`;
  const act = new Map<string, string>();
  for (const row of parseCsv(readText(actPath, "chembl2321810"), {}, actPath).rows) act.set(row.Name!, row.Act!);
  const out: MoleculeRecord[] = [];
  readText(smiPath, "chembl2321810")
    .split("\n")
    .forEach((line, i) => {
      const [smiles, id] = line.trim().split(/\s+/);
      if (!smiles || !id) return;
      const a = act.get(id);
      if (a !== undefined) out.push({ smiles, label: a, where: `${smiPath}:${i + 1}` });
    });
  return out;
}

/** NCI first 5000 with TPSA (Ertl's topological polar surface area, computed by Daylight). */
function nciTpsa(): MoleculeRecord[] {
  const path = `${RDKIT_DATA}/Data/NCI/first_5k.tpsa.csv`;
  const out: MoleculeRecord[] = [];
  readText(path, "nci-tpsa")
    .split("\n")
    .forEach((line, i) => {
      if (line.startsWith("#") || !line.trim()) return;
      const k = line.lastIndexOf(",");
      out.push({ smiles: line.slice(0, k), label: line.slice(k + 1).trim(), where: `${path}:${i + 1}` });
    });
  return out;
}

interface BuiltIn {
  mode: "classification" | "regression";
  description: string;
  read(): MoleculeRecord[];
}

export const BUILTIN_MOLECULE_SETS: Readonly<Record<string, BuiltIn>> = Object.freeze({
  chembl2321810: {
    mode: "regression",
    description: "pIC50 of 1017 ChEMBL inhibitors (rdkit-data FreeWilson/CHEMBL2321810)",
    read: chembl2321810,
  },
  "chembl2321810-active": {
    mode: "classification",
    description: `active = pIC50 ≥ ${ACTIVE_PIC50} for the same 1017 ChEMBL inhibitors (rdkit-data FreeWilson/CHEMBL2321810)`,
    read: () => chembl2321810().map((r) => ({ ...r, label: Number(r.label) >= ACTIVE_PIC50 ? "active" : "inactive" })),
  },
  "nci-tpsa": {
    mode: "regression",
    description: "topological polar surface area of 5000 NCI molecules (rdkit-data Data/NCI)",
    read: nciTpsa,
  },
});

/** Reads a CSV whose header has a smiles column and a label column (label, y, target, or the other column). */
export function readMoleculeCsv(path: string): MoleculeRecord[] {
  const table = parseCsv(readText(path, "readMoleculeCsv"), {}, path);
  const lower = table.columns.map((c) => c.trim().toLowerCase());
  const si = lower.indexOf("smiles");
  if (si < 0)
    throw new FlambeauError("E_FORMAT", `readMoleculeCsv: ${path}:1: no "smiles" column in the header (${table.columns.join(",")})`);
  let li = ["label", "y", "target", "activity", "value"].map((n) => lower.indexOf(n)).find((i) => i >= 0) ?? -1;
  if (li < 0 && table.columns.length === 2) li = 1 - si;
  if (li < 0)
    throw new FlambeauError(
      "E_FORMAT",
      `readMoleculeCsv: ${path}:1: no label column; name it "label" (header: ${table.columns.join(",")})`,
    );
  const sc = table.columns[si]!;
  const lc = table.columns[li]!;
  return table.rows.map((row, i) => {
    const where = `${path}:${i + 2}`;
    const label = (row[lc] ?? "").trim();
    if (label === "") throw new FlambeauError("E_FORMAT", `readMoleculeCsv: ${where}: empty label for "${row[sc]}"`);
    return { smiles: (row[sc] ?? "").trim(), label, where };
  });
}

/** Reads an SD file; each record's label is the data field `field`. SMILES come from openchemlib. */
export function readMoleculeSdf(path: string, field: string): MoleculeRecord[] {
  const text = readText(path, "readMoleculeSdf").replace(/\r\n/g, "\n");
  const out: MoleculeRecord[] = [];
  let line = 1;
  for (const block of text.split(/^\$\$\$\$\n?/m)) {
    const start = line;
    line += block.split("\n").length - 1 + 1;
    if (!block.trim()) continue;
    const where = `${path}:${start}`;
    const end = block.indexOf("M  END");
    if (end < 0) throw new FlambeauError("E_FORMAT", `readMoleculeSdf: ${where}: record without "M  END"`);
    const re = new RegExp(`^>.*<${field.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}>.*\\n([^\\n]*)`, "m");
    const m = re.exec(block.slice(end));
    if (!m) throw new FlambeauError("E_FORMAT", `readMoleculeSdf: ${where}: record has no data field <${field}>`);
    const mol = parseMolfileOcl(block.slice(0, end + 6), where);
    out.push({ smiles: mol.toIsomericSmiles(), label: m[1]!.trim(), where });
  }
  if (out.length === 0) throw new FlambeauError("E_FORMAT", `readMoleculeSdf: ${path}: no records`);
  return out;
}

/** A built-in name, a CSV path, or "file.sdf:FIELD". */
export function loadMoleculeSet(spec: string): MoleculeSet {
  const b = BUILTIN_MOLECULE_SETS[spec];
  if (b) {
    const skipped: string[] = [];
    const records = b.read().filter((r) => {
      try {
        parseSmilesOcl(r.smiles, r.where);
        return true;
      } catch (e) {
        skipped.push((e as Error).message);
        return false;
      }
    });
    return { name: spec, records, mode: b.mode, description: b.description, skipped };
  }
  const sdf = /^(.*\.sdf):([^:/\\]+)$/i.exec(spec);
  if (sdf && !existsSync(spec))
    return { name: spec, records: readMoleculeSdf(sdf[1]!, sdf[2]!), description: `data field <${sdf[2]}>`, skipped: [] };
  if (/\.sdf$/i.test(spec)) throw new FlambeauError("E_ARG", `molecules: give the label field of ${spec} as "${spec}:FIELD"`);
  if (!existsSync(spec))
    throw new FlambeauError(
      "E_ARG",
      `molecules: "${spec}" is neither a built-in set (${Object.keys(BUILTIN_MOLECULE_SETS).join(", ")}) nor an existing file`,
    );
  const records = readMoleculeCsv(spec);
  // Every row must parse: a bad row in a user's file is an error naming file:line.
  for (const r of records) parseSmilesOcl(r.smiles, r.where);
  return { name: spec, records, description: "label column", skipped: [] };
}

/** Regression when every label is a number and not all are 0/1; else classification. */
export function inferMode(records: readonly MoleculeRecord[]): "classification" | "regression" {
  const nums = records.map((r) => Number(r.label));
  if (nums.some((v) => !Number.isFinite(v))) return "classification";
  return nums.every((v) => v === 0 || v === 1) ? "classification" : "regression";
}

/** Heavy-atom molecule of a record (parse errors name the record's file:line). */
export const recordMolecule = (r: MoleculeRecord) => moleculeFromOcl(parseSmilesOcl(r.smiles, r.where), r.smiles);
