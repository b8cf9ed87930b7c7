// Shamir's t-of-n secret sharing over the prime field GF(2^521 − 1) (a Mersenne prime, so
// a 256-bit secret — an X25519 private key — is one field element). Secure aggregation
// shares each client's key so the server can rebuild the key of a client that dropped out
// mid-round from any t survivors, and no fewer.

import { randomBytes } from "node:crypto";
import { FlambeauError } from "../../core/errors.js";

export const PRIME = (1n << 521n) - 1n;

export interface Share {
  /** The evaluation point (1-based holder index). */
  x: number;
  y: bigint;
}

const mod = (a: bigint): bigint => ((a % PRIME) + PRIME) % PRIME;

function powMod(b: bigint, e: bigint): bigint {
  let r = 1n;
  let x = mod(b);
  while (e > 0n) {
    if (e & 1n) r = (r * x) % PRIME;
    x = (x * x) % PRIME;
    e >>= 1n;
  }
  return r;
}

const randomField = (): bigint => mod(BigInt(`0x${randomBytes(66).toString("hex")}`));

export const bytesToBigInt = (b: Uint8Array): bigint => (b.length ? BigInt(`0x${Buffer.from(b).toString("hex")}`) : 0n);

export function bigIntToBytes(v: bigint, length: number): Buffer {
  const hex = v.toString(16).padStart(length * 2, "0");
  if (hex.length > length * 2) throw new FlambeauError("E_ARG", `shamir: value does not fit in ${length} bytes`, "shamir");
  return Buffer.from(hex, "hex");
}

/** `n` shares of `secret`, any `t` of which rebuild it. */
export function splitSecret(secret: bigint, n: number, t: number): Share[] {
  if (!(Number.isInteger(t) && Number.isInteger(n) && t >= 1 && t <= n))
    throw new FlambeauError("E_ARG", `shamir: need 1 ≤ t ≤ n, got t=${t}, n=${n}`, "shamir");
  if (secret < 0n || secret >= PRIME) throw new FlambeauError("E_ARG", "shamir: secret out of the field", "shamir");
  const coef = [secret, ...Array.from({ length: t - 1 }, randomField)];
  return Array.from({ length: n }, (_, i) => {
    const x = BigInt(i + 1);
    let y = 0n;
    for (let k = coef.length - 1; k >= 0; k--) y = (y * x + coef[k]!) % PRIME;
    return { x: i + 1, y };
  });
}

/** The secret from ≥ t distinct shares (Lagrange interpolation at 0). */
export function combineShares(shares: readonly Share[]): bigint {
  const xs = new Set(shares.map((s) => s.x));
  if (xs.size !== shares.length || shares.length === 0)
    throw new FlambeauError("E_ARG", `shamir: need distinct shares, got points ${shares.map((s) => s.x).join(", ")}`, "shamir");
  let secret = 0n;
  for (const [i, si] of shares.entries()) {
    let num = 1n;
    let den = 1n;
    for (const [j, sj] of shares.entries()) {
      if (i === j) continue;
      num = (num * BigInt(-sj.x)) % PRIME;
      den = (den * BigInt(si.x - sj.x)) % PRIME;
    }
    secret = mod(secret + si.y * mod(num) * powMod(mod(den), PRIME - 2n));
  }
  return secret;
}
