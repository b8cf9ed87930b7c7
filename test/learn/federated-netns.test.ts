// Federated clients on separate network namespaces, as test/train/distributed-netns.test.ts
// runs c10d: the server in one namespace, three clients each in its own, every client joined
// to the server's namespace by its own veth pair (so clients cannot reach each other, only
// the server). The server aggregates securely; after round 1 the third client's link is cut,
// and round 2 goes on with the two that remain (its advertisement step waits out the
// deadline, then closes with them). Needs root (CAP_SYS_ADMIN + NET_ADMIN); skips otherwise.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { federatedClientArgs } from "../helpers/federated-client.js";

const bin = new URL("../../../bin/flambeau.js", import.meta.url).pathname;
const tag = `ff${process.pid % 100000}`;
const SERVER_NS = `${tag}s`;
const CLIENTS = [0, 1, 2];
const clientNs = (i: number) => `${tag}c${i}`;
// veth ends: `${tag}s${i}` in the server's namespace, `${tag}v${i}` in client i's.
const serverDev = (i: number) => `${tag}s${i}`;
const clientDev = (i: number) => `${tag}v${i}`;
const subnet = 10 + (process.pid % 200);
const serverAddr = (i: number) => `10.${subnet}.${i + 1}.1`;
const clientAddr = (i: number) => `10.${subnet}.${i + 1}.2`;

const ip = (...args: string[]) => spawnSync("ip", args, { encoding: "utf8" });

function setUp(): string {
  const probe = ip("netns", "add", SERVER_NS);
  if (probe.status !== 0)
    return `cannot create network namespaces here (${(probe.stderr || probe.error?.message || "").trim()}); run as root`;
  const steps = [
    ["-n", SERVER_NS, "link", "set", "lo", "up"],
    ...CLIENTS.flatMap((i) => [
      ["netns", "add", clientNs(i)],
      ["link", "add", serverDev(i), "type", "veth", "peer", "name", clientDev(i)],
      ["link", "set", serverDev(i), "netns", SERVER_NS],
      ["link", "set", clientDev(i), "netns", clientNs(i)],
      ["-n", SERVER_NS, "addr", "add", `${serverAddr(i)}/24`, "dev", serverDev(i)],
      ["-n", clientNs(i), "addr", "add", `${clientAddr(i)}/24`, "dev", clientDev(i)],
      ["-n", SERVER_NS, "link", "set", serverDev(i), "up"],
      ["-n", clientNs(i), "link", "set", clientDev(i), "up"],
      ["-n", clientNs(i), "link", "set", "lo", "up"],
    ]),
  ];
  for (const s of steps) {
    const r = ip(...s);
    if (r.status !== 0) return `ip ${s.join(" ")} failed: ${r.stderr.trim()}`;
  }
  return "";
}

function tearDown(): void {
  for (const ns of [SERVER_NS, ...CLIENTS.map(clientNs)]) ip("netns", "del", ns);
}

const reason = process.getuid?.() === 0 ? "" : "needs root to create network namespaces";
describe("federated clients on separate network namespaces", { skip: reason || false }, () => {
  let skip = "";
  let dir = "";
  before(() => {
    skip = setUp();
    dir = mkdtempSync(join(tmpdir(), "flambeau-fed-netns-"));
  });
  after(() => {
    tearDown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("secure rounds across namespaces; a client cut off after round 1 leaves round 2 to the others", async (t) => {
    if (skip) {
      t.skip(skip);
      return;
    }
    const tokens = CLIENTS.map((i) => `netns-token-${i}-${"z".repeat(12)}`);
    writeFileSync(join(dir, "tokens"), `${tokens.join("\n")}\n`);
    const port = 29_600 + (process.pid % 300);
    const common = ["--data", "digits", "--hidden", "16", "--seed", "1"];
    const inNs = (ns: string, args: string[]) =>
      spawn("ip", ["netns", "exec", ns, process.execPath, bin, "federate", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const server = inNs(SERVER_NS, [
      "server",
      ...common,
      "--host",
      "0.0.0.0",
      "--port",
      String(port),
      "--token-file",
      join(dir, "tokens"),
      "--checkpoint",
      join(dir, "ckpt"),
      "--rounds",
      "2",
      "--clients-per-round",
      "3",
      "--min-clients",
      "2",
      "--deadline-s",
      "12",
      "--phase-deadline-s",
      "4",
      "--secure-aggregation",
      "--lr",
      "0.1",
      "--json",
    ]);
    const log: string[] = [];
    const out: string[] = [];
    server.stderr!.on("data", (b: Buffer) => log.push(...b.toString().split("\n").filter(Boolean)));
    server.stdout!.on("data", (b: Buffer) => out.push(b.toString()));
    const clients: ChildProcess[] = CLIENTS.map((i) =>
      inNs(
        clientNs(i),
        federatedClientArgs({ common, server: `http://${serverAddr(i)}:${port}`, token: tokens[i]!, clients: 3, index: i }),
      ),
    );
    // A safety net well past the expected ~45 s (a loaded machine), so a hang fails rather than blocks.
    const kill = setTimeout(() => server.kill("SIGKILL"), 100_000);
    try {
      const t0 = Date.now();
      while (!log.some((l) => l.startsWith("round 1/2 closed")) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
      assert.ok(
        log.some((l) => l.startsWith("round 1/2 closed with 3 updates")),
        log.join("\n"),
      );
      ip("-n", clientNs(2), "link", "set", clientDev(2), "down");
      const code = await new Promise((r) => server.once("exit", r));
      assert.equal(code, 0, log.join("\n"));
      const history = JSON.parse(out.join("")) as { round: number; clients: string[]; accuracy: number }[];
      assert.deepEqual(
        history.map((h) => h.clients.sort()),
        [
          ["token-1", "token-2", "token-3"],
          ["token-1", "token-2"],
        ],
      );
      t.diagnostic(`accuracy after rounds 1, 2: ${history.map((h) => h.accuracy.toFixed(3)).join(", ")}`);
    } finally {
      clearTimeout(kill);
      server.kill("SIGKILL");
      for (const c of clients) c.kill("SIGKILL");
    }
  });
});
