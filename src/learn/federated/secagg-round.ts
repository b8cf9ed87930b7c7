// The server's side of one secure-aggregation round over HTTP (Bonawitz et al. 2017's four
// rounds, simplified as secagg.ts is): the selected clients advertise X25519 public keys
// (U1); each seals Shamir shares of its private key to every peer in U1 and the server
// relays them (U2: those who shared); each client in U2 uploads its update masked with its
// pairwise masks against U2 (U3: those who uploaded); if some of U2 never uploaded, the
// survivors send their shares of the dropped clients' keys and the server removes the
// masks those clients left. The server only ever holds public keys, sealed shares, masked
// vectors, the keys of clients that dropped, and the sum.
//
// A client's vector is [wₖ·Δₖ, wₖ] with wₖ = examplesₖ / EXAMPLE_UNIT, so the sum gives
// FedAvg's numerator and denominator at once and no example count is seen alone; the unit
// keeps weights small enough for the fixed-point ring (secagg.ts) with thousands of
// examples per client.
//
// Each phase either completes (every expected client answered) or is closed by the
// caller at its deadline; closing with fewer than `threshold` clients throws, and the
// caller starts the round over with fresh keys.

import { FlambeauError } from "../../core/errors.js";
import { HttpError } from "../../http/errors.js";
import { type Advertised, unmaskSum } from "./secagg.js";
import type { Share } from "./shamir.js";

export const EXAMPLE_UNIT = 1024;

export type SecurePhase = "advertise" | "share" | "upload" | "unmask" | "ready";
/** What one client is asked to do now. */
export type SecureStatus = Exclude<SecurePhase, "ready"> | "wait";

const malformed = (m: string) => new HttpError(400, "malformed", `secure aggregation: ${m}`);

export class SecureRound {
  phase: SecurePhase = "advertise";
  readonly #keys = new Map<number, Buffer>();
  /** U1, by id. */
  peers: Advertised[] = [];
  threshold = 0;
  readonly #mailbox = new Map<number, Map<number, string>>(); // holder → (owner → sealed share)
  readonly #sharers = new Set<number>(); // U2
  /** U3's masked vectors: all the server sees of each update. */
  readonly masked = new Map<number, Uint32Array>();
  dropped: number[] = [];
  readonly #recovered = new Map<number, Share[]>();
  readonly #unmaskers = new Set<number>();

  constructor(
    readonly round: number,
    readonly selected: ReadonlySet<number>,
    /** Length of a masked vector: the model's size + 1 (the weight). */
    readonly length: number,
    /** Fewest clients a phase may close with (the caller's minimum, at least 2). */
    readonly minClients: number,
  ) {}

  statusOf(id: number): SecureStatus {
    if (this.phase === "advertise") return this.selected.has(id) && !this.#keys.has(id) ? "advertise" : "wait";
    if (this.phase === "share") return this.peers.some((p) => p.id === id) && !this.#sharers.has(id) ? "share" : "wait";
    if (this.phase === "upload") return this.#sharers.has(id) && !this.masked.has(id) ? "upload" : "wait";
    if (this.phase === "unmask") return this.masked.has(id) && !this.#unmaskers.has(id) ? "unmask" : "wait";
    return "wait";
  }

