import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as fl from "flambeau";

const dir = mkdtempSync(join(tmpdir(), "fl-safetensors-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = new URL("../../../test/fixtures/io/", import.meta.url);

const bytesOf = (t: fl.Tensor): Uint8Array => {
  const d = t.data();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};
function assertSameTensor(a: fl.Tensor, b: fl.Tensor, name: string): void {
  assert.equal(a.dtype, b.dtype, `${name} dtype`);
  assert.deepEqual([...a.shape], [...b.shape], `${name} shape`);
  assert.deepEqual(bytesOf(a), bytesOf(b), `${name} bytes`);
}

function allDtypes(): Map<string, fl.Tensor> {
  const f16 = fl.tensor([0, -0, 1, 65504, 6e-8, Infinity, Number.NaN, -2.5], { dtype: "float16" });
  return new Map<string, fl.Tensor>([
    [
      "f32",
      fl.tensor([
        [1.5, -2],
        [Number.NaN, -0],
      ]),
    ],
    ["f64", fl.tensor(new Float64Array([Math.PI, -Infinity, 5e-324, Number.MAX_VALUE]))],
    ["f16", f16],
    ["bf16", fl.tensor([0, 1, -3.140625, 1e38, -Infinity], { dtype: "bfloat16" })],
    ["i64", fl.tensor(BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 53n + 1n]))],
    ["i32", fl.tensor(Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 0]), { shape: [3, 1] })],
    ["i16", fl.tensor(Int16Array.from([-32768, 32767]))],
    ["i8", fl.tensor(Int8Array.from([-128, 127, 0]))],
    ["u8", fl.tensor(Uint8Array.from([0, 255, 7, 8]), { shape: [2, 2] })],
    ["bool", fl.tensor([[true, false, true]])],
    ["scalar", fl.tensor(2.25)],
    ["empty", fl.zeros([0, 3])],
    ["strided", fl.arange(0, 12).reshape(3, 4).t()],
  ]);
}

