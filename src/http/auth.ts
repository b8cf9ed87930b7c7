// Bearer-token auth: tokens come from a file (one a line, # comments), are kept only as
// SHA-256 digests and compared in constant time — every stored digest is compared, equal
// length, no early exit — so the timing of a refusal tells nothing about a token.
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { FlambeauError } from "../core/errors.js";
import { HttpError } from "./errors.js";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/** The tokens in `file`: one a line, blank lines and # comments skipped, at least 16 characters each. */
export function readTokenFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new FlambeauError("E_IO", `serve: cannot read --token-file ${file} (${(e as NodeJS.ErrnoException).code})`, "serve");
  }
  const tokens = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  for (const [i, t] of tokens.entries())
    if (t.length < 16 || /\s/.test(t))
      throw new FlambeauError("E_ARG", `serve: token ${i + 1} in ${file} is shorter than 16 characters or has spaces`, "serve");
  if (tokens.length === 0) throw new FlambeauError("E_ARG", `serve: ${file} holds no tokens`, "serve");
  return tokens;
}

export class TokenAuth {
  readonly #digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.#digests = tokens.map(digest);
  }

  /**
   * The caller's identity ("token-3", by position in the file — never the token) for a
   * request's Authorization header, or a 401.
   */
  check(header: string | undefined): string {
    const challenge = { "www-authenticate": 'Bearer realm="flambeau"' };
    if (!header) throw new HttpError(401, "unauthorized", "missing Authorization: Bearer <token> header", challenge);
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new HttpError(401, "unauthorized", "the Authorization header must be: Bearer <token>", challenge);
    const d = digest(m[1]!);
    let found = -1;
    for (const [i, s] of this.#digests.entries()) if (timingSafeEqual(d, s) && found < 0) found = i;
    if (found < 0) throw new HttpError(401, "unauthorized", "unknown bearer token", challenge);
    return `token-${found + 1}`;
  }
}
