// The federated client: polls the server for its round, downloads the global model when it
// is selected, trains locally (local.ts) and uploads its weights. Network errors and 5xx
// answers (a server restarting) are retried with backoff; a refused update (4xx) is logged
// and the client waits for the next round. HTTPS with a server certificate the client
// trusts through `ca` (a self-signed one in tests). When the server aggregates securely
// (config.secure), the round's steps are secagg-client.ts's.

import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { FlambeauError } from "../../core/errors.js";
import { type Classifier, type LocalData, localUpdate } from "./local.js";
import { SecureSession } from "./secagg-client.js";
import type { SecureStatus } from "./secagg-round.js";
import { type Layout, layoutOf } from "./weights.js";
import { decodeWeights, encodeWeights } from "./wire.js";

export interface FederatedClientOptions {
  server: string;
  token: string;
  model: Classifier;
  data: LocalData;
  /** PEM of the certificate (or CA) the server presents. */
  ca?: string | Buffer;
  /** Poll interval while not selected (default 200 ms). */
  pollMs?: number;
  /** Give up after the server is unreachable this long (default 120 s). */
  giveUpMs?: number;
  seed?: number;
  log?: (line: string) => void;
}

interface Answer {
  status: number;
  body: Buffer;
}

function call(
  url: URL,
  o: FederatedClientOptions,
  method: "GET" | "POST",
  body?: Buffer,
  type = "application/octet-stream",
): Promise<Answer> {
  const req = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = req(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${o.token}`,
          ...(body ? { "content-type": type, "content-length": String(body.length) } : {}),
        },
        ...(o.ca ? { ca: o.ca } : {}),
        timeout: 120_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    r.on("timeout", () => r.destroy(new Error("timeout")));
    r.on("error", reject);
    r.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes part in rounds until the server says training is done; returns the rounds it trained. */
export async function runFederatedClient(o: FederatedClientOptions): Promise<number[]> {
  const log = o.log ?? (() => {});
  const layout: Layout = layoutOf(o.model);
  const base = new URL(o.server);
  const trained: number[] = [];
  let unreachableSince: number | undefined;
  // One call with retries: connection errors, 5xx and 429 wait and try again.
  const reliable = async (path: string, method: "GET" | "POST", body?: Buffer, type?: string): Promise<Answer> => {
    for (let wait = 200; ; wait = Math.min(wait * 2, 3000)) {
      try {
        const a = await call(new URL(path, base), o, method, body, type);
        if (a.status < 500 && a.status !== 429) {
          unreachableSince = undefined;
          return a;
        }
      } catch {}
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > (o.giveUpMs ?? 120_000))
        throw new FlambeauError("E_IO", `federate client: ${o.server} has not answered for ${(o.giveUpMs ?? 120_000) / 1000} s`);
      await sleep(wait);
    }
  };
  const session = new SecureSession();
  // A refused secure step (4xx: a phase closed under it) is logged; the next poll tells what now.
  const checked = (path: string, a: Answer): Answer => {
    if (a.status >= 400)
      throw new FlambeauError("E_IO", `federate client: ${path} answered ${a.status}: ${a.body.toString().slice(0, 300)}`);
    return a;
  };
  const http = {
    get: async (path: string) => JSON.parse(checked(path, await reliable(path, "GET")).body.toString()) as unknown,
    post: async (path: string, body: unknown) => {
      const raw = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      checked(path, await reliable(path, "POST", raw, Buffer.isBuffer(body) ? undefined : "application/json"));
    },
  };
  const fetchAndTrain = async () => {
    const m = await reliable("/v1/model", "GET");
    if (m.status !== 200) throw new FlambeauError("E_IO", `federate client: GET /v1/model answered ${m.status}`);
    const { weights, metadata } = decodeWeights(m.body, layout);
    return { weights, round: Number(metadata.round) };
  };
  for (;;) {
    const a = await reliable("/v1/round", "GET");
    if (a.status === 401) throw new FlambeauError("E_ARG", `federate client: the server refused the token (${a.body.toString()})`);
    const info = JSON.parse(a.body.toString()) as {
      round: number;
      rounds: number;
      status: string;
      config: { epochs: number; batchSize: number; lr: number; mu: number; secure?: boolean };
      secure?: { id: number; dropped: number[] };
    };
    if (info.status === "done") return trained;
    if (info.config.secure && info.secure && info.status !== "wait") {
      try {
        const uploaded = await session.step(info.status as SecureStatus, info.round, info.secure, http, async () => {
          const g = await fetchAndTrain();
          const r = localUpdate(o.model, layout, g.weights, o.data, { ...info.config, seed: (o.seed ?? 0) * 1009 + info.round });
          log(`round ${info.round + 1}: trained on ${r.examples} examples (loss ${r.loss.toFixed(3)}); uploading it masked`);
          return { global: g.weights, weights: r.weights, examples: r.examples };
        });
        if (uploaded) trained.push(info.round);
      } catch (e) {
        if (!(e instanceof FlambeauError) || e.code !== "E_IO") throw e;
        log(e.message);
      }
      continue;
    }
    if (info.status !== "selected") {
      await sleep(o.pollMs ?? 200);
      continue;
    }
    const { weights, round } = await fetchAndTrain();
    const r = localUpdate(o.model, layout, weights, o.data, { ...info.config, seed: (o.seed ?? 0) * 1009 + round });
    const up = await reliable(
      "/v1/update",
      "POST",
      encodeWeights(layout, r.weights, { round: String(round), examples: String(r.examples) }),
    );
    if (up.status === 202) trained.push(round);
    log(`round ${round + 1}: trained on ${r.examples} examples (loss ${r.loss.toFixed(3)}); server answered ${up.status}`);
  }
}
