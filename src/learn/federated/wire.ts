// Model weights on the wire: a safetensors body (the layout's tensors, metadata strings such
// as the round and the example count), gzip-compressed. Decoding is where the server refuses
// bad updates, each with a reason a client can act on: a body that inflates past twice the
// model's size (a zip bomb, a tensor 100× the model), bytes that are not safetensors, missing
// or extra tensors, wrong shapes or dtypes, NaN or infinite values.

import { gunzipSync, gzipSync } from "node:zlib";
import { FlambeauError } from "../../core/errors.js";
import { tensor } from "../../core/index.js";
import { deserialize, type Metadata, serialize } from "../../io/safetensors.js";
import { type Layout, layoutSize, sizeOf, split } from "./weights.js";

export function encodeWeights(layout: Layout, v: Float32Array, metadata: Metadata = {}): Buffer {
  const tensors = new Map([...split(layout, v)].map(([name, data], i) => [name, tensor(data.slice(), { shape: layout[i]!.shape })]));
  try {
    return gzipSync(serialize(tensors, metadata), { level: 1 });
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

/** Why an update was refused: `code` is stable ("oversized", "malformed", "wrong_shape", "not_finite"). */
export class UpdateRejected extends FlambeauError {
  constructor(
    readonly reason: "oversized" | "malformed" | "wrong_shape" | "not_finite",
    message: string,
  ) {
    super("E_FORMAT", `federated update refused (${reason}): ${message}`, "federated");
  }
}

/** The vector and metadata of a compressed safetensors body, checked against the layout. */
export function decodeWeights(body: Uint8Array, layout: Layout): { weights: Float32Array; metadata: Metadata } {
  const modelBytes = layoutSize(layout) * 4;
  // Header (names, shapes, offsets) plus the tensors: twice the model's bytes is generous.
  const limit = 2 * modelBytes + 64 * 1024;
  let raw: Buffer;
  try {
    raw = gunzipSync(body, { maxOutputLength: limit });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || /Cannot create a Buffer larger|buffer.*too large/i.test((e as Error).message))
      throw new UpdateRejected("oversized", `the body inflates past ${limit} bytes (the model is ${modelBytes})`);
    throw new UpdateRejected("malformed", `not a gzip body (${(e as Error).message})`);
  }
  let d: ReturnType<typeof deserialize>;
  try {
    d = deserialize(raw, "update");
  } catch (e) {
    throw new UpdateRejected("malformed", (e as Error).message);
  }
  try {
    const expected = new Set(layout.map((e) => e.name));
    const extra = [...d.tensors.keys()].filter((k) => !expected.has(k));
    const missing = layout.filter((e) => !d.tensors.has(e.name)).map((e) => e.name);
    if (extra.length || missing.length)
      throw new UpdateRejected(
        "wrong_shape",
        `${missing.length ? `missing ${missing.join(", ")}` : ""}${extra.length ? ` unexpected ${extra.slice(0, 5).join(", ")}` : ""}`.trim(),
      );
    const out = new Float32Array(layoutSize(layout));
    let at = 0;
    for (const e of layout) {
      const t = d.tensors.get(e.name)!;
      if (t.dtype !== "float32" || t.shape.join() !== e.shape.join())
        throw new UpdateRejected(
          "wrong_shape",
          `${e.name} is ${t.dtype} [${t.shape.join(", ")}], the model's is float32 [${e.shape.join(", ")}]`,
        );
      const data = t.data() as Float32Array;
      for (let i = 0; i < data.length; i++)
        if (!Number.isFinite(data[i]!)) throw new UpdateRejected("not_finite", `${e.name}[${i}] is ${data[i]}`);
      out.set(data, at);
      at += sizeOf(e.shape);
    }
    return { weights: out, metadata: d.metadata ?? {} };
  } finally {
    for (const t of d.tensors.values()) t.dispose();
  }
}
