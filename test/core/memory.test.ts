// Memory: tensors nobody disposed are freed promptly (RSS stays flat over 100,000 iterations),
// tidy/dispose/keep/using release them deterministically, and the allocator budget turns
// an oversized request into an error instead of an OOM kill.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { totalmem } from "node:os";
import { test } from "node:test";
import * as fl from "flambeau";

test("100,000 iterations of small ops without disposal keep RSS flat", () => {
  const a = fl.randn([64]);
  const b = fl.randn([64]);
  const loop = (n: number) => {
    for (let i = 0; i < n; i++) a.add(b).mul(2).sum();
  };
  loop(20_000);
  const rss20k = process.memoryUsage().rss;
  const bytes20k = fl.memory().bytes;
  let maxLive = 0;
  for (let k = 0; k < 8; k++) {
    loop(10_000);
    maxLive = Math.max(maxLive, fl.memory().liveTensors);
  }
  // 240,000 tensors were made after the first reading. The engine's prompt scavenges
  // (src/core/collector.ts) free the dropped ones every few thousand: without them V8 let
  // 40-120k pile up and RSS grew 50-95 MiB; a leak of ≥ 1 KiB per iteration adds ≥ 78 MiB.
  // bench/memory-flat.ts measures the bound (< 16 MiB per 100,000, five runs).
  const grewMiB = (process.memoryUsage().rss - rss20k) / 2 ** 20;
  assert.ok(grewMiB < 24, `RSS grew by ${grewMiB.toFixed(1)} MiB between 20k and 100k iterations`);
  assert.ok(maxLive < 30_000, `up to ${maxLive} tensors were alive at once`);
  assert.ok(fl.memory().bytes - bytes20k < 8 * 2 ** 20, `native bytes grew by ${fl.memory().bytes - bytes20k}`);
});

test("failing calls leak nothing: 5,000 native and validation errors keep memory flat", () => {
  const a = fl.randn([2, 3]);
  const b = fl.randn([4]);
  const target = fl.tensor([0n, 9n]);
  const fail = (n: number) => {
    for (let i = 0; i < n; i++) {
      assert.throws(() => a.add(b), fl.FlambeauError); // refused by libtorch
      assert.throws(() => a.sum({ dim: 7 }), fl.FlambeauError); // refused before dispatch
      assert.throws(() => fl.nn.functional.crossEntropy(a, target), fl.FlambeauError); // a range check that reads the target
    }
  };
  fail(1_000);
  const rss = process.memoryUsage().rss;
  const live = fl.memory().liveTensors;
  fail(4_000);
  const grewMiB = (process.memoryUsage().rss - rss) / 2 ** 20;
  assert.ok(grewMiB < 20, `RSS grew by ${grewMiB.toFixed(1)} MiB over 4,000 failing iterations`);
  assert.ok(fl.memory().liveTensors - live < 20_000, `live tensors grew by ${fl.memory().liveTensors - live}`);
});

test("tidy disposes what it created except results and kept tensors", () => {
  const before = fl.memory().liveTensors;
  let inner: fl.Tensor | undefined;
  let kept: fl.Tensor | undefined;
  const r = fl.tidy(() => {
    inner = fl.ones([3]).mul(2);
    kept = fl.ones([2]).keep();
    return { out: inner.add(1), list: [fl.zeros([1])] };
  });
  assert.ok(inner!.disposed);
  assert.ok(!kept!.disposed);
  assert.ok(!r.out.disposed && !r.list[0]!.disposed);
  assert.deepEqual(r.out.toArray(), [3, 3, 3]);
  assert.throws(
    () => inner!.add(1),
    (e: Error) => e instanceof fl.FlambeauError && (e as fl.FlambeauError).code === "E_DISPOSED",
  );
  fl.dispose([r.out, r.list, kept]);
  assert.ok(fl.memory().liveTensors <= before + 1);
  assert.throws(() => fl.tidy(() => Promise.resolve(1) as unknown as number), /synchronous/);
  const thrown = fl.tensor([1]);
  assert.throws(() =>
    fl.tidy(() => {
      thrown.add(1);
      throw new Error("boom");
    }),
  );
});

