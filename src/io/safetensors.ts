// safetensors (huggingface.co/docs/safetensors): an 8-byte little-endian header length N,
// N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
// {string: string}}, then the tensors' bytes (row-major, little-endian), offsets relative to
// the start of that buffer. The reader trusts nothing in the header; the writer lays tensors
// out as the reference does (by dtype, widest first, then by name; header space-padded to 8
// bytes) so every tensor starts aligned to its element size and files are byte-identical.
import { type FileHandle, open } from "node:fs/promises";
import { endianness } from "node:os";
import { type DType, dtypeCode, itemSize } from "../core/dtype.js";
import { FlambeauError } from "../core/errors.js";
import { Tensor } from "../core/index.js";
import { native } from "../core/native.js";
import { MAX_ELEMENTS, MAX_RANK } from "../core/validate.js";
import { writeAll, writeAtomic } from "./atomic.js";

/** A set of named tensors, as a Map (kept in order) or a plain object. */
export type TensorMap = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;
/** Free-form string pairs stored in the header under "__metadata__". */
export type Metadata = Record<string, string>;

export interface Deserialized {
  tensors: Map<string, Tensor>;
  metadata: Metadata;
}

/** The reference implementation's cap on the header length. */
export const MAX_HEADER_BYTES = 100_000_000;

const TO_FILE: Readonly<Record<DType, string>> = Object.freeze({
  float32: "F32",
  float64: "F64",
  float16: "F16",
  bfloat16: "BF16",
  int64: "I64",
  int32: "I32",
  int16: "I16",
  int8: "I8",
  uint8: "U8",
  bool: "BOOL",
});
const FROM_FILE = new Map(Object.entries(TO_FILE).map(([d, s]) => [s, d as DType]));
const NOT_IN_LIBTORCH = ["U16", "U32", "U64", "F8_E5M2", "F8_E4M3"];
// The reference's Dtype enum order; its writer sorts by it, descending.
const DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"];

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

function checkHost(op: string): void {
  if (endianness() !== "LE") throw new FlambeauError("E_IO", `${op}: safetensors data is little-endian; this host is big-endian`, op);
}

function bad(op: string, source: string, message: string): never {
  throw new FlambeauError("E_FORMAT", `${op}: ${source}: ${message}`, op);
}

/** Reads the header length from the first 8 bytes and checks it against the cap and the file size. */
function headerLength(op: string, source: string, first8: Uint8Array, fileBytes: number): number {
  if (fileBytes < 8) bad(op, source, `${fileBytes} bytes is too short for a safetensors file (it starts with an 8-byte header length)`);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) bad(op, source, `header length ${n} exceeds the cap of ${MAX_HEADER_BYTES} bytes`);
  if (n < 2n) bad(op, source, `header length ${n} is too small for a JSON object`);
  if (Number(n) > fileBytes - 8) bad(op, source, `header length ${n} runs past the end of the file (${fileBytes} bytes)`);
  return Number(n);
}

