// Shamir shares of a client's key travel through the server, so each is sealed to its
// holder: AES-256-GCM under a key derived from the owner's and holder's X25519 agreement
// (the same agreement the masks come from, with a different label, so the two keys are
// independent). The server relays ciphertexts it cannot read or alter unnoticed; the
// associated data binds a share to its round, owner and holder, so it cannot be replayed
// to another client or round.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { FlambeauError } from "../../core/errors.js";
import type { Share } from "./shamir.js";

const keyOf = (secret: Uint8Array, round: number): Buffer =>
  createHash("sha256").update(secret).update(`flambeau-secagg-share-${round}`).digest();
const aad = (round: number, owner: number, holder: number): Buffer => Buffer.from(`${round}:${owner}:${holder}`);

/** `share` of `owner`'s key sealed to `holder` (base64 of iv ‖ tag ‖ ciphertext). */
export function sealShare(secret: Uint8Array, round: number, owner: number, holder: number, share: Share): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", keyOf(secret, round), iv);
  c.setAAD(aad(round, owner, holder));
  const body = Buffer.concat([c.update(JSON.stringify({ x: share.x, y: share.y.toString(16) })), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString("base64");
}

/** The share `sealShare` sealed; refuses one that does not authenticate. */
export function openShare(secret: Uint8Array, round: number, owner: number, holder: number, sealed: string): Share {
  const b = Buffer.from(sealed, "base64");
  const fail = (why: string) =>
    new FlambeauError("E_FORMAT", `secagg: the share of client ${owner}'s key for client ${holder} ${why}`, "secagg");
  if (b.length < 29) throw fail(`is ${b.length} bytes, too short to be sealed`);
  const d = createDecipheriv("aes-256-gcm", keyOf(secret, round), b.subarray(0, 12));
  d.setAAD(aad(round, owner, holder));
  d.setAuthTag(b.subarray(12, 28));
  let text: string;
  try {
    text = Buffer.concat([d.update(b.subarray(28)), d.final()]).toString();
  } catch {
    throw fail("does not authenticate (altered, or sealed for another round or client)");
  }
  const j = JSON.parse(text) as { x: number; y: string };
  return { x: j.x, y: BigInt(`0x${j.y}`) };
}
