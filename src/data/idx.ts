// The IDX format of the MNIST family (LeCun's description, yann.lecun.com/exdb/mnist):
// magic 0x0000TTNN (TT the element type, NN the rank), NN big-endian uint32 dims, then the
// elements row-major and big-endian. Files are validated before a tensor is allocated.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type DType, dtypeCode, itemSize } from "../core/dtype.js";
import { FlambeauError } from "../core/errors.js";
import { Tensor } from "../core/index.js";
import { native } from "../core/native.js";
import { MAX_ELEMENTS, MAX_RANK } from "../core/validate.js";
import { readBytes } from "./files.js";

const IDX_TYPES: Readonly<Record<number, DType>> = Object.freeze({
  8: "uint8",
  9: "int8",
  11: "int16",
  12: "int32",
  13: "float32",
  14: "float64",
});

const hex = (v: number, w = 2): string => `0x${v.toString(16).padStart(w, "0")}`;

function formatError(source: string, message: string): never {
  throw new FlambeauError("E_FORMAT", `readIdx: ${source}: ${message}`, "readIdx");
}

/** A tensor from the bytes of an (uncompressed) IDX file; `source` names it in errors. */
export function parseIdx(bytes: Uint8Array, source = "<bytes>"): Tensor {
  if (bytes.length < 4) formatError(source, `truncated header: ${bytes.length} bytes, an IDX file starts with a 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0)
    formatError(source, `not an IDX file: magic ${hex(magic, 8)} at byte 0 (expected 0x0000TTNN, TT the type, NN the rank)`);
  const dtype = IDX_TYPES[bytes[2]!];
  if (dtype === undefined)
    formatError(
      source,
      `unknown element type ${hex(bytes[2]!)} at byte 2 (expected ${Object.keys(IDX_TYPES)
        .map((k) => hex(Number(k)))
        .join(", ")})`,
    );
  const rank = bytes[3]!;
  if (rank > MAX_RANK) formatError(source, `rank ${rank} at byte 3 exceeds the maximum of ${MAX_RANK}`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes)
    formatError(source, `truncated header: rank ${rank} needs ${headerBytes} header bytes, the file has ${bytes.length}`);
  const shape: number[] = [];
  let elements = 1;
  for (let d = 0; d < rank; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    shape.push(size);
    elements *= size;
    if (elements > MAX_ELEMENTS)
      formatError(
        source,
        `dims [${shape.join(", ")}…] (byte ${4 + 4 * d}) describe more than ${MAX_ELEMENTS} elements; the header is corrupt`,
      );
  }
  const need = elements * itemSize[dtype];
  const have = bytes.length - headerBytes;
  if (have < need)
    formatError(
      source,
      `truncated: dims [${shape.join(", ")}] of ${dtype} need ${need} data bytes after the ${headerBytes}-byte header, the file has ${have}`,
    );
  if (have > need)
    formatError(
      source,
      `${have - need} unexpected bytes after the data: dims [${shape.join(", ")}] of ${dtype} need ${need} bytes (header ${headerBytes} bytes)`,
    );
  const data = bytes.subarray(headerBytes, headerBytes + need);
  let le: Uint8Array = data;
  if (itemSize[dtype] > 1) {
    // IDX is big-endian; libtorch wants the host's order (little-endian on every platform we build for).
    const copy = Buffer.from(data);
    if (itemSize[dtype] === 2) copy.swap16();
    else if (itemSize[dtype] === 4) copy.swap32();
    else copy.swap64();
    le = copy;
  }
  return new Tensor(native.fromBuffer(le, shape, dtypeCode[dtype]));
}

/** Reads an IDX file (gzip-compressed or not) into a tensor of its element type. */
export async function readIdx(path: string): Promise<Tensor> {
  return parseIdx(await readBytes("readIdx", path), path);
}

export type Split = "train" | "test";

export interface IdxSet {
  /** The image tensor as stored (uint8 [N, H, W] for the MNIST family). */
  images: Tensor;
  /** The labels as int64 [N]. */
  labels: Tensor;
  files: { images: string; labels: string };
}

// train-images-idx3-ubyte, t10k-labels.idx1-ubyte.gz, emnist-letters-test-images-idx3-ubyte …
const IDX_NAME = /(?:^|[-_.])(train|t10k|test)[-_.](images|labels)[-_.]idx\d[-_.]ubyte(\.gz)?$/i;

function findIdx(op: string, dir: string, split: Split, kind: "images" | "labels"): string {
  const names = readdirSync(dir).filter((f) => {
    const m = IDX_NAME.exec(f);
    if (m === null || m[2]!.toLowerCase() !== kind) return false;
    const s = m[1]!.toLowerCase();
    return split === "train" ? s === "train" : s === "t10k" || s === "test";
  });
  // The same file both compressed and not: read the uncompressed one.
  const plain = names.filter((f) => !f.toLowerCase().endsWith(".gz") || !names.includes(f.slice(0, -3)));
  if (plain.length === 0)
    throw new FlambeauError(
      "E_IO",
      `${op}: no ${split} ${kind} file in ${dir} (expected a name like ${split === "train" ? "train" : "t10k"}-${kind}-idx${kind === "images" ? 3 : 1}-ubyte[.gz])`,
      op,
    );
  if (plain.length > 1)
    throw new FlambeauError(
      "E_IO",
      `${op}: several ${split} ${kind} files in ${dir}: ${plain.sort().join(", ")}; point to a folder with one set`,
      op,
    );
  return join(dir, plain[0]!);
}

/** The images and labels of one split in any MNIST-family folder (gzip or not). */
export async function idxFolder(dir: string, split: Split): Promise<IdxSet> {
  const op = "idxFolder";
  if (split !== "train" && split !== "test")
    throw new FlambeauError("E_ARG", `${op}: split must be "train" or "test", got ${JSON.stringify(split)}`, op);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new FlambeauError("E_IO", `${op}: ${dir} is not a directory`, op);
  const files = { images: findIdx(op, dir, split, "images"), labels: findIdx(op, dir, split, "labels") };
  const [images, raw] = await Promise.all([readIdx(files.images), readIdx(files.labels)]);
  const n = images.ndim > 0 ? images.shape[0] : undefined;
  if (raw.ndim !== 1 || n !== raw.shape[0]) {
    const msg = `${op}: ${files.images} has shape [${images.shape.join(", ")}] but ${files.labels} has [${raw.shape.join(", ")}]; expected N images and N labels`;
    images.dispose();
    raw.dispose();
    throw new FlambeauError("E_FORMAT", msg, op);
  }
  const labels = raw.to("int64");
  raw.dispose();
  return { images, labels, files };
}