const isSafeNat = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Parses and validates the JSON header against a data buffer of `dataBytes` bytes. */
function parseHeader(op: string, source: string, header: Uint8Array, dataBytes: number): { entries: Entry[]; metadata: Metadata } {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(header);
  } catch {
    bad(op, source, "the header is not valid UTF-8");
  }
  if (!text.startsWith("{"))
    bad(op, source, `the header must be a JSON object starting with "{", it starts with ${JSON.stringify(text.slice(0, 16))}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    bad(op, source, `the header is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) bad(op, source, "the header must be a JSON object");
  const metadata: Metadata = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (info === null || typeof info !== "object" || Array.isArray(info)) bad(op, source, '"__metadata__" must be an object of strings');
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== "string") bad(op, source, `"__metadata__"[${JSON.stringify(k)}] must be a string, got ${JSON.stringify(v)}`);
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const key = `tensor ${JSON.stringify(name)}`;
    if (info === null || typeof info !== "object" || Array.isArray(info))
      bad(op, source, `${key}: expected {dtype, shape, data_offsets}, got ${JSON.stringify(info)}`);
    const { dtype: fileDtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    const dtype = typeof fileDtype === "string" ? FROM_FILE.get(fileDtype) : undefined;
    if (dtype === undefined) {
      const why =
        typeof fileDtype === "string" && NOT_IN_LIBTORCH.includes(fileDtype)
          ? " (valid safetensors, but libtorch 1.13 has no such dtype)"
          : "";
      bad(op, source, `${key}: unsupported dtype ${JSON.stringify(fileDtype)}${why}; expected one of ${[...FROM_FILE.keys()].join(", ")}`);
    }
    if (!Array.isArray(shape) || !shape.every(isSafeNat))
      bad(op, source, `${key}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    if (shape.length > MAX_RANK) bad(op, source, `${key}: rank ${shape.length} exceeds the maximum of ${MAX_RANK}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSafeNat))
      bad(op, source, `${key}: data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
    const [begin, end] = offsets as [number, number];
    if (end < begin) bad(op, source, `${key}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataBytes)
      bad(op, source, `${key}: data_offsets [${begin}, ${end}] are out of bounds: the data buffer has ${dataBytes} bytes`);
    // Exact arithmetic: a hostile shape must not overflow into a plausible byte count.
    let elements = 1n;
    let logical = 1n;
    for (const d of shape as number[]) {
      elements *= BigInt(d);
      logical *= BigInt(Math.max(d, 1));
    }
    if (logical > BigInt(MAX_ELEMENTS)) bad(op, source, `${key}: shape [${shape.join(", ")}] exceeds the cap of ${MAX_ELEMENTS} elements`);
    const nbytes = elements * BigInt(itemSize[dtype]);
    if (nbytes !== BigInt(end - begin))
      bad(
        op,
        source,
        `${key}: shape [${shape.join(", ")}] of ${fileDtype} needs ${nbytes} bytes, data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let prev: Entry | undefined;
  for (const e of entries) {
    if (e.begin < covered)
      bad(
        op,
        source,
        `tensor ${JSON.stringify(e.name)} [${e.begin}, ${e.end}] overlaps tensor ${JSON.stringify(prev!.name)} [${prev!.begin}, ${prev!.end}]`,
      );
    if (e.begin > covered)
      bad(op, source, `bytes [${covered}, ${e.begin}) of the data buffer belong to no tensor (before ${JSON.stringify(e.name)})`);
    covered = e.end;
    prev = e;
  }
  if (covered !== dataBytes)
    bad(op, source, `the tensors cover ${covered} bytes but the data buffer has ${dataBytes}: the file is padded or the header is wrong`);
  return { entries, metadata };
}

function makeTensor(op: string, source: string, e: Entry, bytes: Uint8Array): Tensor {
  if (e.dtype === "bool") {
    for (let i = 0; i < bytes.length; i++)
      if (bytes[i]! > 1) bad(op, source, `tensor ${JSON.stringify(e.name)}: BOOL byte ${i} is ${bytes[i]}, expected 0 or 1`);
  }
  return new Tensor(native.fromBuffer(bytes, e.shape, dtypeCode[e.dtype]));
}

/** Tensors and metadata from the bytes of a safetensors file; `source` names it in errors. */
export function deserialize(bytes: Uint8Array, source = "<bytes>"): Deserialized {
  const op = "deserialize";
  checkHost(op);
  if (!(bytes instanceof Uint8Array)) throw new FlambeauError("E_ARG", `${op}: expects a Uint8Array`, op);
  const n = headerLength(op, source, bytes, bytes.length);
  const start = 8 + n;
  const { entries, metadata } = parseHeader(op, source, bytes.subarray(8, start), bytes.length - start);
  const tensors = new Map<string, Tensor>();
  try {
    for (const e of entries) tensors.set(e.name, makeTensor(op, source, e, bytes.subarray(start + e.begin, start + e.end)));
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    throw err;
  }
  return { tensors, metadata };
}

const utf8Compare = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

function entriesOf(op: string, tensors: TensorMap): [string, Tensor][] {
  if (tensors === null || typeof tensors !== "object")
    throw new FlambeauError("E_ARG", `${op}: expects a Map or an object of tensors, got ${String(tensors)}`, op);
  const list = tensors instanceof Map ? [...(tensors as ReadonlyMap<string, Tensor>)] : Object.entries(tensors as Record<string, Tensor>);
  for (const [name, t] of list) {
    if (typeof name !== "string") throw new FlambeauError("E_ARG", `${op}: tensor names must be strings, got ${String(name)}`, op);
    if (name === "__metadata__")
      throw new FlambeauError("E_ARG", `${op}: "__metadata__" is reserved for metadata and cannot name a tensor`, op);
    if (!(t instanceof Tensor)) throw new FlambeauError("E_ARG", `${op}: ${JSON.stringify(name)} is not a Tensor (got ${typeof t})`, op);
    if (t.disposed) throw new FlambeauError("E_DISPOSED", `${op}: tensor ${JSON.stringify(name)} was disposed before it was saved`, op);
  }
  return list;
}

function checkMetadata(op: string, metadata: Metadata | undefined): [string, string][] {
  if (metadata === undefined) return [];
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata))
    throw new FlambeauError("E_ARG", `${op}: metadata must be an object of strings`, op);
  const list = Object.entries(metadata);
  for (const [k, v] of list)
    if (typeof v !== "string")
      throw new FlambeauError("E_ARG", `${op}: metadata[${JSON.stringify(k)}] must be a string, got ${typeof v} (JSON.stringify it)`, op);
  return list;
}

interface Prepared {
  header: Uint8Array; // 8-byte length + padded JSON
  order: [string, Tensor][];
  dataBytes: number;
}

function prepare(op: string, tensors: TensorMap, metadata: Metadata | undefined): Prepared {
  checkHost(op);
  const order = entriesOf(op, tensors);
  const meta = checkMetadata(op, metadata);
  order.sort(
    ([an, at], [bn, bt]) => DTYPE_ORDER.indexOf(TO_FILE[bt.dtype]) - DTYPE_ORDER.indexOf(TO_FILE[at.dtype]) || utf8Compare(an, bn),
  );
  // Built by hand, not JSON.stringify of an object: integer-like names would be moved first.
  const parts: string[] = [];
  if (meta.length > 0) parts.push(`"__metadata__":{${meta.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`);
  let offset = 0;
  for (const [name, t] of order) {
    const n = t.numel * itemSize[t.dtype];
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${TO_FILE[t.dtype]}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${offset + n}]}`,
    );
    offset += n;
  }
  const json = Buffer.from(`{${parts.join(",")}}`, "utf8");
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  if (padded > MAX_HEADER_BYTES)
    throw new FlambeauError(
      "E_ARG",
      `${op}: the header would be ${padded} bytes, over the ${MAX_HEADER_BYTES}-byte cap readers enforce`,
      op,
    );
  const header = Buffer.alloc(8 + padded, 0x20);
  header.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(header, 8);
  return { header, order, dataBytes: offset };
}

