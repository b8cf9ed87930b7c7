import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import * as fl from "flambeau";

const dir = mkdtempSync(join(tmpdir(), "fl-idx-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file: magic 0x0000TTNN, big-endian dims, big-endian elements. */
function idx(type: number, dims: number[], elementBytes: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = type;
  head[3] = dims.length;
  for (const [k, d] of dims.entries()) head.writeUInt32BE(d, 4 + 4 * k);
  return Buffer.concat([head, elementBytes]);
}
function be(kind: "i16" | "i32" | "f32" | "f64", values: number[]): Buffer {
  const size = { i16: 2, i32: 4, f32: 4, f64: 8 }[kind];
  const b = Buffer.alloc(values.length * size);
  values.forEach((v, k) => {
    if (kind === "i16") b.writeInt16BE(v, k * 2);
    else if (kind === "i32") b.writeInt32BE(v, k * 4);
    else if (kind === "f32") b.writeFloatBE(v, k * 4);
    else b.writeDoubleBE(v, k * 8);
  });
  return b;
}

function rejectsFormat(p: Promise<unknown>, message: RegExp): Promise<void> {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof fl.FlambeauError, String(e));
    assert.equal(e.code, "E_FORMAT");
    assert.match(e.message, message);
    return true;
  });
}

describe("IDX reader", () => {
  test("every element type, big-endian converted, gzip or not", async () => {
    const cases: [number, fl.DType, Buffer, number[]][] = [
      [0x08, "uint8", Buffer.from([0, 1, 254, 255, 7, 9]), [0, 1, 254, 255, 7, 9]],
      [0x09, "int8", Buffer.from([0x80, 0x7f, 0xff, 0, 1, 2]), [-128, 127, -1, 0, 1, 2]],
      [0x0b, "int16", be("i16", [-32768, 32767, -2, 258, 0, 1]), [-32768, 32767, -2, 258, 0, 1]],
      [0x0c, "int32", be("i32", [-(2 ** 31), 2 ** 31 - 1, 65536, -3, 0, 1]), [-(2 ** 31), 2 ** 31 - 1, 65536, -3, 0, 1]],
      [0x0d, "float32", be("f32", [1.5, -2.25, 0, 1e30, -0.5, 3]), [1.5, -2.25, 0, Math.fround(1e30), -0.5, 3]],
      [0x0e, "float64", be("f64", [Math.PI, -Math.E, 1e-300, 0, 5, -7]), [Math.PI, -Math.E, 1e-300, 0, 5, -7]],
    ];
    for (const [type, dtype, bytes, values] of cases) {
      const raw = idx(type, [2, 3], bytes);
      const plain = join(dir, `t${type}.idx`);
      const gz = join(dir, `t${type}.idx.gz`);
      writeFileSync(plain, raw);
      writeFileSync(gz, gzipSync(raw));
      for (const p of [plain, gz]) {
        const t = await fl.data.readIdx(p);
        assert.equal(t.dtype, dtype, p);
        assert.deepEqual([...t.shape], [2, 3], p);
        assert.deepEqual([...t.data()].map(Number), values, p);
      }
    }
    const scalarish = fl.data.parseIdx(idx(0x08, [], Buffer.from([42])));
    assert.deepEqual([...scalarish.shape], []);
  });

  test("truncated, corrupt and absurd files fail with the file name and what is wrong", async () => {
    const write = (name: string, b: Buffer): string => {
      const p = join(dir, name);
      writeFileSync(p, b);
      return p;
    };
    const good = idx(0x08, [4, 2], Buffer.alloc(8, 1));
    await rejectsFormat(fl.data.readIdx(write("short.idx", good.subarray(0, 3))), /short\.idx: truncated header: 3 bytes/);
    await rejectsFormat(
      fl.data.readIdx(write("dims.idx", good.subarray(0, 9))),
      /dims\.idx: truncated header: rank 2 needs 12 header bytes/,
    );
    await rejectsFormat(
      fl.data.readIdx(write("data.idx", good.subarray(0, 15))),
      /data\.idx: truncated: dims \[4, 2\] of uint8 need 8 data bytes .* has 3/,
    );
    await rejectsFormat(
      fl.data.readIdx(write("extra.idx", Buffer.concat([good, Buffer.alloc(5)]))),
      /extra\.idx: 5 unexpected bytes after the data/,
    );
    await rejectsFormat(
      fl.data.readIdx(write("magic.idx", Buffer.from("PK\u0003\u0004 zip file"))),
      /magic\.idx: not an IDX file: magic 0x504b0304/,
    );
    await rejectsFormat(
      fl.data.readIdx(write("type.idx", idx(0x0a, [1], Buffer.alloc(1)))),
      /type\.idx: unknown element type 0x0a at byte 2/,
    );
    await rejectsFormat(
      fl.data.readIdx(write("huge.idx", idx(0x08, [2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1], Buffer.alloc(4)))),
      /huge\.idx: dims .* more than .* elements/,
    );
    await rejectsFormat(
      fl.data.readIdx(write("big.idx", idx(0x0e, [60000, 28, 28], Buffer.alloc(16)))),
      /big\.idx: truncated: dims \[60000, 28, 28\] of float64 need 376320000 data bytes/,
    );
    await rejectsFormat(fl.data.readIdx(write("gz.idx.gz", gzipSync(good).subarray(0, 20))), /gz\.idx\.gz: corrupt or truncated gzip data/);
    await assert.rejects(
      fl.data.readIdx(join(dir, "nope.idx")),
      (e: fl.FlambeauError) => e.code === "E_IO" && /nope\.idx: no such file/.test(e.message),
    );
  });

  test("idxFolder finds the split's files in an MNIST-family folder", async () => {
    const d = join(dir, "mnist-like");
    mkdirSync(d);
    writeFileSync(join(d, "train-images.idx3-ubyte"), idx(0x08, [3, 2, 2], Buffer.alloc(12, 5)));
    writeFileSync(join(d, "train-labels.idx1-ubyte"), idx(0x08, [3], Buffer.from([0, 1, 2])));
    writeFileSync(join(d, "t10k-images-idx3-ubyte.gz"), gzipSync(idx(0x08, [1, 2, 2], Buffer.alloc(4))));
    writeFileSync(join(d, "t10k-labels-idx1-ubyte.gz"), gzipSync(idx(0x08, [2], Buffer.from([1, 1]))));
    const train = await fl.data.idxFolder(d, "train");
    assert.deepEqual([...train.images.shape], [3, 2, 2]);
    assert.equal(train.labels.dtype, "int64");
    assert.deepEqual(train.labels.toArray(), [0, 1, 2]);
    await assert.rejects(fl.data.idxFolder(d, "test"), /has shape \[1, 2, 2\] but .* has \[2\]/);
    await assert.rejects(fl.data.idxFolder(join(dir, "nowhere"), "train"), /is not a directory/);
    await assert.rejects(fl.data.idxFolder(dir, "train"), /no train images file/);
  });

  test("Fashion-MNIST test split from Debian's dataset-fashion-mnist", async (t) => {
    if (!existsSync(fl.data.FASHION_MNIST_ROOT)) {
      t.skip(`${fl.data.FASHION_MNIST_ROOT} missing (apt-get install dataset-fashion-mnist)`);
      return;
    }
    const { images, labels, classes } = await fl.data.fashionMnist({ split: "test" });
    assert.equal(images.dtype, "uint8");
    assert.deepEqual([...images.shape], [10000, 28, 28]);
    assert.equal(labels.dtype, "int64");
    assert.deepEqual([...labels.shape], [10000]);
    assert.equal(classes.length, 10);
    assert.equal(classes[0], "T-shirt/top");
    assert.equal(classes[9], "Ankle boot");
    // Reference values computed once with numpy (gzip + np.frombuffer) from the same files.
    assert.deepEqual(labels.narrow(0, 0, 20).toArray(), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0]);
    assert.equal(images.long().sum().item(), 573469082);
    const w = fl.arange(0, 28 * 28).reshape(28, 28);
    assert.equal(images.narrow(0, 0, 100).long().mul(w).sum().item(), 2404343023);
    assert.deepEqual(images.select(0, 0).select(0, 14).narrow(0, 10, 6).toArray(), [0, 0, 98, 136, 110, 109]);
    await assert.rejects(fl.data.fashionMnist({ split: "test", root: join(dir, "absent") }), /apt-get install dataset-fashion-mnist/);
  });
});
