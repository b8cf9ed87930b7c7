// Secure aggregation (Bonawitz et al. 2017, simplified): each pair of clients agrees on a
// seed by X25519 key exchange; the seed is expanded (AES-256-CTR) into a mask over the ring
// Z/2³² of fixed-point numbers, which the lower-numbered client adds and the other
// subtracts. Every mask cancels in the sum, so the server decodes only Σ updates, exactly
// (fixed point: 2⁻¹⁶ resolution). Each client also Shamir-shares its private key among the
// round's clients; if a client drops out after the keys are out but before its masked update
// arrives, t survivors' shares rebuild its key and the server removes the masks it left in
// the survivors' updates.
//
// Threat model (what this does and does not give): an honest-but-curious server and up to
// t − 1 colluding clients learn nothing about one client's update beyond the sum. Omitted
// from the paper: self-masks (so a dropped client whose update arrives after recovery would
// be exposed — the server must refuse it, and does), signatures/consistency checks against
// an active server that lies about who dropped. Over HTTP (secagg-round.ts) the shares are
// sealed to their holders with the pairwise keys (secagg-seal.ts).

import {
  createCipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { FlambeauError } from "../../core/errors.js";
import { bigIntToBytes, bytesToBigInt, combineShares, type Share, splitSecret } from "./shamir.js";

/** Fixed-point scale: values are sent as round(x · 2^16) mod 2^32. */
export const FIXED_SCALE = 2 ** 16;
const RING = 2 ** 32;

// DER prefixes of X25519 keys, so raw 32-byte keys travel and rebuild as KeyObjects.
const PKCS8 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI = Buffer.from("302a300506032b656e032100", "hex");

export const rawPublic = (k: KeyObject): Buffer => (k.export({ format: "der", type: "spki" }) as Buffer).subarray(SPKI.length);
export const rawPrivate = (k: KeyObject): Buffer => (k.export({ format: "der", type: "pkcs8" }) as Buffer).subarray(PKCS8.length);
export const publicFromRaw = (b: Uint8Array): KeyObject => {
  if (b.length !== 32) throw new FlambeauError("E_ARG", `secagg: an X25519 public key is 32 bytes, got ${b.length}`, "secagg");
  return createPublicKey({ key: Buffer.concat([SPKI, b]), format: "der", type: "spki" });
};
export const privateFromRaw = (b: Uint8Array): KeyObject =>
  createPrivateKey({ key: Buffer.concat([PKCS8, b]), format: "der", type: "pkcs8" });

/** The pairwise mask of length n for a shared secret and round (AES-256-CTR keystream). */
export function expandMask(secret: Uint8Array, round: number, n: number): Uint32Array {
  const key = createHash("sha256").update(secret).update(`flambeau-secagg-round-${round}`).digest();
  const c = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const bytes = c.update(Buffer.alloc(n * 4));
  return new Uint32Array(bytes.buffer, bytes.byteOffset, n).slice();
}

/** x ↦ round(x·2^16) mod 2^32; refuses values the ring cannot hold for `clients` summands. */
export function encodeFixed(v: Float32Array, clients: number): Uint32Array {
  const limit = RING / 2 / FIXED_SCALE / clients;
  const out = new Uint32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!(Math.abs(x) < limit))
      throw new FlambeauError(
        "E_ARG",
        `secagg: value ${x} at ${i} is outside ±${limit} (the ring holds ${clients} such summands)`,
        "secagg",
      );
    out[i] = Math.round(x * FIXED_SCALE) >>> 0;
  }
  return out;
}

/** Ring elements back to signed reals. */
export function decodeFixed(u: Uint32Array): Float64Array {
  const out = new Float64Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = (u[i]! | 0) / FIXED_SCALE;
  return out;
}

export interface Advertised {
  id: number;
  publicKey: Uint8Array;
}

/** One client's side of a round. */
export class SecAggClient {
  readonly #private: KeyObject;
  readonly publicKey: Buffer;

  constructor(
    readonly id: number,
    readonly round: number,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync("x25519");
    this.#private = privateKey;
    this.publicKey = rawPublic(publicKey);
  }