describe("safetensors", () => {
  test("round trip of every dtype through serialize/deserialize and save/load", async () => {
    const src = allDtypes();
    const { tensors, metadata } = fl.io.deserialize(fl.io.serialize(src, { note: "héllo", "": "empty key" }));
    assert.deepEqual(metadata, { note: "héllo", "": "empty key" });
    assert.deepEqual(new Set(tensors.keys()), new Set(src.keys()));
    for (const [k, t] of src) assertSameTensor(tensors.get(k)!, t.contiguous(), k);
    assert.deepEqual(tensors.get("strided")!.toArray(), src.get("strided")!.toArray());
    assert.deepEqual([...(tensors.get("i64")!.data() as BigInt64Array)], [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 53n + 1n]);

    const path = join(dir, "all.safetensors");
    await fl.io.save(src, path, { format: "pt" });
    const loaded = await fl.io.loadWithMetadata(path);
    assert.deepEqual(loaded.metadata, { format: "pt" });
    for (const [k, t] of src) assertSameTensor(loaded.tensors.get(k)!, t.contiguous(), k);
    assert.deepEqual(readFileSync(path), Buffer.from(fl.io.serialize(src, { format: "pt" })));
    // a plain object works too, and no temporary file is left behind
    await fl.io.save({ a: fl.ones([2]) }, path);
    assert.deepEqual([...(await fl.io.load(path)).keys()], ["a"]);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes(".tmp-")),
      [],
    );
  });

  test("byte layout matches the reference implementation's test vectors", () => {
    const attn = fl.tensor([0, 1, 2, 3, 4, 5]).reshape(1, 2, 3);
    const out = fl.io.serialize(new Map([["attn.0", attn]]));
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    assert.equal(header.length, 64);
    assert.deepEqual(out.subarray(0, 8), Uint8Array.from([64, 0, 0, 0, 0, 0, 0, 0]));
    assert.equal(Buffer.from(out.subarray(8, 72)).toString(), header);
    assert.deepEqual(out.subarray(72), bytesOf(attn));
    // padded with spaces to a multiple of 8
    const padded = fl.io.serialize(new Map([["attn0", attn.reshape(1, 1, 2, 3)]]));
    assert.equal(padded[0], 72);
    assert.equal(
      Buffer.from(padded.subarray(8, 80)).toString(),
      `{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       `,
    );
    assert.deepEqual(fl.io.serialize(new Map()), Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]));
    const meta = fl.io.serialize(new Map(), { framework: "pt" });
    assert.equal(meta[0], 40);
    assert.equal(Buffer.from(meta.subarray(8)).toString(), '{"__metadata__":{"framework":"pt"}}     ');
    // widest dtype first, then by name: every tensor starts aligned to its element size
    const order = fl.io.serialize(
      new Map<string, fl.Tensor>([
        ["a", fl.tensor([true])],
        ["b", fl.tensor(new Float64Array([1]))],
        ["c", fl.tensor([1])],
      ]),
    );
    const text = Buffer.from(order).toString("latin1");
    assert.ok(text.indexOf('"b"') < text.indexOf('"c"') && text.indexOf('"c"') < text.indexOf('"a"'));
  });

  test("a file written by Python (scripts/fixtures/io.py) loads with equal values", async () => {
    const path = new URL("python.safetensors", fixtures).pathname;
    const expected = JSON.parse(readFileSync(new URL("python.expected.json", fixtures), "utf8")) as {
      metadata: Record<string, string>;
      tensors: Record<string, { dtype: string; shape: number[]; values: (number | string | boolean)[] }>;
    };
    const { tensors, metadata } = await fl.io.loadWithMetadata(path);
    assert.deepEqual(metadata, expected.metadata);
    assert.deepEqual([...tensors.keys()].sort(), Object.keys(expected.tensors).sort());
    const names: Record<string, string> = {
      F32: "float32",
      F64: "float64",
      F16: "float16",
      BF16: "bfloat16",
      I64: "int64",
      I32: "int32",
      I16: "int16",
      I8: "int8",
      U8: "uint8",
      BOOL: "bool",
    };
    for (const [k, e] of Object.entries(expected.tensors)) {
      const t = tensors.get(k)!;
      assert.equal(t.dtype, names[e.dtype], k);
      assert.deepEqual([...t.shape], e.shape, k);
      const got = [...t.data()].map((v) => (t.dtype === "int64" ? String(v) : t.dtype === "bool" ? v === 1 : Number(v)));
      assert.deepEqual(got, e.values, k);
    }
    // Same layout rules: re-serialising gives Python's bytes exactly.
    assert.deepEqual(Buffer.from(fl.io.serialize(tensors, metadata)), readFileSync(path));
  });

  test("a file written by Flambeau loads in PyTorch (read by hand with struct/json/torch.frombuffer)", async (t) => {
    const probe = spawnSync("/usr/bin/python3", ["-c", "import torch"], { encoding: "utf8" });
    if (probe.status !== 0) {
      t.skip("/usr/bin/python3 with torch is not available");
      return;
    }
    const path = join(dir, "for-python.safetensors");
    const src = allDtypes();
    await fl.io.save(src, path, { from: "flambeau" });
    const script = `
import json, struct, sys, torch
D = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
     "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
data = bytearray(raw[8 + n:])
out = {"metadata": header.pop("__metadata__", {})}
for name, info in header.items():
    b, e = info["data_offsets"]
    t = torch.frombuffer(data[b:e], dtype=D[info["dtype"]]) if e > b else torch.empty(0, dtype=D[info["dtype"]])
    t = t.reshape(info["shape"])
    if t.dtype in (torch.float16, torch.bfloat16):
        vals = [v & 0xFFFF for v in t.reshape(-1).view(torch.int16).tolist()]
    elif t.dtype == torch.int64:
        vals = [str(v) for v in t.reshape(-1).tolist()]
    else:
        vals = [repr(v) for v in t.reshape(-1).tolist()]
    out[name] = {"shape": list(t.shape), "values": vals}
print(json.dumps(out))
`;
    const r = spawnSync("/usr/bin/python3", ["-c", script, path], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const py = JSON.parse(r.stdout) as Record<string, { shape: number[]; values: string[] | number[] }> & {
      metadata: Record<string, string>;
    };
    assert.deepEqual(py.metadata, { from: "flambeau" });
    const pyRepr = (v: number | bigint, dtype: fl.DType): string | number => {
      if (dtype === "float16" || dtype === "bfloat16") return Number(v);
      if (dtype === "int64") return String(v);
      if (dtype === "bool") return v === 1 ? "True" : "False";
      if (dtype === "float32" || dtype === "float64") {
        const n = Number(v);
        if (Number.isNaN(n)) return "nan";
        if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
        return n;
      }
      return String(v);
    };
    for (const [k, t] of src) {
      const c = t.contiguous();
      assert.deepEqual(py[k]!.shape, [...c.shape], k);
      const want = [...c.data()].map((v) => pyRepr(v, c.dtype));
      const got = py[k]!.values.map((v) =>
        (c.dtype === "float32" || c.dtype === "float64") && !["nan", "inf", "-inf"].includes(String(v)) ? Number(v) : v,
      );
      assert.deepEqual(got, want, k);
    }
  });
});

