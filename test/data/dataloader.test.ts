import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as fl from "flambeau";

const rows = (n: number) =>
  new fl.data.TensorDataset(
    fl
      .arange(0, n * 2)
      .reshape(n, 2)
      .float(),
    fl.arange(0, n),
  );

async function collect<B>(loader: AsyncIterable<B>, pick: (b: B) => number[]): Promise<number[][]> {
  const out: number[][] = [];
  for await (const b of loader) {
    out.push(pick(b));
    fl.dispose(b);
  }
  return out;
}
const labels = (b: fl.Tensor[]): number[] => (b[1]!.toArray() as number[]).map(Number);

describe("DataLoader", () => {
  test("batch counts, shapes and dropLast", async () => {
    const ds = rows(10);
    const loader = new fl.data.DataLoader(ds, { batchSize: 3 });
    assert.equal(loader.length, 4);
    const shapes: number[][] = [];
    for await (const [x, y] of loader) {
      shapes.push([...x.shape, ...y.shape]);
      fl.dispose([x, y]);
    }
    assert.deepEqual(shapes, [
      [3, 2, 3],
      [3, 2, 3],
      [3, 2, 3],
      [1, 2, 1],
    ]);
    const dropped = new fl.data.DataLoader(ds, { batchSize: 3, dropLast: true });
    assert.equal(dropped.length, 3);
    assert.deepEqual(await collect(dropped, labels), [
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ]);
    assert.equal(new fl.data.DataLoader(ds).length, 10);
    assert.equal(new fl.data.DataLoader(rows(2), { batchSize: 3, dropLast: true }).length, 0);
    assert.throws(() => new fl.data.DataLoader(ds, { batchSize: 0 }), /batchSize must be an integer ≥ 1, got 0/);
  });

  test("shuffle is fixed by (seed, epoch), reshuffles every epoch, visits every sample once", async () => {
    const ds = rows(50);
    const a = new fl.data.DataLoader(ds, { batchSize: 8, shuffle: true, seed: 7 });
    const e0 = await collect(a, labels);
    const e1 = await collect(a, labels);
    assert.equal(a.epoch, 2);
    for (const e of [e0, e1])
      assert.deepEqual(
        e.flat().sort((p, q) => p - q),
        Array.from({ length: 50 }, (_, i) => i),
      );
    assert.notDeepEqual(e0, e1);
    const b = new fl.data.DataLoader(ds, { batchSize: 8, shuffle: true, seed: 7 });
    assert.deepEqual(await collect(b, labels), e0);
    b.setEpoch(1);
    assert.deepEqual(await collect(b, labels), e1);
    assert.deepEqual([...a.order(1)], e1.flat());
    const c = new fl.data.DataLoader(ds, { batchSize: 8, shuffle: true, seed: 8 });
    assert.notDeepEqual(await collect(c, labels), e0);
    // independent of libtorch's generator
    fl.manualSeed(1);
    const d1 = [...new fl.data.DataLoader(ds, { shuffle: true, seed: 3 }).order(0)];
    fl.manualSeed(2);
    assert.deepEqual([...new fl.data.DataLoader(ds, { shuffle: true, seed: 3 }).order(0)], d1);
    assert.ok(Number.isSafeInteger(new fl.data.DataLoader(ds, { shuffle: true }).seed));
  });

  test("getBatch fast path and per-sample collate give the same batches", async () => {
    const ds = rows(23);
    const fast = new fl.data.DataLoader(ds, { batchSize: 5, shuffle: true, seed: 11 });
    const slow = new fl.data.DataLoader(ds, { batchSize: 5, shuffle: true, seed: 11, collate: (s) => fl.data.defaultCollate(s) });
    const pick = (b: fl.Tensor[]) => (b[0]!.toArray() as number[][]).flat();
    assert.deepEqual(await collect(fast, pick), await collect(slow, pick));
    // a Subset of a tensor dataset keeps the fast path and maps indices
    const sub = new fl.data.Subset(ds, [20, 3, 7]);
    assert.equal(typeof sub.getBatch, "function");
    assert.deepEqual(await collect(new fl.data.DataLoader(sub, { batchSize: 2 }), labels), [[20, 3], [7]]);
  });

  test("defaultCollate: nested tuples, objects, numbers, strings, TypedArrays", () => {
    const samples = [0, 1, 2].map((i) => ({
      x: fl.full([2, 2], i),
      y: i,
      w: i + 0.5,
      flag: i % 2 === 0,
      big: BigInt(i) * 2n ** 40n,
      name: `n${i}`,
      pair: [fl.tensor([i]), { deep: i * 10 }] as [fl.Tensor, { deep: number }],
      raw: Int16Array.from([i, -i]),
    }));
    const b = fl.data.defaultCollate(samples);
    assert.deepEqual([...b.x.shape], [3, 2, 2]);
    assert.equal(b.y.dtype, "int64");
    assert.deepEqual(b.y.toArray(), [0, 1, 2]);
    assert.equal(b.w.dtype, "float32");
    assert.deepEqual(b.flag.toArray(), [true, false, true]);
    assert.deepEqual([...(b.big.data() as BigInt64Array)], [0n, 2n ** 40n, 2n ** 41n]);
    assert.deepEqual(b.name, ["n0", "n1", "n2"]);
    assert.deepEqual(b.pair[0].toArray(), [[0], [1], [2]]);
    assert.deepEqual(b.pair[1].deep.toArray(), [0, 10, 20]);
    assert.equal(b.raw.dtype, "int16");
    assert.deepEqual(b.raw.toArray(), [
      [0, 0],
      [1, -1],
      [2, -2],
    ]);
    assert.throws(
      () => fl.data.defaultCollate([{ x: fl.ones([2]) }, { x: fl.ones([3]) }]),
      /sample 1 has shape \[3\] but sample 0 has \[2\] \(at batch\.x\)/,
    );
    assert.throws(
      () =>
        fl.data.defaultCollate([
          [1, "a"],
          [2, 3],
        ]),
      /sample 1 is number but sample 0 is string \(at batch\[1\]\)/,
    );
    assert.throws(() => fl.data.defaultCollate([{ a: 1 }, { b: 1 }]), /sample 1 has keys \{b\} but sample 0 has \{a\}/);
    assert.throws(() => fl.data.defaultCollate([new Date()]), /cannot collate object values/);
    assert.throws(() => fl.data.defaultCollate([]), /non-empty/);
  });

  test("transform runs on each batch; replaced and unconsumed tensors are freed", async () => {
    const ds = rows(40);
    const made: fl.Tensor[] = [];
    const spy: fl.data.Dataset<fl.Tensor[]> = {
      length: ds.length,
      get: (i) => ds.get(i),
      getBatch: (idx) => {
        const b = ds.getBatch(idx);
        made.push(...b);
        return b;
      },
    };
    const loader = new fl.data.DataLoader(spy, {
      batchSize: 4,
      prefetch: 3,
      transform: ([x, y]) => {
        const out = [x!.mul(2), y!];
        made.push(out[0]!);
        return out;
      },
    });
    let first: number[] | undefined;
    let seen = 0;
    for await (const [x, y] of loader) {
      first ??= (x!.toArray() as number[][])[1];
      fl.dispose([x, y]);
      if (++seen === 2) break; // the prefetched batches must be disposed
    }
    assert.deepEqual(first, [4, 6]);
    await new Promise((r) => setImmediate(r));
    assert.equal(made.length, 5 * 3); // batches 0-4 were made (2 consumed + 3 prefetched)
    assert.deepEqual(
      made.filter((t) => !t.disposed),
      [],
    );
    // per-sample path: the row views are freed once stacked
    const samples: fl.Tensor[] = [];
    const perSample = new fl.data.DataLoader<fl.Tensor[]>(
      {
        length: 8,
        get: (i) => {
          const r = ds.get(i);
          samples.push(...r);
          return r;
        },
      },
      { batchSize: 4 },
    );
    for await (const b of perSample) fl.dispose(b);
    assert.equal(samples.length, 16);
    assert.deepEqual(
      samples.filter((t) => !t.disposed),
      [],
    );
  });

  test("async datasets, prefetch 0, and a failing sample surfaces at its batch", async () => {
    const asyncDs: fl.data.Dataset<number> = {
      length: 7,
      get: async (i) => {
        await new Promise((r) => setTimeout(r, 1));
        if (i === 5) throw new Error("sample 5 is unreadable");
        return i;
      },
    };
    const loader = new fl.data.DataLoader(asyncDs, { batchSize: 2, prefetch: 0 });
    const got: number[][] = [];
    await assert.rejects(async () => {
      for await (const b of loader) {
        got.push((b.toArray() as number[]).map(Number));
        b.dispose();
      }
    }, /sample 5 is unreadable/);
    assert.deepEqual(got, [
      [0, 1],
      [2, 3],
    ]);
  });
});