const bytesOf = (t: Tensor): Uint8Array => new Uint8Array(native.toBuffer(t.handle));

/** The bytes of a safetensors file holding `tensors` (and `metadata`). */
export function serialize(tensors: TensorMap, metadata?: Metadata): Uint8Array {
  const { header, order, dataBytes } = prepare("serialize", tensors, metadata);
  const out = new Uint8Array(header.length + dataBytes);
  out.set(header, 0);
  let at = header.length;
  for (const [, t] of order) {
    const b = bytesOf(t);
    out.set(b, at);
    at += b.length;
  }
  return out;
}

const WRITE_BATCH_BYTES = 8 << 20;

/** Writes `tensors` to `path` as safetensors, atomically (temporary file, fsync, rename). */
export async function save(tensors: TensorMap, path: string, metadata?: Metadata): Promise<void> {
  const { header, order } = prepare("save", tensors, metadata);
  await writeAtomic("save", path, async (fh) => {
    // One tensor's bytes are copied out of libtorch at a time, written in batches of small ones.
    let batch: Uint8Array[] = [header];
    let size = header.length;
    for (const [, t] of order) {
      const b = bytesOf(t);
      batch.push(b);
      size += b.length;
      if (size >= WRITE_BATCH_BYTES) {
        await writeAll(fh, batch);
        batch = [];
        size = 0;
      }
    }
    await writeAll(fh, batch);
  });
}

const READ_CHUNK_BYTES = 64 << 20;

/** Tensors and metadata of a safetensors file, read a chunk at a time (peak memory: the tensors plus one chunk). */
export async function loadWithMetadata(path: string): Promise<Deserialized> {
  const op = "load";
  checkHost(op);
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new FlambeauError("E_IO", `${op}: cannot open ${path}: ${err.code === "ENOENT" ? "no such file" : err.message}`, op);
  }
  const tensors = new Map<string, Tensor>();
  try {
    const size = (await fh.stat()).size;
    const readExactly = async (length: number, position: number): Promise<Buffer> => {
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(buf, got, length - got, position + got);
        if (bytesRead === 0)
          throw new FlambeauError(
            "E_IO",
            `${op}: ${path} ended at byte ${position + got} while reading (was it modified during the load?)`,
            op,
          );
        got += bytesRead;
      }
      return buf;
    };
    const first = await readExactly(Math.min(8, size), 0);
    const n = headerLength(op, path, first, size);
    const start = 8 + n;
    const { entries, metadata } = parseHeader(op, path, await readExactly(n, 8), size - start);
    // Entries are sorted and contiguous: read runs of them in chunks.
    for (let k = 0; k < entries.length; ) {
      const from = entries[k]!.begin;
      let j = k + 1;
      while (j < entries.length && entries[j]!.end - from <= READ_CHUNK_BYTES) j++;
      const chunk = await readExactly(entries[j - 1]!.end - from, start + from);
      for (; k < j; k++) {
        const e = entries[k]!;
        tensors.set(e.name, makeTensor(op, path, e, chunk.subarray(e.begin - from, e.end - from)));
      }
    }
    return { tensors, metadata };
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e instanceof FlambeauError ? e : new FlambeauError("E_IO", `${op}: reading ${path}: ${(e as Error).message}`, op);
  } finally {
    await fh.close();
  }
}

/** The tensors of a safetensors file, in file order. */
export async function load(path: string): Promise<Map<string, Tensor>> {
  return (await loadWithMetadata(path)).tensors;
}