  #expect(id: number, phase: SecurePhase): void {
    if (this.phase !== phase || this.statusOf(id) !== phase)
      throw new HttpError(
        409,
        "not_selected",
        `client ${id} is not expected to ${phase} now (round ${this.round + 1} is in its ${this.phase} phase)`,
      );
  }

  /** Returns true when every selected client has advertised. */
  advertise(id: number, publicKey: unknown): boolean {
    this.#expect(id, "advertise");
    const k = typeof publicKey === "string" ? Buffer.from(publicKey, "base64") : undefined;
    if (k?.length !== 32) throw malformed("publicKey must be the base64 of a 32-byte X25519 public key");
    this.#keys.set(id, k);
    return this.#keys.size === this.selected.size;
  }

  closeAdvertise(): void {
    this.#need(this.#keys.size, "advertised keys");
    this.peers = [...this.#keys].sort((a, b) => a[0] - b[0]).map(([id, publicKey]) => ({ id, publicKey }));
    // A majority of U1 rebuilds a dropped key, and fewer than a majority learn nothing.
    this.threshold = Math.max(this.minClients, Math.floor(this.peers.length / 2) + 1);
    this.phase = "share";
  }

  /** `sealed` maps each other peer's id to its sealed share; true when all of U1 shared. */
  share(id: number, sealed: unknown): boolean {
    this.#expect(id, "share");
    if (typeof sealed !== "object" || sealed === null) throw malformed("shares must be an object {peerId: sealedShare}");
    const entries = Object.entries(sealed as Record<string, unknown>);
    const others = this.peers.filter((p) => p.id !== id).map((p) => String(p.id));
    if (entries.length !== others.length || !others.every((o) => typeof (sealed as Record<string, unknown>)[o] === "string"))
      throw malformed(`shares must hold one sealed share (a string) for each of peers ${others.join(", ")}`);
    for (const [holder, s] of entries) {
      const box = this.#mailbox.get(Number(holder)) ?? this.#mailbox.set(Number(holder), new Map()).get(Number(holder))!;
      box.set(id, s as string);
    }
    this.#sharers.add(id);
    return this.#sharers.size === this.peers.length;
  }

  closeShare(): void {
    this.#need(this.#sharers.size, "clients that shared their keys");
    this.phase = "upload";
  }

  /** U2's keys and the sealed shares addressed to `id` by U2's members. */
  inbox(id: number): { peers: { id: number; publicKey: string }[]; threshold: number; shares: Record<string, string> } {
    if (!this.#sharers.has(id) || (this.phase !== "upload" && this.phase !== "unmask"))
      throw new HttpError(409, "not_selected", `client ${id} has no inbox in round ${this.round + 1}'s ${this.phase} phase`);
    const box = this.#mailbox.get(id) ?? new Map<number, string>();
    return {
      peers: this.u2().map((p) => ({ id: p.id, publicKey: Buffer.from(p.publicKey).toString("base64") })),
      threshold: this.threshold,
      shares: Object.fromEntries([...box].filter(([owner]) => this.#sharers.has(owner))),
    };
  }

  u2(): Advertised[] {
    return this.peers.filter((p) => this.#sharers.has(p.id));
  }

  /** The masked vector as little-endian uint32 words; true when all of U2 uploaded. */
  upload(id: number, body: Buffer): boolean {
    this.#expect(id, "upload");
    if (body.length !== this.length * 4)
      throw malformed(`a masked update is ${this.length} uint32 words (${this.length * 4} bytes), got ${body.length} bytes`);
    const words = new Uint32Array(this.length);
    for (let i = 0; i < this.length; i++) words[i] = body.readUInt32LE(4 * i);
    this.masked.set(id, words);
    return this.masked.size === this.#sharers.size;
  }

  closeUpload(): void {
    this.#need(this.masked.size, "masked updates");
    this.dropped = [...this.#sharers].filter((id) => !this.masked.has(id)).sort((a, b) => a - b);
    for (const d of this.dropped) this.#recovered.set(d, []);
    this.phase = this.dropped.length ? "unmask" : "ready";
  }

  /** A survivor's shares of the dropped clients' keys ({droppedId: {x, y (hex)}}); true when each has enough. */
  unmask(id: number, shares: unknown): boolean {
    this.#expect(id, "unmask");
    if (typeof shares !== "object" || shares === null) throw malformed("shares must be an object {droppedId: {x, y}}");
    const x = this.peers.findIndex((p) => p.id === id) + 1; // the holder's evaluation point
    const parsed = this.dropped.map((d) => {
      const s = (shares as Record<string, { x?: unknown; y?: unknown }>)[String(d)];
      if (!s || s.x !== x || typeof s.y !== "string" || !/^[0-9a-f]{1,140}$/i.test(s.y))
        throw malformed(`a share of client ${d}'s key must be {x: ${x}, y: "<hex>"}`);
      return [d, { x, y: BigInt(`0x${s.y}`) }] as const;
    });
    for (const [d, s] of parsed) this.#recovered.get(d)!.push(s);
    this.#unmaskers.add(id);
    return this.#enoughShares();
  }

  #enoughShares(): boolean {
    return this.dropped.every((d) => this.#recovered.get(d)!.length >= this.threshold);
  }

  closeUnmask(): void {
    if (!this.#enoughShares())
      throw new FlambeauError(
        "E_STATE",
        `secure aggregation: ${this.#unmaskers.size} survivors sent shares of the dropped clients' keys; ${this.threshold} are needed`,
      );
    this.phase = "ready";
  }

  /** Σ wₖΔₖ / Σ wₖ over U3, from the masked vectors. */
  mean(): Float32Array {
    if (this.phase !== "ready") throw new FlambeauError("E_STATE", `secure aggregation: the round is in its ${this.phase} phase`);
    const recovered = new Map([...this.#recovered].map(([d, s]) => [d, s.slice(0, this.threshold)]));
    const sum = unmaskSum(this.round, this.masked, this.u2(), recovered);
    const weight = sum[sum.length - 1]!;
    if (!(weight > 0)) throw new FlambeauError("E_STATE", `secure aggregation: the summed weight is ${weight}`);
    return Float32Array.from(sum.subarray(0, sum.length - 1), (v) => v / weight);
  }

  #need(have: number, what: string): void {
    const need = Math.max(2, this.minClients, this.phase === "advertise" ? 0 : this.threshold);
    if (have < need)
      throw new FlambeauError(
        "E_STATE",
        `secure aggregation: ${have} ${what} by the deadline of round ${this.round + 1}; ${need} are needed`,
      );
  }
}
