// The federated service end to end, in separate processes over HTTPS (a self-signed
// certificate made with the openssl CLI; plain HTTP when openssl is missing): a server and
// three clients on opencv-doc's digits, plus this test posting garbage with a fourth token.
// Faults: garbage updates are refused with their reason while the round goes on; one client
// is killed after round 1; the server is killed after round 2 and restarted on the same
// port, resuming from its checkpoint. Training finishes all rounds and learns (3 rounds:
// above 3× chance).

import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import * as fl from "flambeau";
import { federatedClientArgs } from "../helpers/federated-client.js";

const { federated: fed } = fl.learn;
const bin = new URL("../../../bin/flambeau.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "fl-fed-"));
let tls = true;
try {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
} catch {
  tls = false;
}
const tokens = [1, 2, 3, 4].map((i) => `client-token-${i}-${"x".repeat(12)}`);
writeFileSync(join(dir, "tokens"), `${tokens.join("\n")}\n`);
const port = 20_000 + Math.floor(Math.random() * 20_000);
const url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
const common = ["--data", "digits", "--hidden", "16", "--seed", "1"];

function startServer(): { child: ChildProcess; log: string[]; stdout: string[] } {
  const args = [
    bin,
    "federate",
    "server",
    ...common,
    "--rounds",
    "3",
    "--clients-per-round",
    "3",
    "--min-clients",
    "2",
    "--deadline-s",
    "3",
  ];
  args.push(
    "--port",
    String(port),
    "--token-file",
    join(dir, "tokens"),
    "--checkpoint",
    join(dir, "ckpt"),
    "--json",
    "--lr",
    "0.1",
    "--local-epochs",
    "2",
  );
  if (tls) args.push("--cert", join(dir, "cert.pem"), "--key", join(dir, "key.pem"));
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  const stdout: string[] = [];
  child.stderr!.on("data", (b: Buffer) => log.push(...b.toString().split("\n").filter(Boolean)));
  child.stdout!.on("data", (b: Buffer) => stdout.push(b.toString()));
  return { child, log, stdout };
}

const startClient = (i: number): ChildProcess =>
  spawn(
    process.execPath,
    [
      bin,
      "federate",
      ...federatedClientArgs({
        common,
        server: url,
        token: tokens[i]!,
        clients: 3,
        index: i,
        extra: tls ? ["--ca", join(dir, "cert.pem")] : [],
      }),
    ],
    { stdio: "ignore" },
  );

const until = async (what: string, f: () => boolean, ms = 120_000) => {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

function post(body: Buffer): Promise<{ status: number; json: { code: string; error: string } }> {
  const req = tls ? request : httpRequest;
  return new Promise((resolve, reject) => {
    const r = req(
      `${url}/v1/update`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${tokens[3]}`, "content-type": "application/octet-stream" },
        ...(tls ? { ca: readFileSync(join(dir, "cert.pem")) } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString() || "{}") }));
      },
    );
    r.on("error", reject);
    r.end(body);
  });
}

test(`server and clients in separate processes over ${tls ? "HTTPS" : "HTTP (no openssl)"}: garbage refused, a client killed, the server restarted`, async () => {
  let server = startServer();
  await until("the server", () => server.log.some((l) => l.includes("listening on")));
  const clients = [0, 1, 2].map(startClient);
  try {
    // The model the server holds: 400 → 16 → 16 → 10, as --hidden 16 on digits.
    const model = new fl.nn.Sequential(
      new fl.nn.Linear(400, 16),
      new fl.nn.ReLU(),
      new fl.nn.Linear(16, 16),
      new fl.nn.ReLU(),
      new fl.nn.Linear(16, 10),
    );
    const layout = fed.layoutOf(model);
    const w = fed.flatten(model, layout);
    const meta = { round: "0", examples: "10" };
    const wrong = fed.encodeWeights([{ name: "0.weight", shape: [3, 3] }], new Float32Array(9), meta);
    assert.equal((await post(wrong)).json.code, "wrong_shape");
    const nan = w.slice();
    nan[5] = Number.NaN;
    const r = await post(fed.encodeWeights(layout, nan, meta));
    assert.equal(r.json.code, "not_finite", JSON.stringify(r.json));
    assert.match(r.json.error, /0\.weight\[5\] is NaN/);
    // 100× the model in zeros compresses to little and inflates past the limit.
    const huge = fed.encodeWeights([{ name: "0.weight", shape: [100 * w.length] }], new Float32Array(100 * w.length), meta);
    const h = await post(huge);
    assert.equal(h.status, 413);
    assert.equal(h.json.code, "oversized");
    // 100× the model in random bytes is refused by its size before it is read.
    const big = await post(gzipSync(Buffer.from(Float32Array.from({ length: 100 * w.length }, Math.random).buffer), { level: 0 }));
    assert.equal(big.status, 413);
    assert.equal((await post(Buffer.from("not a model at all"))).json.code, "malformed");

    await until("round 1", () => server.log.some((l) => l.startsWith("round 1/3 closed")));
    clients[2]!.kill("SIGKILL");
    await until("round 2", () => server.log.some((l) => l.startsWith("round 2/3 closed")));
    server.child.kill("SIGKILL");
    await new Promise((r) => server.child.once("exit", r));
    server = startServer();
    await until("the resumed server", () => server.log.some((l) => l.includes("resumed from")));
    assert.ok(
      server.log.some((l) => l.includes("at round 3/3")),
      server.log.join("\n"),
    );
    const code = await new Promise((r) => server.child.once("exit", r));
    assert.equal(code, 0, server.log.join("\n"));
    const history = JSON.parse(server.stdout.join("")) as { round: number; clients: string[]; accuracy?: number }[];
    assert.deepEqual(
      history.map((x) => x.round),
      [1, 2, 3],
    );
    assert.ok(history.every((x) => x.clients.length >= 2));
    // After the kill, rounds close with the two live clients (by the deadline).
    assert.ok(history.slice(1).every((x) => !x.clients.includes("token-3") || x.round === 2));
    assert.ok(history[2]!.accuracy! > 0.3, `accuracy after 3 rounds ${history[2]!.accuracy}`);
  } finally {
    for (const c of clients) c.kill("SIGKILL");
    server.child.kill("SIGKILL");
  }
});

test("in-process server: 401 without a token, 403 once revoked (no restart), 409 off-round, the round closes at its deadline", async () => {
  const model = new fl.nn.Sequential(new fl.nn.Linear(4, 3));
  const layout = fed.layoutOf(model);
  const w = fed.flatten(model, layout);
  const revokedFile = join(dir, "revoked");
  writeFileSync(revokedFile, "");
  const s = await fed.startFederatedServer({
    layout,
    initial: w,
    strategy: fed.makeStrategy("fedavg"),
    rounds: 1,
    clientsPerRound: 2,
    minClients: 1,
    deadlineMs: 3_000,
    tokens: tokens.slice(0, 2),
    revokedFile,
    local: { epochs: 1, batchSize: 4, lr: 0.1 },
    checkpointDir: join(dir, "inproc"),
    port: 0,
  });
  const call = (path: string, token?: string, body?: Buffer) =>
    fetch(`${s.url}${path}`, {
      method: body ? "POST" : "GET",
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/octet-stream" },
      body,
    });
  try {
    assert.equal((await call("/v1/round")).status, 401);
    assert.equal(((await (await call("/v1/round", tokens[0])).json()) as { status: string }).status, "selected");
    const off = await call("/v1/update", tokens[0], fed.encodeWeights(layout, w, { round: "5", examples: "3" }));
    assert.equal(off.status, 409);
    writeFileSync(revokedFile, `${tokens[1]}\n`);
    await until("revocation", () => false, 1200).catch(() => undefined);
    const r = await call("/v1/round", tokens[1]);
    assert.equal(r.status, 403);
    assert.equal(((await r.json()) as { code: string }).code, "revoked");
    const moved = w.map((x) => x + 1);
    assert.equal((await call("/v1/update", tokens[0], fed.encodeWeights(layout, moved, { round: "0", examples: "3" }))).status, 202);
    // Token 2 is revoked and never answers: the round closes by the deadline with 1 ≥ M update.
    const history = await s.finished;
    assert.deepEqual(history[0]!.clients, ["token-1"]);
    const after = fed.decodeWeights(Buffer.from(await (await call("/v1/model", tokens[0])).arrayBuffer()), layout).weights;
    assert.ok(after.every((x, i) => Math.abs(x - moved[i]!) < 1e-6));
  } finally {
    await s.close();
  }
});
