// A client's side of a secure round over HTTP (secagg-round.ts has the server's): one step
// per status the server names. Its key pair lives for one attempt at a round; a client
// that restarts mid-round has lost it and is simply counted as dropped.

import { FlambeauError } from "../../core/errors.js";
import { type Advertised, SecAggClient } from "./secagg.js";
import { EXAMPLE_UNIT, type SecureStatus } from "./secagg-round.js";
import { openShare, sealShare } from "./secagg-seal.js";

export interface SecureHttp {
  get(path: string): Promise<unknown>;
  post(path: string, body: unknown): Promise<void>;
}

/** What the client trains when it is its turn to upload: the global model and its new weights. */
export type Train = () => Promise<{ global: Float32Array; weights: Float32Array; examples: number }>;

const peersOf = (list: { id: number; publicKey: string }[]): Advertised[] =>
  list.map((p) => ({ id: p.id, publicKey: Buffer.from(p.publicKey, "base64") }));

export class SecureSession {
  #agg?: SecAggClient;
  #u2: Advertised[] = [];
  #inbox = new Map<number, string>();

  /** Does what `status` asks in `round`; returns true when it uploaded its masked update. */
  async step(status: SecureStatus, round: number, me: { id: number; dropped: number[] }, http: SecureHttp, train: Train): Promise<boolean> {
    if (status === "advertise") {
      this.#agg = new SecAggClient(me.id, round);
      await http.post("/v1/secagg/keys", { round, publicKey: this.#agg.publicKey.toString("base64") });
      return false;
    }
    const agg = this.#agg;
    if (!agg || agg.round !== round)
      throw new FlambeauError("E_STATE", `federate client: asked to ${status} in round ${round + 1} without a key for it`);
    if (status === "share") {
      const { peers: raw, threshold } = (await http.get(`/v1/secagg/peers?round=${round}`)) as {
        peers: { id: number; publicKey: string }[];
        threshold: number;
      };
      const peers = peersOf(raw);
      const shares = agg.shareKey(peers, threshold);
      const sealed: Record<string, string> = {};
      for (const p of peers) if (p.id !== me.id) sealed[p.id] = sealShare(agg.agree(p.publicKey), round, me.id, p.id, shares.get(p.id)!);
      await http.post("/v1/secagg/shares", { round, shares: sealed });
      return false;
    }
    if (status === "upload") {
      const box = (await http.get(`/v1/secagg/inbox?round=${round}`)) as {
        peers: { id: number; publicKey: string }[];
        shares: Record<string, string>;
      };
      this.#u2 = peersOf(box.peers);
      this.#inbox = new Map(Object.entries(box.shares).map(([k, v]) => [Number(k), v]));
      const r = await train();
      const w = r.examples / EXAMPLE_UNIT;
      const v = new Float32Array(r.weights.length + 1);
      for (let i = 0; i < r.weights.length; i++) v[i] = (r.weights[i]! - r.global[i]!) * w;
      v[r.weights.length] = w;
      const words = agg.mask(v, this.#u2);
      await http.post(`/v1/secagg/masked?round=${round}`, Buffer.from(words.buffer, words.byteOffset, words.byteLength));
      return true;
    }
    if (status === "unmask") {
      const out: Record<string, { x: number; y: string }> = {};
      for (const d of me.dropped) {
        const owner = this.#u2.find((p) => p.id === d);
        const sealed = this.#inbox.get(d);
        if (!owner || !sealed) throw new FlambeauError("E_STATE", `federate client: holds no share of client ${d}'s key`);
        const s = openShare(agg.agree(owner.publicKey), round, d, me.id, sealed);
        out[d] = { x: s.x, y: s.y.toString(16) };
      }
      await http.post("/v1/secagg/unmask", { round, shares: out });
    }
    return false;
  }
}