test("dispose() and Symbol.dispose release the native memory now", () => {
  const t = fl.zeros([1024, 1024]);
  const b = fl.memory().bytes;
  t.dispose();
  assert.ok(b - fl.memory().bytes >= 4 * 1024 * 1024 - 64);
  assert.equal(t.toString(), "tensor(<disposed>)");
  const u = fl.zeros([256, 1024]);
  const b2 = fl.memory().bytes;
  u[Symbol.dispose]();
  assert.ok(b2 - fl.memory().bytes >= 1024 * 1024 - 64);
  t.dispose(); // twice is harmless
  // The `using` declaration (TS 5.2+, downlevelled for ES2022) disposes at the end of the block.
  let scoped: fl.Tensor | undefined;
  const b3 = fl.memory().bytes;
  {
    using w = fl.zeros([512, 1024]);
    scoped = w;
    assert.ok(fl.memory().bytes - b3 >= 2 * 1024 * 1024 - 64);
  }
  assert.ok(scoped.disposed);
  assert.ok(fl.memory().bytes - b3 < 64);
});

test("memory budget: an oversized allocation is a FlambeauError, not an OOM", () => {
  const before = fl.getMemoryBudget();
  fl.setMemoryBudget(fl.memory().bytes + 64 * 2 ** 20);
  try {
    assert.throws(
      () => fl.zeros([1024, 1024, 1024]),
      (e: Error) =>
        e instanceof fl.FlambeauError &&
        e.code === "E_MEMORY" &&
        /allocation of 4294967296 bytes .*exceed the memory budget of \d+ bytes/.test(e.message),
    );
    // Data copied in from JS goes through the same allocator.
    assert.throws(
      () => fl.tensor(new Float64Array(2 ** 24)),
      (e: Error) => e instanceof fl.FlambeauError && e.code === "E_MEMORY",
    );
    assert.deepEqual(fl.zeros([10]).shape, [10]);
    fl.setMemoryBudget("1GiB");
    assert.equal(fl.getMemoryBudget(), 2 ** 30);
  } finally {
    fl.setMemoryBudget(before);
  }
  assert.throws(() => fl.setMemoryBudget(-1), /setMemoryBudget: expected a byte count/);
  assert.throws(
    () => fl.setMemoryBudget(Number.NaN),
    (e: Error) => e instanceof fl.FlambeauError && e.code === "E_ARG",
  );
  assert.throws(() => fl.setMemoryBudget("lots"), /got "lots"/);
});

test("memory budget: on by default, a fraction of the machine's memory", () => {
  const budget = fl.getMemoryBudget();
  const total = Math.min(totalmem(), fl.defaultMemoryBudget() / fl.DEFAULT_BUDGET_FRACTION + 1);
  assert.ok(budget > 0, "a budget is set by default");
  assert.ok(budget <= totalmem(), `budget ${budget} exceeds physical memory ${totalmem()}`);
  assert.equal(budget, fl.defaultMemoryBudget());
  assert.ok(Math.abs(budget - Math.floor(total * fl.DEFAULT_BUDGET_FRACTION)) <= 1);
  // A request just past the default budget fails before any page is touched.
  const n = Math.floor(budget / 8) + 1;
  if (n <= 2 ** 34)
    assert.throws(
      () => fl.empty([n], { dtype: "float64" }),
      (e: Error) => e instanceof fl.FlambeauError && e.code === "E_MEMORY" && e.message.includes(`budget of ${budget} bytes`),
    );
});

test("parseBytes: integers, units, and refusals", () => {
  assert.equal(fl.parseBytes(1234), 1234);
  assert.equal(fl.parseBytes("8GiB"), 8 * 2 ** 30);
  assert.equal(fl.parseBytes("512 MB"), 512e6);
  assert.equal(fl.parseBytes("1.5g"), 1.5e9);
  assert.equal(fl.parseBytes("64kib"), 65536);
  assert.equal(fl.parseBytes("off"), 0);
  assert.equal(fl.parseBytes("0"), 0);
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, "", "-5GiB", "8 parsecs", "1e3", null, 10n])
    assert.throws(
      () => fl.parseBytes(bad),
      (e: Error) => e instanceof fl.FlambeauError && e.code === "E_ARG",
      String(bad),
    );
});

