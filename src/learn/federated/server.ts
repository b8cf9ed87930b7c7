// The federated server: an HTTP(S) service (Fastify, an optional peer) that runs R rounds.
// Each round it samples K of the N clients (one per bearer token, seeded), serves them the
// global model, and collects their updates until all K answered or the deadline passes; a
// round closes with ≥ M updates, otherwise it samples more clients and waits again. Updates
// are checked (wire.ts) and a bad one is refused with its reason while the round goes on.
// After each round the model, the strategy's state and the history are checkpointed
// atomically, and a restarted server resumes from there. Auth, rate limits, Host/Origin
// checks and error answers are `flambeau serve`'s own (src/serve).
//
// Routes (all but /health need `Authorization: Bearer <token>`):
//   GET  /v1/round   {round, rounds, status: "selected" | "wait" | "done", config}
//   GET  /v1/model   the global model: gzip safetensors, metadata {round}
//   POST /v1/update  the client's weights: gzip safetensors, metadata {round, examples}
// With `secure`, updates go through secure aggregation instead (secagg-round.ts); the round's
// status names the client's next step and /v1/update is refused:
//   POST /v1/secagg/keys    {round, publicKey}           (status "advertise")
//   GET  /v1/secagg/peers   {round, peers, threshold}    (status "share": U1)
//   POST /v1/secagg/shares  {round, shares}              (sealed to each peer)
//   GET  /v1/secagg/inbox   {peers, threshold, shares}   (status "upload": U2, shares sealed to me)
//   POST /v1/secagg/masked?round=r  little-endian uint32 words [masked wΔ, w]
//   POST /v1/secagg/unmask  {round, shares}              (status "unmask": shares of the dropped)

import { existsSync, readFileSync, unwatchFile, watchFile } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { FlambeauError } from "../../core/errors.js";
import { importOptional } from "../../core/optional.js";
import { mulberry32 } from "../../data/random.js";
import { TokenAuth } from "../../http/auth.js";
import { HttpError, httpErrorOf } from "../../http/errors.js";
import { Guard } from "../../http/guard.js";
import { RateLimiter } from "../../http/rate-limit.js";
import { writeAll, writeAtomic } from "../../io/atomic.js";
import type { DpOptions } from "../../train/privacy/gaussian.js";
import { aggregateDeltas, type ClientUpdate } from "./aggregate.js";
import { SecureRound } from "./secagg-round.js";
import { sampleClients } from "./simulation.js";
import type { Strategy } from "./strategy.js";
import type { Layout } from "./weights.js";
import { decodeWeights, encodeWeights, UpdateRejected } from "./wire.js";

export interface RoundRecord {
  round: number;
  clients: string[];
  /** Test accuracy after the round (when the server has an `evaluate`). */
  accuracy?: number;
  rejected: { client: string; reason: string }[];
  seconds: number;
}

export interface FederatedServerOptions {
  layout: Layout;
  initial: Float32Array;
  strategy: Strategy;
  rounds: number;
  clientsPerRound: number;
  minClients: number;
  /** How long a round waits for its clients (default 60 s). */
  deadlineMs?: number;
  /** Secure rounds: how long each step after the key advertisement waits (default: deadlineMs). */
  phaseDeadlineMs?: number;
  /** One bearer token per client (at least 16 characters). */
  tokens: readonly string[];
  /** A file of revoked tokens (one a line), re-read when it changes: their requests get 403. */
  revokedFile?: string;
  /** What the clients run locally. */
  local: { epochs: number; batchSize: number; lr: number };
  dp?: DpOptions;
  /** Where the per-round checkpoint lives (and is resumed from). */
  checkpointDir: string;
  tls?: { cert: string | Buffer; key: string | Buffer };
  port?: number;
  host?: string;
  /** Requests per second per client (default 20). */
  rateLimit?: number;
  evaluate?: (weights: Float32Array) => number;
  /** Secure aggregation: the server sees masked updates and their sum only. */
  secure?: boolean;
  /** Observes secure rounds (tests: what the server holds, when a phase opens). */
  onSecure?: (event: { round: number; phase: string; masked?: ReadonlyMap<number, Uint32Array> }) => void;
  seed?: number;
  log?: (line: string) => void;
}

