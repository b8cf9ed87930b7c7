// The few ONNX protobuf messages an exported model needs, encoded by hand.
// Written rather than taken from protobufjs: export only ever *writes* seven messages, which is
// ~150 lines of wire format, whereas protobufjs (+ long) would add a runtime dependency and the
// onnx.proto schema to ship and parse. Field numbers and enum values are onnx.proto's
// (github.com/onnx/onnx, onnx/onnx.proto, IR version 8).

/** TensorProto.DataType values used by the exporter. */
export const ONNX_DTYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float64: 11 } as const;
export type OnnxDtype = (typeof ONNX_DTYPE)[keyof typeof ONNX_DTYPE];

export interface TensorProto {
  name: string;
  dims: readonly number[];
  dataType: OnnxDtype;
  /** Little-endian element bytes (TensorProto.raw_data). */
  raw: Uint8Array;
}

export type AttributeValue =
  | { kind: "int"; value: number }
  | { kind: "float"; value: number }
  | { kind: "string"; value: string }
  | { kind: "ints"; value: readonly number[] }
  | { kind: "floats"; value: readonly number[] }
  | { kind: "tensor"; value: TensorProto };

export interface NodeProto {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Readonly<Record<string, AttributeValue>>;
}

/** A graph input or output: its element type and shape (a string names a symbolic dimension). */
export interface ValueInfoProto {
  name: string;
  dataType: OnnxDtype;
  shape: readonly (number | string)[];
}

export interface GraphProto {
  name: string;
  nodes: readonly NodeProto[];
  initializers: readonly TensorProto[];
  inputs: readonly ValueInfoProto[];
  outputs: readonly ValueInfoProto[];
}

export interface ModelProto {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: GraphProto;
  metadata: Readonly<Record<string, string>>;
}

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_BYTES = 2;

/** Collects one message's fields; nested messages are encoded first and written as bytes. */
class Writer {
  readonly #chunks: Uint8Array[] = [];
  #size = 0;

  #push(b: Uint8Array): void {
    this.#chunks.push(b);
    this.#size += b.length;
  }

  #varint(v: bigint): void {
    // int64 fields are two's complement on the wire: a negative value takes ten bytes.
    let x = BigInt.asUintN(64, v);
    const out: number[] = [];
    while (x >= 0x80n) {
      out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    out.push(Number(x));
    this.#push(Uint8Array.from(out));
  }

  #tag(field: number, wire: number): void {
    this.#varint(BigInt((field << 3) | wire));
  }

  int(field: number, v: number): this {
    this.#tag(field, WIRE_VARINT);
    this.#varint(BigInt(v));
    return this;
  }

  float(field: number, v: number): this {
    this.#tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.#push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.#tag(field, WIRE_BYTES);
    this.#varint(BigInt(b.length));
    this.#push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function tensorProto(t: TensorProto): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  return w.int(2, t.dataType).string(8, t.name).bytes(9, t.raw);
}

// AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7.
function attributeProto(name: string, a: AttributeValue): Writer {
  const w = new Writer().string(1, name);
  switch (a.kind) {
    case "float":
      return w.float(2, a.value).int(20, 1);
    case "int":
      return w.int(3, a.value).int(20, 2);
    case "string":
      return w.string(4, a.value).int(20, 3);
    case "tensor":
      return w.message(5, tensorProto(a.value)).int(20, 4);
    case "floats":
      for (const f of a.value) w.float(7, f);
      return w.int(20, 6);
    case "ints":
      for (const i of a.value) w.int(8, i);
      return w.int(20, 7);
  }
}

function nodeProto(n: NodeProto): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const [k, a] of Object.entries(n.attributes ?? {})) w.message(5, attributeProto(k, a));
  return w;
}

// ValueInfoProto{name 1, type 2} → TypeProto{tensor_type 1} → Tensor{elem_type 1, shape 2}
// → TensorShapeProto{dim 1} → Dimension{dim_value 1 | dim_param 2}.
function valueInfoProto(v: ValueInfoProto): Writer {
  const shape = new Writer();
  for (const d of v.shape) shape.message(1, typeof d === "string" ? new Writer().string(2, d) : new Writer().int(1, d));
  const tensorType = new Writer().int(1, v.dataType).message(2, shape);
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tensorType));
}

function graphProto(g: GraphProto): Writer {
  const w = new Writer();
  for (const n of g.nodes) w.message(1, nodeProto(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, tensorProto(t));
  for (const i of g.inputs) w.message(11, valueInfoProto(i));
  for (const o of g.outputs) w.message(12, valueInfoProto(o));
  return w;
}

/** The bytes of an .onnx file. */
export function encodeModel(m: ModelProto): Uint8Array {
  const w = new Writer().int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, graphProto(m.graph));
  // OperatorSetIdProto{domain 1, version 2}: the default domain is the empty string.
  w.message(8, new Writer().string(1, "").int(2, m.opsetVersion));
  for (const [k, v] of Object.entries(m.metadata)) w.message(14, new Writer().string(1, k).string(2, v));
  return w.finish();
}
