// File-reader fuzzing: valid seed files of every format we read (safetensors, checkpoints,
// IDX plain and gzip, CSV, JSONL, images), mutated by truncation, bit flips, lying header
// fields (lengths, offsets, dims, image sizes with fixed CRCs), oversized appends, splices
// and pure random bytes. A case is (seed, index); the bytes are a pure function of it.
// A reader may return or throw a FlambeauError; any other error is a missing check (a read
// past the buffer shows up as a RangeError), and a signal or hang is a crash.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, gzipSync } from "node:zlib";
import * as fl from "flambeau";
import sharp from "sharp";
import { rng } from "./cases.js";

export const FORMATS = ["safetensors", "checkpoint", "idx", "idx.gz", "csv", "jsonl", "png", "jpeg", "webp", "gif", "tiff"] as const;
export type Format = (typeof FORMATS)[number];

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function idxBytes(type: number, dims: number[], itemSize: number, fill: (i: number) => number): Uint8Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const b = Buffer.alloc(4 + 4 * dims.length + n * itemSize);
  b[2] = type;
  b[3] = dims.length;
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  for (let i = 0; i < n * itemSize; i++) b[4 + 4 * dims.length + i] = fill(i) & 0xff;
  return b;
}

/** Valid files of each format, made once per process (deterministic content). */
export async function seedFiles(): Promise<Record<Format, Uint8Array[]>> {
  const t = (shape: number[], dtype: fl.DType) =>
    fl
      .arange(
        0,
        shape.reduce((a, b) => a * b, 1),
      )
      .reshape(shape)
      .to(dtype);
  const st = [
    fl.io.serialize(
      new Map([
        ["w", t([2, 3], "float32")],
        ["b", t([3], "int64")],
      ]),
      { note: "seed" },
    ),
    fl.io.serialize(
      new Map([
        ["x", t([4], "float16")],
        ["m", t([2, 2], "bool")],
        ["e", t([0, 3], "float32")],
      ]),
    ),
  ];
  const dir = mkdtempSync(join(tmpdir(), "flambeau-seed-"));
  const path = join(dir, "c.safetensors");
  await fl.io.saveCheckpoint(path, { model: new Map([["fc.weight", t([2, 2], "float32")]]), epoch: 3, step: 7 });
  const ckpt = new Uint8Array(await import("node:fs/promises").then((m) => m.readFile(path)));
  rmSync(dir, { recursive: true, force: true });
  const idx = [idxBytes(8, [3, 4, 4], 1, (i) => i * 7), idxBytes(8, [10], 1, (i) => i), idxBytes(13, [2, 3], 4, (i) => i * 31)];
  const csv = ["a,b,c\n1,2,3\n4,5,6\n", 'x,"y, z",w\r\n"1""q",2,\r\n', 'label\ttext\n0\thello\n1\t"quoted\ttab"\n'];
  const jsonl = ['{"a":1,"b":[1,2]}\n{"a":2}\n', '{"text":"hé","label":0}\r\n\r\n{"text":"x","label":1}'];
  const px = Buffer.from(Array.from({ length: 12 * 10 * 3 }, (_, i) => (i * 37) & 0xff));
  const raw = { raw: { width: 12, height: 10, channels: 3 as const } };
  const img = async (f: (s: sharp.Sharp) => sharp.Sharp) => new Uint8Array(await f(sharp(px, raw)).toBuffer());
  const enc = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));
  return {
    safetensors: st,
    checkpoint: [ckpt],
    idx,
    "idx.gz": idx.map((b) => new Uint8Array(gzipSync(b))),
    csv: csv.map(enc),
    jsonl: jsonl.map(enc),
    png: [await img((s) => s.png()), await img((s) => s.greyscale().png())],
    jpeg: [await img((s) => s.jpeg())],
    webp: [await img((s) => s.webp())],
    gif: [await img((s) => s.gif())],
    tiff: [await img((s) => s.tiff())],
  };
}

const BOUNDARY_U32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, 65535, 65536];

/** Rewrites a PNG chunk's CRC so a lying IHDR gets past the checksum to the decoder's size logic. */
function fixPngCrcs(b: Buffer): void {
  let p = 8;
  while (p + 12 <= b.length) {
    const len = b.readUInt32BE(p);
    if (p + 12 + len > b.length) return;
    b.writeUInt32BE(crc32(b.subarray(p + 4, p + 8 + len)), p + 8 + len);
    p += 12 + len;
  }
}

/** A lie in the safetensors JSON header: huge or negative offsets, shapes, wrong dtypes, duplicate keys. */
function lieInSafetensorsHeader(r: R, b: Uint8Array): Uint8Array {
  const buf = Buffer.from(b);
  if (buf.length < 8) return b;
  const n = Number(buf.readBigUInt64LE(0));
  if (n > buf.length - 8) return b;
  let header: Record<string, { dtype?: unknown; shape?: unknown; data_offsets?: unknown }>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8"));
  } catch {
    return b;
  }
  const keys = Object.keys(header).filter((k) => k !== "__metadata__");
  if (keys.length === 0) return b;
  const e = header[pick(r, keys)]!;
  const lies: (() => void)[] = [
    () => (e.shape = [pick(r, [2 ** 31, 2 ** 53, 1e18, -1, 0]), 3]),
    () => (e.shape = Array.from({ length: 40 }, () => 2)),
    () => (e.data_offsets = [0, pick(r, [2 ** 32, 2 ** 53, 1e300, -8])]),
    () => (e.data_offsets = [pick(r, [8, -8, 2 ** 40]), 8]),
    () => (e.dtype = pick(r, ["F128", "", "I64", "BOOL", 7])),
    () => (e.shape = "3"),
    () => (header.__metadata__ = { x: 1 } as never),
  ];
  pick(r, lies)();
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const out = Buffer.alloc(8 + json.length + (buf.length - 8 - n));
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  buf.subarray(8 + n).copy(out, 8 + json.length);
  return out;
}

