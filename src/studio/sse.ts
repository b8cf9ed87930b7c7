// A run's live event stream (server-sent events): the log so far as one "epochs" event, then
// each poll's new epochs, and a "run" event when the run's saved model appears or changes
// (the page then shows its final metrics and enables "try it"). Each stream holds one
// poller and whatever the socket has not sent yet; a client that does not read (more than
// MAX_BUFFERED waiting) is disconnected, and a client that leaves stops the poller.
import { statSync } from "node:fs";
import { join } from "node:path";
import type { FastifyReply, FastifyRequest } from "fastify";
import { JsonlTail } from "./events.js";
import { type RunFiles, readEvents, runFiles } from "./runs.js";

const MAX_BUFFERED = 1 << 20;
const HEARTBEAT_MS = 15_000;

const frame = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

export interface StreamOptions {
  pollMs?: number;
  /** Every open stream, so that closing the studio ends them. */
  open: Set<() => void>;
}

const mtimeOf = (path: string): number => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
};

/**
 * When the run's model or its validation report was last written (0: none yet); the folder is
 * looked at afresh each time. The report comes just after config.json: its own change sends
 * another "run" event, so the page shows the confusion matrix without a reload.
 */
function modelVersion(run: RunFiles): number {
  const f = runFiles(run.dir);
  if (!f.model) return 0;
  return Math.max(mtimeOf(join(f.model, "config.json")), f.validation ? mtimeOf(f.validation) : 0);
}

/** Streams `run`'s events to the client until it leaves or the studio closes. */
export function streamRunEvents(run: RunFiles, req: FastifyRequest, reply: FastifyReply, o: StreamOptions): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-request-id": req.id,
  });
  let version = modelVersion(run);
  const send = (name: string, data: unknown): void => {
    if (res.writableLength > MAX_BUFFERED) {
      req.log.info("event stream closed: the client reads too slowly");
      end();
      return;
    }
    res.write(frame(name, data));
  };
  const { events, end: from } = readEvents(run.events);
  send("epochs", events);
  const tail = new JsonlTail(run.events, {
    from,
    pollMs: o.pollMs,
    onEvents: (e) => send("epochs", e),
    onPoll: () => {
      const v = modelVersion(run);
      if (v !== version) {
        version = v;
        send("run", { model: v > 0 });
      }
    },
  });
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
  let ended = false;
  function end(): void {
    if (ended) return;
    ended = true;
    tail.stop();
    clearInterval(heartbeat);
    o.open.delete(end);
    res.end();
  }
  o.open.add(end);
  res.once("close", end);
}