  /** The X25519 agreement with a peer (the seed of the pairwise mask and of sealed shares). */
  agree(peerPublic: Uint8Array): Buffer {
    return diffieHellman({ privateKey: this.#private, publicKey: publicFromRaw(peerPublic) });
  }

  /** Shares of this client's private key, one per peer (by the peers' order), any t rebuild it. */
  shareKey(peers: readonly Advertised[], threshold: number): Map<number, Share> {
    const shares = splitSecret(bytesToBigInt(rawPrivate(this.#private)), peers.length, threshold);
    return new Map(peers.map((p, i) => [p.id, shares[i]!]));
  }

  /** The update (already weighted, float) masked with every other advertised peer's pairwise mask. */
  mask(update: Float32Array, peers: readonly Advertised[]): Uint32Array {
    const out = encodeFixed(update, peers.length);
    for (const p of peers) {
      if (p.id === this.id) continue;
      const m = expandMask(this.agree(p.publicKey), this.round, out.length);
      const sign = this.id < p.id ? 1 : -1;
      for (let i = 0; i < out.length; i++) out[i] = (out[i]! + sign * m[i]!) >>> 0;
    }
    return out;
  }
}

/** The server's side: sums masked updates and removes the masks of clients that dropped out. */
export function unmaskSum(
  round: number,
  masked: ReadonlyMap<number, Uint32Array>,
  peers: readonly Advertised[],
  /** For each dropped client, shares of its key handed over by survivors (≥ threshold). */
  droppedShares: ReadonlyMap<number, readonly Share[]>,
): Float64Array {
  const first = masked.values().next().value;
  if (!first) throw new FlambeauError("E_ARG", "secagg: no masked updates to sum", "secagg");
  const n = first.length;
  const sum = new Uint32Array(n);
  for (const [id, m] of masked) {
    if (m.length !== n) throw new FlambeauError("E_SHAPE", `secagg: client ${id} sent ${m.length} values, not ${n}`, "secagg");
    if (droppedShares.has(id)) throw new FlambeauError("E_STATE", `secagg: client ${id} was declared dropped; its update is refused`);
    for (let i = 0; i < n; i++) sum[i] = (sum[i]! + m[i]!) >>> 0;
  }
  const byId = new Map(peers.map((p) => [p.id, p]));
  for (const [dropped, shares] of droppedShares) {
    const priv = privateFromRaw(bigIntToBytes(combineShares(shares), 32));
    for (const id of masked.keys()) {
      const pub = byId.get(id)?.publicKey;
      if (!pub) throw new FlambeauError("E_STATE", `secagg: client ${id} advertised no key`, "secagg");
      const m = expandMask(diffieHellman({ privateKey: priv, publicKey: publicFromRaw(pub) }), round, n);
      // Survivor `id` added sign(id, dropped)·m; take it back out.
      const sign = id < dropped ? 1 : -1;
      for (let i = 0; i < n; i++) sum[i] = (sum[i]! - sign * m[i]!) >>> 0;
    }
  }
  return decodeFixed(sum);
}

/**
 * A whole round in one process (the simulation): every client advertises a key, shares it,
 * masks its update; `dropAfterSharing` clients never send theirs and are recovered.
 */
export function secureSum(
  updates: ReadonlyMap<number, Float32Array>,
  round: number,
  o: { threshold?: number; dropAfterSharing?: readonly number[] } = {},
): Float64Array {
  const clients = [...updates.keys()].map((id) => new SecAggClient(id, round));
  const peers: Advertised[] = clients.map((c) => ({ id: c.id, publicKey: c.publicKey }));
  const threshold = o.threshold ?? Math.max(1, Math.floor(peers.length / 2) + 1);
  const held = new Map<number, Map<number, Share>>(); // holder → (owner → share)
  for (const c of clients)
    for (const [holder, s] of c.shareKey(peers, threshold)) (held.get(holder) ?? held.set(holder, new Map()).get(holder)!).set(c.id, s);
  const dropped = new Set(o.dropAfterSharing ?? []);
  const masked = new Map<number, Uint32Array>();
  for (const c of clients) if (!dropped.has(c.id)) masked.set(c.id, c.mask(updates.get(c.id)!, peers));
  const recovered = new Map<number, Share[]>();
  for (const d of dropped) {
    const shares = [...masked.keys()].map((h) => held.get(h)!.get(d)!).slice(0, threshold);
    if (shares.length < threshold)
      throw new FlambeauError(
        "E_STATE",
        `secagg: ${shares.length} survivors hold shares of client ${d}; ${threshold} are needed`,
        "secagg",
      );
    recovered.set(d, shares);
  }
  return unmaskSum(round, masked, peers, recovered);
}
