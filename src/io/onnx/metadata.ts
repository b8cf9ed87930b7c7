// Reads an ONNX file's metadata_props back (ModelProto field 14: key/value strings) without a
// protobuf library or the ONNX schema. It imports nothing from Node, so the browser page
// (web/onnx/) bundles the same reader that a Node program uses.
import { FlambeauError } from "../../core/errors.js";

const OP = "readOnnxMetadata";
const METADATA_PROPS = 14;
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

function malformed(what: string, at: number): never {
  throw new FlambeauError("E_FORMAT", `${OP}: not an ONNX model: ${what} at byte ${at}`, OP);
}

/** The string → string entries of a model's metadata_props, in file order (a repeated key keeps its last value). */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  let at = 0;
  const varint = (end: number): number => {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= end) malformed("a truncated varint", at);
      const b = bytes[at++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    return malformed("a varint longer than 10 bytes", at);
  };
  /** Calls `each` on every length-delimited field of the message [at, end); skips the other wire types. */
  const fields = (end: number, each: (field: number, start: number, len: number) => void): void => {
    while (at < end) {
      const tag = varint(end);
      const wire = tag & 7;
      if (wire === WIRE_VARINT) varint(end);
      else if (wire === WIRE_I64) at += 8;
      else if (wire === WIRE_I32) at += 4;
      else if (wire === WIRE_LEN) {
        const len = varint(end);
        if (len > end - at) malformed(`a field of ${len} bytes past the end`, at);
        const start = at;
        at += len;
        each(tag >>> 3, start, len);
      } else malformed(`wire type ${wire}`, at);
      if (at > end) malformed("a field past the end", at);
    }
  };
  const text = new TextDecoder("utf-8", { fatal: false });
  const out: Record<string, string> = {};
  fields(bytes.length, (field, start, len) => {
    if (field !== METADATA_PROPS) return;
    const resume = at;
    at = start;
    let key = "";
    let value = "";
    fields(start + len, (f, s, n) => {
      if (f === 1) key = text.decode(bytes.subarray(s, s + n));
      else if (f === 2) value = text.decode(bytes.subarray(s, s + n));
    });
    at = resume;
    // Own properties only: a key like "__proto__" must not reach the prototype.
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  });
  return out;
}
