// Secure aggregation over HTTP: an in-process server (so the test can see what it holds)
// and three clients in separate processes (`flambeau federate client`) on opencv-doc's
// digits. The aggregate equals plain FedAvg's — computed here by running each client's
// local update in this process — up to the fixed point's rounding; a client killed right
// after the key exchange is recovered from the survivors' shares (the aggregate is then
// FedAvg over the two survivors); and the masked words the server holds of one client
// pass a uniformity test that the same update unmasked fails by a wide margin.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { federatedClientArgs } from "../helpers/federated-client.js";

const { federated: fed, continual } = fl.learn;
const bin = new URL("../../../bin/flambeau.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "fl-secagg-"));
const tokens = [1, 2, 3].map((i) => `secagg-token-${i}-${"y".repeat(12)}`);
const SEED = 1;
const LOCAL = { epochs: 1, batchSize: 50, lr: 0.1 };
const mlp = () =>
  new fl.nn.Sequential(new fl.nn.Linear(400, 16), new fl.nn.ReLU(), new fl.nn.Linear(16, 16), new fl.nn.ReLU(), new fl.nn.Linear(16, 10));

fl.setNumThreads(1);
fl.manualSeed(7);
const model = mlp();
const layout = fed.layoutOf(model);
const initial = fed.flatten(model, layout);

// Each client's round-1 weights, as `federate client --clients 3 --client-index i --seed 1` computes them.
const data = await continual.loadContinualData("digits");
const parts = fed.partition("iid", Array.from(data.train.y.data() as BigInt64Array, Number), { clients: 3, seed: SEED });
const local = parts.map((idx, i) => {
  const t = fl.tensor(idx, { dtype: "int64" });
  const d = { x: data.train.x.indexSelect(0, t), y: data.train.y.indexSelect(0, t) };
  return fed.localUpdate(mlp(), layout, initial, d, { ...LOCAL, mu: 0, seed: (SEED + i) * 1009 });
});
const fedAvg = (who: number[]) => {
  const n = who.reduce((a, i) => a + local[i]!.examples, 0);
  return initial.map((_, j) => who.reduce((a, i) => a + local[i]!.examples * local[i]!.weights[j]!, 0) / n);
};

const startClient = (i: number): ChildProcess =>
  spawn(
    process.execPath,
    [
      bin,
      "federate",
      ...federatedClientArgs({
        common: ["--data", "digits", "--hidden", "16", "--seed", String(SEED)],
        server: url,
        token: tokens[i]!,
        clients: 3,
        index: i,
      }),
    ],
    { stdio: "ignore" },
  );
let url = "";

async function secureRound(
  name: string,
  onSecure: (e: { phase: string; masked?: ReadonlyMap<number, Uint32Array> }, clients: ChildProcess[]) => void,
) {
  const log: string[] = [];
  let clients: ChildProcess[] = [];
  const s = await fed.startFederatedServer({
    layout,
    initial,
    strategy: fed.makeStrategy("fedavg"),
    rounds: 1,
    clientsPerRound: 3,
    minClients: 2,
    // Waiting for three processes to start on a loaded machine; the steps after are quick.
    deadlineMs: 60_000,
    phaseDeadlineMs: 4_000,
    tokens,
    local: LOCAL,
    secure: true,
    onSecure: (e) => onSecure(e, clients),
    checkpointDir: join(dir, name),
    port: 0,
    log: (l) => log.push(l),
  });
  url = s.url;
  clients = [0, 1, 2].map(startClient);
  try {
    const history = await s.finished;
    const body = await fetch(`${s.url}/v1/model`, { headers: { authorization: `Bearer ${tokens[0]}` } });
    return { history, weights: fed.decodeWeights(Buffer.from(await body.arrayBuffer()), layout).weights, log };
  } finally {
    await s.close();
    for (const c of clients) c.kill("SIGKILL");
  }
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

// Pearson's χ² of the top bytes against uniform (255 degrees of freedom: mean 255, sd 22.6).
const chiSquareTopByte = (w: Uint32Array) => {
  const bins = new Float64Array(256);
  for (const x of w) bins[x >>> 24]!++;
  const e = w.length / 256;
  return bins.reduce((a, o) => a + (o - e) ** 2 / e, 0);
};

test("secure aggregation over HTTP: FedAvg's aggregate, and the server's view of an upload looks uniform", async (t) => {
  let held: Uint32Array | undefined;
  const r = await secureRound("all", (e) => {
    if (e.phase === "ready") held = e.masked!.get(1)!.slice();
  });
  assert.deepEqual(r.history[0]!.clients.sort(), ["token-1", "token-2", "token-3"], r.log.join("\n"));
  const d = maxDiff(r.weights, fedAvg([0, 1, 2]));
  assert.ok(d < 1e-4, `secure vs plain FedAvg: max |Δ| ${d}`);
  assert.ok(held && held.length === initial.length + 1);
  const chi = chiSquareTopByte(held);
  t.diagnostic(`max |secure − FedAvg| ${d.toExponential(2)}; χ²(255) of the held words' top bytes ${chi.toFixed(1)}`);
  assert.ok(chi < 255 + 6 * 22.6, `χ² of the masked words' top bytes: ${chi}`);
  // Bit balance: each of the 32 bit positions is set about half the time (sd 0.5/√n).
  for (let b = 0; b < 32; b++) {
    let ones = 0;
    for (const x of held) ones += (x >>> b) & 1;
    assert.ok(Math.abs(ones / held.length - 0.5) < 6 * (0.5 / Math.sqrt(held.length)), `bit ${b}: ${ones}/${held.length}`);
  }
  // The same client's update without masks is far from uniform (the test has power).
  const w = local[0]!.examples / fed.EXAMPLE_UNIT;
  const v = Float32Array.from({ length: initial.length + 1 }, (_, j) =>
    j < initial.length ? (local[0]!.weights[j]! - initial[j]!) * w : w,
  );
  const plainChi = chiSquareTopByte(fed.encodeFixed(v, 3));
  t.diagnostic(`χ² of the same update unmasked: ${plainChi.toFixed(0)}`);
  assert.ok(plainChi > 10_000);
});

test("secure aggregation over HTTP: a client killed after the key exchange is recovered from the survivors' shares", async (t) => {
  let killed = false;
  const r = await secureRound("drop", (e, clients) => {
    // The upload step opens now: token-3 dies holding its key, its shares already out.
    if (e.phase === "upload" && !killed) {
      clients[2]!.kill("SIGKILL");
      killed = true;
    }
  });
  assert.ok(killed);
  assert.ok(
    r.log.some((l) => l.includes("dropped: token-3")),
    r.log.join("\n"),
  );
  assert.deepEqual(r.history[0]!.clients.sort(), ["token-1", "token-2"]);
  const d = maxDiff(r.weights, fedAvg([0, 1]));
  t.diagnostic(`max |recovered − FedAvg of the survivors| ${d.toExponential(2)}`);
  assert.ok(d < 1e-4, `recovered vs FedAvg of the survivors: max |Δ| ${d}`);
});

test("sealed shares open only for their holder, round and owner", () => {
  const a = new fed.SecAggClient(1, 0);
  const b = new fed.SecAggClient(2, 0);
  const c = new fed.SecAggClient(3, 0);
  const share = { x: 2, y: 123456789n };
  const sealed = fed.sealShare(a.agree(b.publicKey), 0, 1, 2, share);
  assert.deepEqual(fed.openShare(b.agree(a.publicKey), 0, 1, 2, sealed), share);
  assert.throws(() => fed.openShare(c.agree(a.publicKey), 0, 1, 3, sealed), /does not authenticate/);
  assert.throws(() => fed.openShare(b.agree(a.publicKey), 1, 1, 2, sealed), /does not authenticate/);
  const bytes = Buffer.from(sealed, "base64");
  bytes[bytes.length - 1]! ^= 1;
  assert.throws(() => fed.openShare(b.agree(a.publicKey), 0, 1, 2, bytes.toString("base64")), /does not authenticate/);
});
