// Parquet and Arrow IPC files (how Hugging Face datasets are stored) as rows of plain records.
// Parquet is read by hyparquet (pure JS), Arrow by apache-arrow: both optional peer
// dependencies, loaded on first use. A Hugging Face ClassLabel column (integers with names in
// the file's "huggingface" metadata) is read as its names, as `datasets` shows it.
import type * as Hyparquet from "hyparquet";
import { FlambeauError } from "../core/errors.js";
import { importOptional } from "../core/optional.js";
import { readBytes } from "./files.js";

export interface ColumnarTable {
  columns: string[];
  rows: Record<string, unknown>[];
}

/** The slice of apache-arrow used here (its own declarations pull in a second @types/node). */
interface ArrowModule {
  tableFromIPC(bytes: Uint8Array): {
    schema: { fields: { name: string }[]; metadata: Map<string, string> };
    toArray(): { toJSON(): Record<string, unknown> }[];
  };
}

/** Arrow vectors, typed arrays and structs as plain JSON-like values (bigints kept). */
function plain(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<unknown>, plain);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Date) return v;
  const j = (v as { toJSON?: () => unknown }).toJSON;
  if (typeof j === "function") return plain(j.call(v));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

/** The class names of each ClassLabel column in a Hugging Face "huggingface" metadata value. */
export function hfClassNames(meta: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!meta) return out;
  let features: unknown;
  try {
    features = (JSON.parse(meta) as { info?: { features?: unknown } }).info?.features;
  } catch {
    return out; // metadata is a hint; a malformed one leaves the integers as they are
  }
  // A column of labels per token is a Sequence (or List, or [feature]) of a ClassLabel.
  type Feature = { _type?: string; names?: unknown; feature?: Feature } | Feature[] | undefined;
  const classLabel = (f: Feature): string[] | undefined => {
    if (Array.isArray(f)) return f.length === 1 ? classLabel(f[0]) : undefined;
    if (f?._type === "ClassLabel" && Array.isArray(f.names)) return f.names.map(String);
    if (f?._type === "Sequence" || f?._type === "List") return classLabel(f.feature);
    return undefined;
  };
  if (features && typeof features === "object")
    for (const [col, f] of Object.entries(features as Record<string, Feature>)) {
      const names = classLabel(f);
      if (names) out.set(col, names);
    }
  return out;
}

/** Replaces ClassLabel integers (and lists of them) by their names; −1 (no label) stays. */
function nameLabels(rows: Record<string, unknown>[], names: Map<string, string[]>): void {
  if (names.size === 0) return;
  const name = (col: string, list: string[], v: unknown): unknown => {
    if (Array.isArray(v)) return v.map((x) => name(col, list, x));
    if (typeof v !== "number" && typeof v !== "bigint") return v;
    const k = Number(v);
    return k >= 0 && k < list.length ? list[k] : v;
  };
  for (const r of rows) for (const [col, list] of names) if (Object.hasOwn(r, col)) r[col] = name(col, list, r[col]);
}

const formatError = (op: string, path: string, e: unknown): FlambeauError =>
  new FlambeauError("E_FORMAT", `${op}: ${path}: not a readable file (${(e as Error).message ?? e})`, op);

/** Reads every row of a Parquet file. */
export async function readParquet(path: string): Promise<ColumnarTable> {
  const op = "readParquet";
  const hp = await importOptional<typeof Hyparquet>("hyparquet", "reading Parquet files", op);
  const bytes = await readBytes(op, path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const metadata = hp.parquetMetadata(file);
    const columns = hp.parquetSchema(metadata).children.map((c) => c.element.name);
    const rows = (await hp.parquetReadObjects({ file, metadata })).map((r) => plain(r) as Record<string, unknown>);
    nameLabels(rows, hfClassNames(metadata.key_value_metadata?.find((kv) => kv.key === "huggingface")?.value));
    return { columns, rows };
  } catch (e) {
    throw formatError(op, path, e);
  }
}

/** Reads every row of an Arrow IPC file or stream (.arrow, .feather v2, a `datasets` cache file). */
export async function readArrow(path: string): Promise<ColumnarTable> {
  const op = "readArrow";
  const arrow = await importOptional<ArrowModule>("apache-arrow", "reading Arrow files", op);
  const bytes = await readBytes(op, path);
  try {
    const table = arrow.tableFromIPC(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const rows = table.toArray().map((r) => plain(r.toJSON()) as Record<string, unknown>);
    nameLabels(rows, hfClassNames(table.schema.metadata.get("huggingface")));
    return { columns: table.schema.fields.map((f) => f.name), rows };
  } catch (e) {
    throw formatError(op, path, e);
  }
}
