// `flambeau studio`: a web page over a runs folder — the runs with their configs and metrics,
// each run's curves growing live while `flambeau train --event-log` writes them, its
// confusion matrix, two runs compared, and its model tried on an upload or a typed text.
// Fastify with the serve front end's parsers, limits and Host/Origin guard (src/serve/app.ts);
// predictions through the serve path (try-model.ts). Bound to 127.0.0.1 unless told.
//
// Routes: GET / (the page, prebuilt into dist/web/studio: assets.ts), /assets/app.js, /assets/app.css; GET /api/runs,
// /api/runs/:name, /api/runs/:name/events (SSE); POST /api/runs/:name/predict.
import { FlambeauError } from "../core/errors.js";
import { HttpError } from "../http/errors.js";
import { Guard } from "../http/guard.js";
import { createHttpApp } from "../serve/app.js";
import { DEFAULT_LIMITS, type ServeLimits } from "../serve/limits.js";
import { inputKindOf } from "../serve/models.js";
import { studioAssets } from "./assets.js";
import { findRun, listRuns, runDetail } from "./runs.js";
import { streamRunEvents } from "./sse.js";
import { ModelTrier } from "./try-model.js";

export interface StudioOptions {
  /** The runs folder (default "runs"). */
  runs?: string;
  /** TCP port (0: any free port). Default 8090. */
  port?: number;
  /** Interface (default 127.0.0.1). */
  host?: string;
  /** How often a live stream looks at its event log (default 250 ms). */
  pollMs?: number;
  limits?: Partial<ServeLimits>;
  logger?: false | { stream?: { write(line: string): void }; level?: string };
}

export interface RunningStudio {
  readonly port: number;
  readonly url: string;
  /** Live event streams open now. */
  readonly openStreams: number;
  close(): Promise<void>;
}

// The page's own script, styles and data: nothing from elsewhere; uPlot sets inline styles.
const CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'";

/** Starts the studio on `o.runs` until `close()`. */
export async function studio(o: StudioOptions = {}): Promise<RunningStudio> {
  const root = o.runs ?? "runs";
  const host = o.host ?? "127.0.0.1";
  const port = o.port ?? 8090;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new FlambeauError("E_ARG", `studio: --port must be an integer in [0, 65535], got ${port}`, "studio");
  if (o.pollMs !== undefined && !(o.pollMs >= 10 && o.pollMs <= 60_000))
    throw new FlambeauError("E_ARG", `studio: pollMs must be in [10, 60000], got ${o.pollMs}`, "studio");
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const assets = studioAssets();
  // Browsers send Origin with every POST, the page's own included: a request whose Origin is
  // the Host it was sent to is the page's own (the Host itself is checked as serve checks it);
  // any other page is refused.
  const guard = new Guard({ host });
  const sameOrigin = (hostHeader: string | undefined, origin: string): boolean => {
    try {
      const u = new URL(origin);
      return (u.protocol === "http:" || u.protocol === "https:") && hostHeader !== undefined && u.host === hostHeader.toLowerCase();
    } catch {
      return false;
    }
  };
  const app = await createHttpApp({
    limits,
    op: "studio",
    logger: o.logger,
    guard: { check: (h, origin) => guard.check(h, origin !== undefined && sameOrigin(h, origin) ? undefined : origin) },
  });
  const trier = new ModelTrier(limits);
  const streams = new Set<() => void>();

  app.addHook("onSend", async (_req, reply) => {
    reply.header("content-security-policy", CSP).header("x-content-type-options", "nosniff").header("referrer-policy", "no-referrer");
  });
  app.get("/", async (_req, reply) => reply.type("text/html; charset=utf-8").send(assets.html));
  app.get("/assets/app.js", async (_req, reply) => reply.type("text/javascript; charset=utf-8").send(assets.js));
  app.get("/assets/app.css", async (_req, reply) => reply.type("text/css; charset=utf-8").send(assets.css));
  app.get("/api/runs", async () => ({
    runs: listRuns(root).map((r) => ({ ...r, ...(r.task ? { input: inputKindOf(r.task) } : {}) })),
  }));
  app.get<{ Params: { name: string } }>("/api/runs/:name", async (req) => {
    const r = runDetail(root, req.params.name);
    return { ...r, ...(r.task ? { input: inputKindOf(r.task) } : {}) };
  });
  app.get<{ Params: { name: string } }>("/api/runs/:name/events", async (req, reply) => {
    streamRunEvents(findRun(root, req.params.name), req, reply, { pollMs: o.pollMs, open: streams });
  });
  app.post<{ Params: { name: string } }>("/api/runs/:name/predict", async (req, reply) =>
    trier.predict(req.params.name, findRun(root, req.params.name), req, reply),
  );
  app.setNotFoundHandler(async (req) => {
    throw new HttpError(
      404,
      "not_found",
      `no route ${req.method} ${req.url.split("?")[0]!.slice(0, 200)}; routes: GET /, /api/runs, /api/runs/NAME, /api/runs/NAME/events; POST /api/runs/NAME/predict`,
    );
  });

  try {
    await app.listen({ port, host });
  } catch (e) {
    await app.close().catch(() => undefined);
    throw new FlambeauError("E_IO", `studio: cannot listen on ${host}:${port} (${(e as Error).message})`, "studio");
  }
  const address = app.server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  const shown = host.includes(":") ? `[${host}]` : host;
  const url = `http://${shown}:${bound}`;
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    url,
    get openStreams() {
      return streams.size;
    },
    close() {
      closing ??= (async () => {
        for (const end of [...streams]) end();
        await app.close();
        await trier.close();
      })();
      return closing;
    },
  };
}