export interface RunningFederatedServer {
  readonly port: number;
  readonly url: string;
  /** Resolves with the history when the last round closed. */
  readonly finished: Promise<RoundRecord[]>;
  readonly round: () => number;
  close(): Promise<void>;
}

const CHECKPOINT = "federated.safetensors";

interface Checkpoint {
  round: number;
  global: Float32Array;
  history: RoundRecord[];
  strategy: Record<string, Float32Array>;
}

async function loadCheckpoint(dir: string, layout: Layout): Promise<Checkpoint | undefined> {
  const path = join(dir, CHECKPOINT);
  if (!existsSync(path)) return undefined;
  const { weights, metadata } = decodeWeights(await readFile(path), layout);
  const strategy: Record<string, Float32Array> = {};
  for (const k of JSON.parse(metadata.strategyKeys ?? "[]") as string[]) {
    const b = Buffer.from(metadata[`strategy.${k}`] ?? "", "base64");
    strategy[k] = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  return { round: Number(metadata.round), global: weights, history: JSON.parse(metadata.history ?? "[]"), strategy };
}

async function saveCheckpoint(dir: string, layout: Layout, c: Checkpoint): Promise<void> {
  const meta: Record<string, string> = {
    round: String(c.round),
    history: JSON.stringify(c.history),
    strategyKeys: JSON.stringify(Object.keys(c.strategy)),
  };
  // Server optimizer state is small next to the model for the models served here; base64 in
  // the header keeps one file, written atomically, as the unit of resumption.
  for (const [k, v] of Object.entries(c.strategy))
    meta[`strategy.${k}`] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
  const body = encodeWeights(layout, c.global, meta);
  await writeAtomic("federated server", join(dir, CHECKPOINT), (fh) => writeAll(fh, [body]));
}

export async function startFederatedServer(o: FederatedServerOptions): Promise<RunningFederatedServer> {
  const n = o.tokens.length;
  if (!(Number.isInteger(o.clientsPerRound) && o.clientsPerRound >= 1 && o.clientsPerRound <= n))
    throw new FlambeauError(
      "E_ARG",
      `federate server: --clients-per-round must be in [1, ${n}] (one client per token), got ${o.clientsPerRound}`,
    );
  if (!(Number.isInteger(o.minClients) && o.minClients >= 1 && o.minClients <= o.clientsPerRound))
    throw new FlambeauError("E_ARG", `federate server: --min-clients must be in [1, ${o.clientsPerRound}], got ${o.minClients}`);
  if (o.secure && o.dp)
    throw new FlambeauError("E_ARG", "federate server: secure aggregation with client-level DP over HTTP is not built yet");
  if (o.secure && o.minClients < 2)
    throw new FlambeauError(
      "E_ARG",
      `federate server: secure aggregation needs --min-clients ≥ 2 (one update alone is not hidden), got ${o.minClients}`,
    );
  const log = o.log ?? (() => {});
  const deadlineMs = o.deadlineMs ?? 60_000;
  const auth = new TokenAuth(o.tokens);
  const limiter = new RateLimiter(o.rateLimit ?? 20, 40);
  // Revocation: a token listed in the revoked file still authenticates (so its identity is
  // known and logged) but is refused; the file is watched, so no restart is needed.
  let revoked: TokenAuth | undefined;
  const readRevoked = () => {
    const f = o.revokedFile;
    if (!f) return;
    const list = existsSync(f)
      ? readFileSync(f, "utf8")
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== "" && !l.startsWith("#"))
      : [];
    revoked = list.length ? new TokenAuth(list) : undefined;
    log(`revoked tokens: ${list.length}`);
  };
  readRevoked();
  if (o.revokedFile) watchFile(o.revokedFile, { interval: 250 }, readRevoked);
  const host = o.host ?? "127.0.0.1";
  const guard = new Guard({ host });
  await mkdir(o.checkpointDir, { recursive: true });

  const resumed = await loadCheckpoint(o.checkpointDir, o.layout);
  let round = resumed?.round ?? 0;
  let global = resumed?.global ?? o.initial;
  const history: RoundRecord[] = resumed?.history ?? [];
  if (resumed) {
    o.strategy.loadState(resumed.strategy);
    log(`resumed from ${join(o.checkpointDir, CHECKPOINT)} at round ${round + 1}/${o.rounds}`);
  }
  let modelBody = encodeWeights(o.layout, global, { round: String(round) });
  const bodyLimit = 2 * modelBody.length + 2 * o.layout.reduce((a, e) => a + e.shape.reduce((x, y) => x * y, 1), 0) * 4 + 65_536;
  const clientIds = Array.from({ length: n }, (_, i) => `token-${i + 1}`);
  const modelSize = o.layout.reduce((a, e) => a + e.shape.reduce((x, y) => x * y, 1), 0);
  let secure: SecureRound | undefined;
  const numericId = (c: string) => Number(c.slice(6));
  let selected = new Set<string>();
  let received = new Map<string, ClientUpdate>();
  let rejected: { client: string; reason: string }[] = [];
  let attempt = 0;
  let roundStart = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let resolveFinished!: (h: RoundRecord[]) => void;
  const finished = new Promise<RoundRecord[]>((r) => (resolveFinished = r));
  let closing = false;

  const sample = (exclude: ReadonlySet<string>): string[] => {
    const rand = mulberry32((o.seed ?? 0) * 1_000_003 + round * 101 + attempt);
    const pool = clientIds.filter((c) => !exclude.has(c));
    return sampleClients(pool.length, Math.min(pool.length, o.clientsPerRound - exclude.size), rand).map((i) => pool[i]!);
  };
  const openRound = () => {
    attempt = 0;
    received = new Map();
    rejected = [];
    selected = new Set(sample(new Set()));
    roundStart = performance.now();
    log(`round ${round + 1}/${o.rounds}: selected ${[...selected].join(", ")}`);
    if (o.secure) openSecure();
    armDeadline();
  };
  const openSecure = () => {
    secure = new SecureRound(round, new Set([...selected].map(numericId)), modelSize + 1, o.minClients);
    o.onSecure?.({ round, phase: "advertise" });
  };
  // Moves a secure round to its next phase (all answered, or the deadline passed); a phase
  // short of clients starts the round over with a fresh sample and fresh keys.
  const advanceSecure = async () => {
    const s = secure!;
    try {
      if (s.phase === "advertise") s.closeAdvertise();
      else if (s.phase === "share") s.closeShare();
      else if (s.phase === "upload") s.closeUpload();
      else if (s.phase === "unmask") s.closeUnmask();
    } catch (e) {
      if (!(e instanceof FlambeauError)) throw e;
      attempt++;
      selected = new Set(sample(new Set()));
      log(`round ${round + 1}: ${e.message}; starting over with ${[...selected].join(", ")}`);
      openSecure();
      return armDeadline();
    }
    log(
      `round ${round + 1}: secure aggregation ${s.phase === "ready" ? "has every share it needs" : `moves to ${s.phase}`}${s.phase === "unmask" ? ` (dropped: ${s.dropped.map((d) => `token-${d}`).join(", ")})` : ""}`,
    );
    o.onSecure?.({ round, phase: s.phase, masked: s.masked });
    if (s.phase === "ready") return closeRound();
    armDeadline();
  };
  const armDeadline = () => {
    clearTimeout(timer);
    // Once its keys are out a secure round's clients are live, and each later step is quick.
    timer = setTimeout(onDeadline, secure && secure.phase !== "advertise" ? (o.phaseDeadlineMs ?? deadlineMs) : deadlineMs);
  };
  const onDeadline = () => {
    if (secure) return void advanceSecure();
    if (received.size >= o.minClients) return void closeRound();
    // Too few answered: keep what arrived, sample replacements for the silent ones.
    attempt++;
    const kept = new Set(received.keys());
    selected = new Set([...kept, ...sample(kept)]);
    log(
      `round ${round + 1}: ${received.size} of ${o.minClients} needed updates by the deadline; now waiting for ${[...selected].join(", ")}`,
    );
    armDeadline();
  };
  let aggregating = false;
  const closeRound = async () => {
    if (aggregating) return;
    aggregating = true;
    clearTimeout(timer);
    try {
      await aggregate();
    } finally {
      aggregating = false;
    }
    if (round >= o.rounds) resolveFinished(history);
    else if (!closing) openRound();
  };
  const aggregate = async () => {
    const updates = [...received.values()];
    const delta = secure ? secure.mean() : aggregateDeltas(global, updates, { dp: o.dp, sampled: o.clientsPerRound, round });
    const contributors = secure ? [...secure.masked.keys()].map((id) => `token-${id}`) : [...received.keys()];
    secure = undefined;
    global = o.strategy.step(global, delta);
    const accuracy = o.evaluate?.(global);
    history.push({
      round: round + 1,
      clients: contributors,
      ...(accuracy !== undefined ? { accuracy } : {}),
      rejected,
      seconds: (performance.now() - roundStart) / 1000,
    });
    round++;
    selected = new Set();
    await saveCheckpoint(o.checkpointDir, o.layout, { round, global, history, strategy: o.strategy.state() });
    modelBody = encodeWeights(o.layout, global, { round: String(round) });
    log(
      `round ${round}/${o.rounds} closed with ${contributors.length} updates${accuracy !== undefined ? `, test accuracy ${(accuracy * 100).toFixed(2)} %` : ""}`,
    );
  };

  const { default: Fastify } = await importOptional<typeof import("fastify")>("fastify", "the federated server", "federate");
  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit,
    ...(o.tls ? { https: { cert: o.tls.cert, key: o.tls.key } } : {}),
    requestTimeout: 120_000,
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new HttpError(400, "malformed", "the body is not JSON"), undefined);
    }
  });
  app.addHook("onRequest", async (req) => {
    guard.check(req.headers.host, req.headers.origin);
    if (req.url === "/health") return;
    const caller = auth.check(req.headers.authorization);
    let isRevoked = false;
    try {
      revoked?.check(req.headers.authorization);
      isRevoked = revoked !== undefined;
    } catch {}
    if (isRevoked) throw new HttpError(403, "revoked", `${caller}'s token has been revoked`);
    limiter.take(caller);
    (req as unknown as { caller: string }).caller = caller;
  });
  app.setErrorHandler(async (e, _req, reply) => {
    const h =
      e instanceof UpdateRejected ? new HttpError(e.reason === "oversized" ? 413 : 400, e.reason, e.message) : httpErrorOf(e, bodyLimit);
    if (h.status === 413) reply.header("connection", "close");
    return reply.code(h.status).headers(h.headers).send({ error: h.message, code: h.code });
  });
  const callerOf = (req: unknown) => (req as { caller: string }).caller;
  app.get("/health", async () => ({ status: "ok", round, rounds: o.rounds }));
  app.get("/v1/round", async (req) => {
    const c = callerOf(req);
    const status =
      round >= o.rounds ? "done" : secure ? secure.statusOf(numericId(c)) : selected.has(c) && !received.has(c) ? "selected" : "wait";
    return {
      round,
      rounds: o.rounds,
      status,
      config: { ...o.local, mu: o.strategy.clientConfig.mu, ...(o.secure ? { secure: true } : {}) },
      ...(secure ? { secure: { id: numericId(c), dropped: status === "unmask" ? secure.dropped : [] } } : {}),
    };
  });
  // The secure routes: each checks the round and the caller's expected step, then moves the
  // round on when the last expected client has answered.
  const secureRound = (r: unknown): SecureRound => {
    if (!secure) throw new HttpError(409, "not_secure", "this server runs no secure-aggregation round now");
    if (Number(r) !== secure.round) throw new HttpError(409, "not_selected", `this is round ${secure.round + 1}, not ${Number(r) + 1}`);
    return secure;
  };
  const bodyOf = (req: { body: unknown }) => (req.body ?? {}) as Record<string, unknown>;
  app.post("/v1/secagg/keys", async (req, reply) => {
    const b = bodyOf(req);
    if (secureRound(b.round).advertise(numericId(callerOf(req)), b.publicKey)) await advanceSecure();
    return reply.code(202).send({ accepted: true });
  });
  app.get("/v1/secagg/peers", async (req) => {
    const s = secureRound((req.query as { round?: string }).round);
    if (s.statusOf(numericId(callerOf(req))) !== "share")
      throw new HttpError(409, "not_selected", "the key list is for U1 in the share phase");
    return {
      round: s.round,
      threshold: s.threshold,
      peers: s.peers.map((p) => ({ id: p.id, publicKey: Buffer.from(p.publicKey).toString("base64") })),
    };
  });
  app.post("/v1/secagg/shares", async (req, reply) => {
    const b = bodyOf(req);
    if (secureRound(b.round).share(numericId(callerOf(req)), b.shares)) await advanceSecure();
    return reply.code(202).send({ accepted: true });
  });
  app.get("/v1/secagg/inbox", async (req) => secureRound((req.query as { round?: string }).round).inbox(numericId(callerOf(req))));
  app.post("/v1/secagg/masked", async (req, reply) => {
    if (!Buffer.isBuffer(req.body)) throw new HttpError(415, "unsupported_media_type", "send the masked words as application/octet-stream");
    if (secureRound((req.query as { round?: string }).round).upload(numericId(callerOf(req)), req.body)) await advanceSecure();
    return reply.code(202).send({ accepted: true });
  });
  app.post("/v1/secagg/unmask", async (req, reply) => {
    const b = bodyOf(req);
    if (secureRound(b.round).unmask(numericId(callerOf(req)), b.shares)) await advanceSecure();
    return reply.code(202).send({ accepted: true });
  });
  app.get("/v1/model", async (_req, reply) => reply.type("application/octet-stream").send(modelBody));
  app.post("/v1/update", async (req, reply) => {
    const c = callerOf(req);
    if (o.secure) throw new HttpError(409, "secure_only", "this server aggregates securely: send masked updates to /v1/secagg/masked");
    if (!Buffer.isBuffer(req.body)) throw new HttpError(415, "unsupported_media_type", "send the update as application/octet-stream");
    let decoded: ReturnType<typeof decodeWeights>;
    try {
      decoded = decodeWeights(req.body, o.layout);
    } catch (e) {
      if (e instanceof UpdateRejected) {
        rejected.push({ client: c, reason: e.reason });
        log(`round ${round + 1}: refused ${c}'s update: ${e.message}`);
      }
      throw e;
    }
    const r = Number(decoded.metadata.round);
    const examples = Number(decoded.metadata.examples);
    if (r !== round || !selected.has(c))
      throw new HttpError(409, "not_selected", `${c} is not selected for round ${round + 1} (the update is for round ${r + 1})`);
    if (received.has(c)) throw new HttpError(409, "duplicate", `${c} already sent its update for round ${round + 1}`);
    if (!(Number.isInteger(examples) && examples >= 1 && examples <= 1e8))
      throw new HttpError(400, "malformed", `metadata "examples" must be an integer in [1, 1e8], got ${decoded.metadata.examples}`);
    received.set(c, { id: Number(c.slice(6)), weights: decoded.weights, examples });
    if (received.size >= selected.size) await closeRound();
    return reply.code(202).send({ accepted: true, round: r });
  });

  await app.listen({ port: o.port ?? 8443, host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (o.port ?? 8443);
  if (round >= o.rounds) resolveFinished(history);
  else openRound();
  return {
    port,
    url: `${o.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`,
    finished,
    round: () => round,
    async close() {
      closing = true;
      clearTimeout(timer);
      if (o.revokedFile) unwatchFile(o.revokedFile, readRevoked);
      await app.close();
    },
  };
}
