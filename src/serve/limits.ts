// What one request may cost the server: body and upload sizes, inputs per request, queue
// length and time; and the checks an uploaded file passes before any decoder sees it — its
// type from its first bytes (the claimed Content-Type must agree) and the size it would
// decode to, read from its header (a 100 kB PNG can declare 50,000 × 50,000 pixels).
import sharp from "sharp";
import { inspectWav } from "../audio/wav.js";
import { badRequest, HttpError, tooLarge, unsupportedType } from "../http/errors.js";

export interface ServeLimits {
  /** Largest request body, JSON or multipart (default 8 MiB). */
  bodyBytes: number;
  /** Largest uploaded file or base64 input, decoded (default 4 MiB). */
  uploadBytes: number;
  /** Most inputs in one request (default 64). */
  inputs: number;
  /** Most characters in one text input (default 100,000). */
  textChars: number;
  /** Most pixels an image may decode to, all frames together (default 4096 × 4096). */
  imagePixels: number;
  /** Longest audio clip, in seconds (default 600). */
  audioSeconds: number;
  /** Deepest JSON nesting (default 16; a request needs 3). */
  jsonDepth: number;
  /** Most inputs waiting for a worker, all requests together; more get 503 (default 1024). */
  queueInputs: number;
  /** A request not answered by then gets 504 and its queued inputs are dropped (default 30 s). */
  timeoutMs: number;
}

export const DEFAULT_LIMITS: ServeLimits = Object.freeze({
  bodyBytes: 8 << 20,
  uploadBytes: 4 << 20,
  inputs: 64,
  textChars: 100_000,
  imagePixels: 4096 * 4096,
  audioSeconds: 600,
  jsonDepth: 16,
  queueInputs: 1024,
  timeoutMs: 30_000,
});

/** What a model reads: text (strings) or files of one kind (bytes). */
export type InputKind = "text" | "image" | "audio";

export interface Upload {
  bytes: Uint8Array;
  /** The file extension its type has (the tasks read files by content, the name only helps logs). */
  ext: string;
  /** The client's name for it (the upload's filename or `inputs[i]`), echoed in predictions. */
  name: string;
}

interface Format {
  mime: string;
  ext: string;
  kind: InputKind;
  magic(b: Uint8Array): boolean;
}
const starts = (b: Uint8Array, at: number, s: string): boolean => {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};
const FORMATS: readonly Format[] = [
  { mime: "image/png", ext: ".png", kind: "image", magic: (b) => starts(b, 0, "\x89PNG\r\n\x1a\n") },
  { mime: "image/jpeg", ext: ".jpg", kind: "image", magic: (b) => starts(b, 0, "\xff\xd8\xff") },
  { mime: "image/gif", ext: ".gif", kind: "image", magic: (b) => starts(b, 0, "GIF87a") || starts(b, 0, "GIF89a") },
  { mime: "image/webp", ext: ".webp", kind: "image", magic: (b) => starts(b, 0, "RIFF") && starts(b, 8, "WEBP") },
  { mime: "image/bmp", ext: ".bmp", kind: "image", magic: (b) => starts(b, 0, "BM") },
  { mime: "image/tiff", ext: ".tif", kind: "image", magic: (b) => starts(b, 0, "II*\0") || starts(b, 0, "MM\0*") },
  { mime: "image/avif", ext: ".avif", kind: "image", magic: (b) => starts(b, 4, "ftypavif") || starts(b, 4, "ftypavis") },
  { mime: "audio/wav", ext: ".wav", kind: "audio", magic: (b) => starts(b, 0, "RIFF") && starts(b, 8, "WAVE") },
];
const ALIASES: Readonly<Record<string, string>> = { "image/jpg": "image/jpeg", "audio/x-wav": "audio/wav", "audio/wave": "audio/wav" };

/** The MIME types a model of this kind accepts (for messages and the OpenAPI document). */
export const mimeTypesOf = (kind: InputKind): string[] => FORMATS.filter((f) => f.kind === kind).map((f) => f.mime);

/** Refuses a claimed Content-Type before reading the part: it must be one this model takes (or octet-stream). */
export function checkClaimedType(claimed: string | undefined, kind: InputKind, what: string): void {
  const mime = (claimed ?? "").split(";")[0]!.trim().toLowerCase();
  if (mime === "" || mime === "application/octet-stream") return;
  const norm = ALIASES[mime] ?? mime;
  if (!mimeTypesOf(kind).includes(norm))
    throw unsupportedType(`${what} is ${mime}; this ${kind} model takes ${mimeTypesOf(kind).join(", ")}`);
}