describe("safetensors: hostile files are rejected with E_FORMAT", () => {
  const enc = new TextEncoder();
  function file(header: string | Uint8Array, data: Uint8Array = new Uint8Array(0), n?: bigint): Uint8Array {
    const h = typeof header === "string" ? enc.encode(header) : header;
    const out = new Uint8Array(8 + h.length + data.length);
    new DataView(out.buffer).setBigUint64(0, n ?? BigInt(h.length), true);
    out.set(h, 8);
    out.set(data, 8 + h.length);
    return out;
  }
  const entry = (dtype: string, shape: unknown, offsets: unknown): string => JSON.stringify({ dtype, shape, data_offsets: offsets });
  const cases: [string, Uint8Array, RegExp][] = [
    ["too short", new Uint8Array(5), /too short/],
    ["huge header length", file("{}", new Uint8Array(0), 2n ** 63n), /exceeds the cap/],
    ["header length past the end", file("{}", new Uint8Array(0), 1000n), /runs past the end/],
    ["non-JSON", file("{not json}"), /not valid JSON/],
    ["not UTF-8", file(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/],
    ["not an object", file("[1, 2]"), /must be a JSON object/],
    ["unknown dtype", file(`{"w":${entry("Q8", [1], [0, 1])}}`, new Uint8Array(1)), /unsupported dtype "Q8"/],
    ["dtype libtorch lacks", file(`{"w":${entry("U16", [1], [0, 2])}}`, new Uint8Array(2)), /libtorch 1.13 has no such dtype/],
    ["negative dim", file(`{"w":${entry("U8", [-1], [0, 1])}}`, new Uint8Array(1)), /non-negative integers/],
    ["fractional dim", file(`{"w":${entry("U8", [1.5], [0, 1])}}`, new Uint8Array(1)), /non-negative integers/],
    ["offsets out of bounds", file(`{"w":${entry("U8", [16], [0, 16])}}`, new Uint8Array(8)), /out of bounds/],
    ["offsets reversed", file(`{"w":${entry("U8", [0], [4, 0])}}`, new Uint8Array(4)), /end before they begin/],
    [
      "overlapping",
      file(`{"a":${entry("F32", [2], [0, 8])},"b":${entry("F32", [2], [4, 12])}}`, new Uint8Array(12)),
      /"b" \[4, 12\] overlaps tensor "a" \[0, 8\]/,
    ],
    ["gap", file(`{"a":${entry("U8", [2], [0, 2])},"b":${entry("U8", [2], [4, 6])}}`, new Uint8Array(6)), /belong to no tensor/],
    ["uncovered tail", file(`{"a":${entry("U8", [2], [0, 2])}}`, new Uint8Array(6)), /cover 2 bytes but the data buffer has 6/],
    ["shape/bytes mismatch", file(`{"w":${entry("F32", [3], [0, 8])}}`, new Uint8Array(8)), /needs 12 bytes/],
    ["overflowing shape", file(`{"w":${entry("F32", [2 ** 52, 2 ** 52, 0], [0, 0])}}`), /exceeds the cap/],
    ["wrapping shape", file(`{"w":${entry("U8", [2 ** 32, 2 ** 32], [0, 0])}}`), /exceeds the cap|needs/],
    ["bad metadata", file(`{"__metadata__":{"a":1}}`), /must be a string/],
    ["entry not an object", file(`{"w":[1,2]}`), /expected \{dtype, shape, data_offsets\}/],
    ["bool byte not 0/1", file(`{"m":${entry("BOOL", [2], [0, 2])}}`, Uint8Array.from([1, 2])), /BOOL byte 1 is 2/],
  ];
  for (const [name, bytes, message] of cases) {
    test(name, () => {
      assert.throws(
        () => fl.io.deserialize(bytes, "hostile.safetensors"),
        (e: unknown) => {
          assert.ok(e instanceof fl.FlambeauError, String(e));
          assert.equal(e.code, "E_FORMAT");
          assert.match(e.message, /hostile\.safetensors/);
          assert.match(e.message, message);
          return true;
        },
      );
    });
  }
  test("load names the file; a missing file is E_IO", async () => {
    const path = join(dir, "bad.safetensors");
    writeFileSync(path, file(`{"w":${entry("F32", [3], [0, 8])}}`, new Uint8Array(8)));
    await assert.rejects(
      fl.io.load(path),
      (e: fl.FlambeauError) => e.code === "E_FORMAT" && e.message.includes(path) && e.message.includes('"w"'),
    );
    await assert.rejects(
      fl.io.load(join(dir, "missing.safetensors")),
      (e: fl.FlambeauError) => e.code === "E_IO" && /no such file/.test(e.message),
    );
  });
  test("bad arguments to save are E_ARG", async () => {
    assert.throws(() => fl.io.serialize({ w: 3 as unknown as fl.Tensor }), /"w" is not a Tensor/);
    assert.throws(() => fl.io.serialize({ __metadata__: fl.ones([1]) }), /reserved/);
    assert.throws(() => fl.io.serialize({}, { n: 1 as unknown as string }), /metadata\["n"\] must be a string/);
    await assert.rejects(
      fl.io.save({ w: fl.ones([1]) }, join(dir, "no-such-dir", "x.safetensors")),
      (e: fl.FlambeauError) => e.code === "E_IO",
    );
  });
});
