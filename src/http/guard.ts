// Which requests reach the routes at all. Host: a server on a loopback address answers only
// to loopback names (a web page on evil.example that rebinds its name to 127.0.0.1 sends
// Host: evil.example). Origin: browsers send it with every cross-site POST, and nothing else
// does; CORS is off unless origins are listed, so a web page cannot make predictions or read
// answers — a form post with a "simple" content type is refused for its Origin.
import { isIP } from "node:net";
import { HttpError } from "./errors.js";

export interface GuardOptions {
  /** The address the server listens on. */
  host: string;
  /** Host names (without port) accepted besides the listen address and the loopback names. */
  allowedHosts?: readonly string[];
  /** Origins allowed to call the server from a browser ("*": any). Default: none (CORS off). */
  corsOrigins?: readonly string[];
}

const LOOPBACK = ["localhost", "127.0.0.1", "::1"];
const isAny = (h: string): boolean => h === "0.0.0.0" || h === "::" || h === "";

/** The host name of a Host header, lower-case, without port or IPv6 brackets. */
export function hostNameOf(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined);
  if (isIP(h) === 6) return h;
  const colon = h.lastIndexOf(":");
  return colon >= 0 ? h.slice(0, colon) : h;
}

export class Guard {
  /** undefined: any Host (the server listens on every interface and no names were given). */
  readonly #hosts: Set<string> | undefined;
  readonly #origins: Set<string>;

  constructor(o: GuardOptions) {
    const extra = (o.allowedHosts ?? []).map((h) => h.toLowerCase());
    this.#hosts = isAny(o.host) && extra.length === 0 ? undefined : new Set([...LOOPBACK, o.host.toLowerCase(), ...extra]);
    this.#origins = new Set(o.corsOrigins ?? []);
  }

  get corsEnabled(): boolean {
    return this.#origins.size > 0;
  }

  /** Throws a 4xx for a Host or Origin the server does not answer; returns the CORS headers to add (if any). */
  check(host: string | undefined, origin: string | undefined): Record<string, string> {
    if (this.#hosts) {
      if (!host) throw new HttpError(400, "bad_request", "missing Host header");
      const name = hostNameOf(host);
      if (!this.#hosts.has(name))
        throw new HttpError(421, "wrong_host", `this server does not answer to Host "${host.slice(0, 100)}" (--allow-host adds names)`);
    }
    if (origin === undefined) return {};
    if (!this.#origins.has(origin) && !this.#origins.has("*"))
      throw new HttpError(
        403,
        "cross_origin",
        `requests from web pages (Origin ${origin.slice(0, 100)}) are refused; CORS is off unless --cors-origin lists the origin`,
      );
    return {
      "access-control-allow-origin": origin,
      "access-control-allow-headers": "authorization, content-type, x-request-id",
      "access-control-allow-methods": "GET, POST",
      "access-control-expose-headers": "x-request-id",
      "access-control-max-age": "600",
      vary: "Origin",
    };
  }
}