/** The bytes of case `index`: a seed file of the case's format, mutated 1–3 times. */
export function caseBytes(
  seeds: Record<Format, Uint8Array[]>,
  seed: number,
  index: number,
): { format: Format; bytes: Uint8Array; variant: number } {
  const r = rng((seed * 2_654_435_761 + index * 40_503) >>> 0);
  r();
  const format = FORMATS[index % FORMATS.length]!;
  let b = Buffer.from(pick(r, seeds[format]));
  const variant = Math.floor(r() * 1000);
  const rounds = 1 + Math.floor(r() * 3);
  for (let k = 0; k < rounds; k++) {
    const u = r();
    if (u < 0.03) b = Buffer.from(Array.from({ length: Math.floor(r() * 512) }, () => Math.floor(r() * 256)));
    else if (u < 0.2) b = b.subarray(0, Math.floor(r() * b.length));
    else if (u < 0.4) {
      const c = Buffer.from(b);
      for (let i = 0, n = 1 + Math.floor(r() * 8); i < n && c.length > 0; i++) c[Math.floor(r() * c.length)]! ^= 1 << Math.floor(r() * 8);
      b = c;
    } else if (u < 0.6 && b.length >= 4) {
      // Lying header integers: overwrite a 4- or 8-byte field near the start with a boundary value.
      const c = Buffer.from(b);
      const at = Math.floor(r() * Math.min(c.length - 3, 64));
      const v = pick(r, BOUNDARY_U32);
      if (r() < 0.5) c.writeUInt32BE(v, at);
      else c.writeUInt32LE(v, at);
      if (format === "safetensors" || format === "checkpoint")
        if (r() < 0.5 && c.length >= 8) c.writeBigUInt64LE(pick(r, [0n, 7n, 2n ** 32n, 2n ** 63n - 1n, 2n ** 64n - 1n, 100_000_001n]), 0);
      b = c;
    } else if (u < 0.7 && (format === "safetensors" || format === "checkpoint")) b = Buffer.from(lieInSafetensorsHeader(r, b));
    else if (u < 0.78 && format === "png" && b.length > 33) {
      // IHDR width/height (bytes 16..23) with valid CRCs: decompression-bomb and overflow sizes.
      const c = Buffer.from(b);
      c.writeUInt32BE(pick(r, BOUNDARY_U32), 16);
      c.writeUInt32BE(pick(r, BOUNDARY_U32), 20);
      fixPngCrcs(c);
      b = c;
    } else if (u < 0.86) {
      const extra = Buffer.from(Array.from({ length: Math.floor(r() * 256) }, () => Math.floor(r() * 256)));
      b = Buffer.concat([b, r() < 0.5 ? extra : b]);
    } else if (u < 0.94 && b.length > 2) {
      const at = Math.floor(r() * b.length);
      const len = Math.floor(r() * Math.min(64, b.length - at));
      b = Buffer.concat([b.subarray(0, at), b.subarray(at + len), b.subarray(at, at + len)]);
    } else {
      const at = Math.floor(r() * (b.length + 1));
      b = Buffer.concat([
        b.subarray(0, at),
        Buffer.from(pick(r, ['"', "\n", "\r", "\u0000", "\uFEFF", "{", "}", "\\", ",", "\t", "\uD800"]), "utf8"),
        b.subarray(at),
      ]);
    }
  }
  return { format, bytes: new Uint8Array(b), variant };
}

let scratch: string | undefined;
const scratchFile = (name: string, bytes: Uint8Array) => {
  scratch ??= mkdtempSync(join(tmpdir(), "flambeau-filefuzz-"));
  const p = join(scratch, name);
  writeFileSync(p, bytes);
  return p;
};
export const cleanScratch = () => scratch && rmSync(scratch, { recursive: true, force: true });

/** Reads the bytes as `format` with the library's reader: "ok", a FlambeauError code, or "JS:…". */
export async function readCase(format: Format, bytes: Uint8Array, variant = 0): Promise<string> {
  try {
    const text = () => Buffer.from(bytes).toString(variant % 2 ? "latin1" : "utf8");
    switch (format) {
      case "safetensors":
        fl.dispose([...fl.io.deserialize(bytes, "<fuzz>").tensors.values()]);
        break;
      case "checkpoint": {
        const c = await fl.io.loadCheckpoint(scratchFile("c.safetensors", bytes));
        fl.dispose([...c.model.values()]);
        break;
      }
      case "idx":
        fl.data.parseIdx(bytes, "<fuzz>").dispose();
        break;
      case "idx.gz":
        (await fl.data.readIdx(scratchFile("x-idx1-ubyte.gz", bytes))).dispose();
        break;
      case "csv":
        fl.data.parseCsv(text(), variant % 5 === 0 ? { delimiter: "\t" } : {}, "<fuzz>");
        break;
      case "jsonl":
        fl.data.parseJsonl(text(), "<fuzz>");
        break;
      default: {
        const o = variant % 3 === 0 ? { size: [8, 8] as [number, number] } : variant % 3 === 1 ? { channels: 1 as const } : {};
        await fl.vision.readImage(bytes, o);
      }
    }
    return "ok";
  } catch (e) {
    if (e instanceof fl.FlambeauError) return e.code;
    const err = e as Error;
    return `JS:${err?.name}: ${String(err?.message).split("\n")[0]!.slice(0, 200)}`;
  }
}
