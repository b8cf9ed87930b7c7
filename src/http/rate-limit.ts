// Per-caller rate limits: a token bucket for each caller (a bearer token's identity, or the
// client address when the server has no tokens), refilled at `perSecond`, holding at most
// `burst`. Idle buckets are forgotten so the map does not grow with every address seen.
import { HttpError } from "./errors.js";

export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #burst: number;

  constructor(
    readonly perSecond: number,
    burst?: number,
  ) {
    this.#burst = burst ?? Math.max(1, Math.ceil(perSecond));
  }

  /** Takes one request from `caller`'s bucket, or throws a 429 saying when to retry. */
  take(caller: string, now = performance.now()): void {
    let b = this.#buckets.get(caller);
    if (!b) {
      if (this.#buckets.size > 10_000) this.#sweep(now);
      this.#buckets.set(caller, (b = { tokens: this.#burst, at: now }));
    }
    b.tokens = Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens < 1) {
      const wait = Math.ceil((1 - b.tokens) / this.perSecond);
      throw new HttpError(429, "rate_limited", `over ${this.perSecond} requests/s for ${caller}; retry in ${wait} s`, {
        "retry-after": String(wait),
      });
    }
    b.tokens -= 1;
  }

  #sweep(now: number): void {
    for (const [k, b] of this.#buckets) if (b.tokens + ((now - b.at) / 1000) * this.perSecond >= this.#burst) this.#buckets.delete(k);
  }
}