test("FLAMBEAU_MEMORY_BUDGET sets the budget at load; a bad value warns and keeps the default", () => {
  const run = (value: string) =>
    spawnSync(process.execPath, ["--input-type=module", "-e", 'import * as fl from "flambeau"; console.log(fl.getMemoryBudget())'], {
      encoding: "utf8",
      env: { ...process.env, FLAMBEAU_MEMORY_BUDGET: value },
      timeout: 30_000,
    });
  const good = run("96MiB");
  assert.equal(good.stdout.trim(), String(96 * 2 ** 20), good.stderr);
  const bad = run("plenty");
  assert.equal(bad.stdout.trim(), String(fl.defaultMemoryBudget()));
  assert.match(bad.stderr, /FLAMBEAU_MEMORY_BUDGET: expected a byte count.*"plenty"/);
});

test("freed large blocks are kept for the next request of their size; emptyCache hands them back", () => {
  fl.emptyCache();
  const bytes = fl.memory().bytes;
  // 8 MiB: past the 1 MiB floor of the cache, under glibc's adaptive mmap threshold's ceiling.
  fl.zeros([2 * 2 ** 20]).dispose();
  const kept = fl.memory().cachedBytes;
  assert.ok(kept >= 8 * 2 ** 20 && kept < 9 * 2 ** 20, `cached ${kept} bytes after freeing 8 MiB`);
  assert.equal(fl.memory().bytes, bytes, "a cached block is not a live byte");
  const again = fl.ones([2 * 2 ** 20]);
  assert.equal(fl.memory().cachedBytes, 0, "the same size reuses the cached block");
  assert.equal(again.sum().item(), 2 * 2 ** 20, "a reused block holds the new values");
  again.dispose();
  // A much smaller large request does not take it (at most an eighth is wasted).
  fl.zeros([2 ** 19]).dispose();
  assert.ok(fl.memory().cachedBytes > kept, "two blocks of different sizes are kept");
  fl.emptyCache();
  assert.equal(fl.memory().cachedBytes, 0);
  // Small blocks never enter the cache.
  fl.zeros([1000]).dispose();
  assert.equal(fl.memory().cachedBytes, 0);
});

test("the cache holds at most a quarter of the budget, or FLAMBEAU_CPU_CACHE_MB", () => {
  const before = fl.getMemoryBudget();
  fl.emptyCache();
  fl.setMemoryBudget(fl.memory().bytes + 64 * 2 ** 20);
  try {
    for (const mib of [4, 5, 6, 7, 9]) fl.zeros([mib * 2 ** 18]).dispose();
    const kept = fl.memory().cachedBytes;
    assert.ok(kept > 0 && kept <= 16 * 2 ** 20, `cached ${kept} bytes under a 64 MiB budget`);
  } finally {
    fl.setMemoryBudget(before);
    fl.emptyCache();
  }
  const off = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", 'import * as fl from "flambeau"; fl.zeros([2 ** 22]).dispose(); console.log(fl.memory().cachedBytes)'],
    { encoding: "utf8", env: { ...process.env, FLAMBEAU_CPU_CACHE_MB: "0" }, timeout: 30_000 },
  );
  assert.equal(off.stdout.trim(), "0", off.stderr);
});

test("live and cached bytes stay under the peak of live bytes plus 64 MiB, however many sizes pass through", () => {
  // A fresh process, so that the peak is this loop's: 40 sizes from 8 to 47 MiB, one live at a time.
  const r = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      'import * as fl from "flambeau"; for (let i = 0; i < 40; i++) fl.zeros([(8 + i) * 2 ** 18]).dispose(); const m = fl.memory(); console.log(m.cachedBytes, m.peakBytes)',
    ],
    { encoding: "utf8", timeout: 30_000 },
  );
  const [cached, peak] = r.stdout.trim().split(" ").map(Number);
  assert.ok(peak! >= 47 * 2 ** 20, `${r.stdout} ${r.stderr}`);
  assert.ok(cached! > 0 && cached! <= peak! + 64 * 2 ** 20, `cached ${cached} bytes with a peak of ${peak}`);
});
