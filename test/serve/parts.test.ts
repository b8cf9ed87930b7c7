// The server's parts without a model: the batching queue (fairness, timeouts, queue limit,
// clients leaving) over a fake worker pool, JSON depth, tokens, rate limits, Host/Origin.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TokenAuth } from "../../src/http/auth.js";
import { Guard, hostNameOf } from "../../src/http/guard.js";
import { RateLimiter } from "../../src/http/rate-limit.js";
import { Batcher } from "../../src/serve/batcher.js";
import type { BatchResult, WireInput } from "../../src/serve/jobs.js";
import { jsonDepth, parseJsonBody } from "../../src/serve/json.js";
import { Metrics } from "../../src/serve/metrics.js";
import type { ServedModel } from "../../src/serve/models.js";
import type { WorkerPool } from "../../src/serve/pool.js";

/** A pool of `size` workers whose batches finish when the test says (or after `ms`). */
function fakePool(size: number, ms = 5) {
  const busy = Array(size).fill(false) as boolean[];
  const batches: string[][] = [];
  const pool = {
    idle: () => busy.indexOf(false),
    get busy() {
      return busy.filter(Boolean).length;
    },
    predictBatch: async (i: number, _dir: string, inputs: WireInput[], sizes: number[]): Promise<BatchResult> => {
      busy[i] = true;
      batches.push(inputs as string[]);
      await new Promise((r) => setTimeout(r, ms));
      busy[i] = false;
      let at = 0;
      return {
        groups: sizes.map((n) => {
          const mine = (inputs as string[]).slice(at, (at += n));
          return mine.includes("bad")
            ? { error: "bad input", code: "E_ARG" }
            : { predictions: mine.map((s) => s.toUpperCase()), text: mine };
        }),
      };
    },
  };
  return { pool: pool as unknown as WorkerPool, batches };
}

const model = { name: "m", dir: "/m", kind: "text" } as ServedModel;
const never = new AbortController().signal;

test("batching: one input from each waiting request in turn, results in order, errors only for their request", async () => {
  const { pool, batches } = fakePool(1);
  const b = new Batcher(pool, { maxBatch: 4, maxDelayMs: 0, queueInputs: 100, timeoutMs: 5000 }, new Metrics(() => 0));
  const first = b.predict(model, ["warm"], {}, never); // occupies the worker: the rest queue
  const big = b.predict(
    model,
    Array.from({ length: 10 }, (_, i) => `big${i}`),
    {},
    never,
  );
  const small = b.predict(model, ["small"], {}, never);
  const bad = b.predict(model, ["bad"], {}, never);
  const other = b.predict(model, ["opt"], { topK: 1 }, never);
  const order: string[] = [];
  small.then(() => order.push("small"));
  big.then(() => order.push("big"));
  assert.deepEqual((await first).predictions, ["WARM"]);
  assert.deepEqual((await small).predictions, ["SMALL"]);
  await assert.rejects(bad, /bad input/);
  assert.deepEqual(
    (await big).predictions,
    Array.from({ length: 10 }, (_, i) => `BIG${i}`),
  );
  assert.deepEqual((await other).text, ["opt"]);
  assert.deepEqual(order, ["small", "big"]);
  // The second batch took one input of each waiting request in turn (big, small, bad, big again),
  // laid out request by request; other options batch apart.
  assert.deepEqual(batches[1], ["big0", "big1", "small", "bad"]);
  assert.ok(batches.every((x) => x.length <= 4));
  assert.ok(batches.some((x) => x.length === 1 && x[0] === "opt"));
});