describe("datasets and splits", () => {
  test("TensorDataset, Subset, ConcatDataset, mapDataset", async () => {
    const ds = rows(4);
    assert.equal(ds.length, 4);
    const [x, y] = ds.get(2);
    assert.deepEqual(x.toArray(), [4, 5]);
    assert.equal(y.item(), 2);
    assert.throws(() => ds.get(4), /index 4 is out of range for a dataset of length 4/);
    assert.throws(() => new fl.data.TensorDataset(fl.ones([3]), fl.ones([4])), /share dim 0/);
    const cat = new fl.data.ConcatDataset([rows(2), rows(3)]);
    assert.equal(cat.length, 5);
    assert.equal((await cat.get(3))[1]!.item(), 1);
    assert.equal(typeof (cat as fl.data.Dataset<unknown>).getBatch, "undefined");
    assert.throws(() => new fl.data.Subset(ds, [0, 4]), /indices\[1\] = 4 is out of range/);
    const mapped = fl.data.mapDataset(ds, ([a]) => a!.sum().item());
    assert.equal(await mapped.get(1), 5);
  });

  test("randomSplit is deterministic from the seed, disjoint and complete", () => {
    const ds = rows(103);
    const [a, b, c] = fl.data.randomSplit(ds, [0.7, 0.2, 0.1], 5);
    assert.deepEqual([a!.length, b!.length, c!.length], [73, 20, 10]);
    const all = [...a!.indices, ...b!.indices, ...c!.indices].sort((p, q) => p - q);
    assert.deepEqual(
      all,
      Array.from({ length: 103 }, (_, i) => i),
    );
    const again = fl.data.randomSplit(ds, [0.7, 0.2, 0.1], 5);
    assert.deepEqual([...again[0]!.indices], [...a!.indices]);
    assert.notDeepEqual([...fl.data.randomSplit(ds, [0.7, 0.2, 0.1], 6)[0]!.indices], [...a!.indices]);
    assert.deepEqual(
      fl.data.randomSplit(ds, [100, 3], 1).map((s) => s.length),
      [100, 3],
    );
    assert.throws(() => fl.data.randomSplit(ds, [50, 50], 1), /sum to 100, the dataset has 103/);
    assert.throws(() => fl.data.randomSplit(ds, [-1, 104], 1), /non-negative integer/);
  });

  test("the PRNG is pinned: the same seed gives the same numbers on every version", () => {
    const r = new fl.data.Random(42);
    const first = [r.nextUint32(), r.nextUint32(), r.nextUint32()];
    assert.deepEqual(first, PINNED);
    assert.deepEqual([...fl.data.permutation(10, 42, 0)], PINNED_PERM);
    const f = new fl.data.Random(1).nextFloat();
    assert.ok(f >= 0 && f < 1);
    const counts = new Array<number>(3).fill(0);
    const g = new fl.data.Random(9);
    for (let i = 0; i < 3000; i++) counts[g.int(3)]!++;
    for (const c of counts) assert.ok(c > 900 && c < 1100, String(counts));
  });
});

describe("transforms", () => {
  test("Compose, Lambda and compose apply in order", () => {
    const t = fl.data.compose((x: number) => x + 1, new fl.data.Lambda((x: number) => `${x * 2}`, "double"), {
      apply: (s: string) => s.length,
    });
    assert.equal(t.apply(4), 2);
    const c = new fl.data.Compose<number, number>([(x: number) => x * 3, new fl.data.Lambda((x: number) => x - 1)]);
    assert.equal(c.apply(2), 5);
    assert.match(String(c), /Compose\(\n {2}Lambda/);
    assert.throws(() => new fl.data.Compose([42 as never]), /expected a function or an object with apply/);
  });
});

const PINNED = [2157756625, 2438938070, 3132350963];
const PINNED_PERM = [4, 3, 1, 2, 8, 7, 6, 5, 0, 9];