/**
 * Checks one uploaded file for a model of this kind without decoding it: its type by its
 * first bytes (and the claimed type, when given, must be the same), and the size its header
 * says it decodes to. Returns the upload with the extension of its real type.
 */
export async function checkUpload(
  bytes: Uint8Array,
  kind: InputKind,
  limits: ServeLimits,
  name: string,
  claimed?: string,
): Promise<Upload> {
  if (bytes.length === 0) throw badRequest(`${name} is empty (0 bytes)`);
  if (bytes.length > limits.uploadBytes) throw tooLarge(`${name} is ${bytes.length} bytes; uploads are at most ${limits.uploadBytes}`);
  const f = FORMATS.find((x) => x.magic(bytes));
  if (!f || f.kind !== kind)
    throw unsupportedType(
      `${name} is ${f ? f.mime : "not a known file type (by its first bytes)"}; this ${kind} model takes ${mimeTypesOf(kind).join(", ")}`,
    );
  if (claimed !== undefined) {
    const c = (claimed.split(";")[0] ?? "").trim().toLowerCase();
    const norm = ALIASES[c] ?? c;
    if (norm !== "" && norm !== "application/octet-stream" && norm !== f.mime)
      throw unsupportedType(`${name} is sent as ${c} but its bytes are ${f.mime}`);
  }
  if (kind === "image") await checkImageSize(bytes, f.mime, limits, name);
  else checkAudioSize(bytes, limits, name);
  return { bytes, ext: f.ext, name };
}

/**
 * Width and height from the header of the formats that keep them at a fixed place (PNG's
 * IHDR, GIF's screen, BMP's info header): no trip to libvips' thread pool for the common case.
 * The tasks decode the first frame only.
 */
function headerSize(b: Uint8Array, mime: string): [number, number] | undefined {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (mime === "image/png" && b.length >= 24 && starts(b, 12, "IHDR")) return [dv.getUint32(16), dv.getUint32(20)];
  if (mime === "image/gif" && b.length >= 10) return [dv.getUint16(6, true), dv.getUint16(8, true)];
  if (mime === "image/bmp" && b.length >= 26 && dv.getUint32(14, true) >= 40)
    return [Math.abs(dv.getInt32(18, true)), Math.abs(dv.getInt32(22, true))];
  return undefined;
}

function refuse(name: string, w: number, h: number, frames: number, limit: number): never {
  const pixels = w * h * frames;
  throw new HttpError(
    413,
    "image_too_large",
    `${name} decodes to ${w} × ${h}${frames > 1 ? ` × ${frames} frames` : ""} = ${pixels} pixels; the limit is ${limit}`,
  );
}

async function checkImageSize(bytes: Uint8Array, mime: string, limits: ServeLimits, name: string): Promise<void> {
  const quick = headerSize(bytes, mime);
  if (quick) {
    const [w, h] = quick;
    if (!(w > 0 && h > 0)) throw badRequest(`${name}: its header gives no image size`);
    if (w * h > limits.imagePixels) refuse(name, w, h, 1, limits.imagePixels);
    return;
  }
  let meta: sharp.Metadata;
  try {
    // Reads the header only (libvips' own pixel limit stays as a second fence when the task decodes).
    meta = await sharp(bytes, { pages: 1 }).metadata();
  } catch (e) {
    throw badRequest(`${name} is not a readable image (${(e as Error).message})`);
  }
  const w = meta.width ?? 0;
  const h = meta.pageHeight ?? meta.height ?? 0;
  if (!(w > 0 && h > 0)) throw badRequest(`${name}: its header gives no image size`);
  if (w * h > limits.imagePixels) refuse(name, w, h, 1, limits.imagePixels);
}

function checkAudioSize(bytes: Uint8Array, limits: ServeLimits, name: string): void {
  let info: ReturnType<typeof inspectWav>;
  try {
    info = inspectWav(bytes, name);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  const seconds = info.frames / info.sampleRate;
  if (seconds > limits.audioSeconds)
    throw new HttpError(413, "audio_too_long", `${name} is ${seconds.toFixed(1)} s long; clips are at most ${limits.audioSeconds} s`);
}