test("batching: a full queue is a 503, a late answer a 504, a client that leaves is dropped", async () => {
  const { pool, batches } = fakePool(1, 30);
  const b = new Batcher(pool, { maxBatch: 2, maxDelayMs: 0, queueInputs: 3, timeoutMs: 1000 }, new Metrics(() => 0));
  const running = b.predict(model, ["a"], {}, never);
  const queued = b.predict(model, ["b", "c"], {}, never);
  await assert.rejects(
    b.predict(model, ["d", "e"], {}, never),
    (e: Error & { status?: number }) => e.status === 503 && /queue is full/.test(e.message),
  );
  const leaving = new AbortController();
  const left = b.predict(model, ["gone"], {}, leaving.signal);
  leaving.abort();
  await assert.rejects(left, /client closed/);
  await running;
  await queued;
  assert.ok(!batches.flat().includes("gone"), "a request whose client left never reaches a worker");
  b.close();
  await assert.rejects(b.predict(model, ["late"], {}, never), /shutting down/);
  const slow = new Batcher(fakePool(1, 60).pool, { maxBatch: 2, maxDelayMs: 0, queueInputs: 9, timeoutMs: 20 }, new Metrics(() => 0));
  await assert.rejects(
    slow.predict(model, ["x"], {}, never),
    (e: Error & { status?: number }) => e.status === 504 && /no answer within 20 ms/.test(e.message),
  );
});

test("batching: with a delay, a lone request waits for its batch to fill, up to the delay", async () => {
  const { pool, batches } = fakePool(1, 1);
  const b = new Batcher(pool, { maxBatch: 3, maxDelayMs: 40, queueInputs: 100, timeoutMs: 5000 }, new Metrics(() => 0));
  const t0 = performance.now();
  const one = b.predict(model, ["a"], {}, never);
  await new Promise((r) => setTimeout(r, 10));
  const two = b.predict(model, ["b"], {}, never);
  await Promise.all([one, two]);
  assert.ok(performance.now() - t0 >= 35);
  assert.deepEqual(batches, [["a", "b"]]);
  const full = Promise.all([b.predict(model, ["c"], {}, never), b.predict(model, ["d", "e"], {}, never)]);
  const t1 = performance.now();
  await full;
  assert.ok(performance.now() - t1 < 35, "a full batch goes at once");
});

test("JSON depth is measured without recursion, strings excluded", () => {
  assert.equal(jsonDepth('{"a": [1, {"b": "[[[["}]}'), 3);
  assert.equal(jsonDepth('"\\"[["'), 0);
  assert.equal(jsonDepth("[".repeat(1_000_000), 10), 11);
  assert.throws(() => parseJsonBody("[".repeat(1_000_000), 16), /nested deeper than 16/);
  assert.throws(() => parseJsonBody("{", 16), /malformed JSON/);
});

test("tokens: constant-time digests, the caller named by position, never by token", () => {
  const auth = new TokenAuth(["a".repeat(20), "b".repeat(20)]);
  assert.equal(auth.check(`Bearer ${"b".repeat(20)}`), "token-2");
  assert.equal(auth.check(`bearer   ${"a".repeat(20)} `), "token-1");
  for (const h of [undefined, "", "Bearer", `Basic ${"a".repeat(20)}`, `Bearer ${"a".repeat(19)}`, `Bearer ${"a".repeat(20)} x`])
    assert.throws(
      () => auth.check(h),
      (e: Error & { status?: number }) => e.status === 401,
    );
});

test("rate limits: a burst, then one request per 1/rate seconds, per caller", () => {
  const r = new RateLimiter(2, 2);
  r.take("a", 0);
  r.take("a", 1);
  assert.throws(
    () => r.take("a", 2),
    (e: Error & { status?: number; headers?: Record<string, string> }) => e.status === 429 && e.headers?.["retry-after"] === "1",
  );
  r.take("b", 2);
  r.take("a", 600);
});

test("Host and Origin", () => {
  assert.equal(hostNameOf("LocalHost:8080"), "localhost");
  assert.equal(hostNameOf("[::1]:80"), "::1");
  assert.equal(hostNameOf("127.0.0.1"), "127.0.0.1");
  const g = new Guard({ host: "127.0.0.1" });
  assert.deepEqual(g.check("localhost:1", undefined), {});
  assert.throws(() => g.check("evil.example:8080", undefined), /does not answer to Host/);
  assert.throws(() => g.check("localhost", "http://localhost:3000"), /CORS is off/);
  const open = new Guard({ host: "0.0.0.0", corsOrigins: ["https://app.example"] });
  assert.deepEqual(open.check("anything.example", undefined), {});
  assert.equal(open.check("x", "https://app.example")["access-control-allow-origin"], "https://app.example");
  assert.throws(() => open.check("x", "https://evil.example"), /refused/);
});
