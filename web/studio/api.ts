// The studio's HTTP API, as the page sees it (src/studio/server.ts answers it).
import type { Prediction, RunDetail, RunEvent, RunSummary } from "../../src/studio/api-types.js";

export type { Prediction, RunDetail, RunEvent, RunSummary };

async function json<T>(r: Response): Promise<T> {
  const body = (await r.json()) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  return body;
}

const runUrl = (name: string): string => `/api/runs/${encodeURIComponent(name)}`;

export const listRuns = async (): Promise<RunSummary[]> => (await json<{ runs: RunSummary[] }>(await fetch("/api/runs"))).runs;
export const getRun = async (name: string): Promise<RunDetail> => json<RunDetail>(await fetch(runUrl(name)));
export const predict = async (name: string, input: File | string): Promise<Prediction> => {
  const form = new FormData();
  form.append("inputs", input);
  return json<Prediction>(await fetch(`${runUrl(name)}/predict`, { method: "POST", body: form }));
};

/** The run's events as they are logged: `onEpochs` gets the log so far, then each new batch; `onRun` when the model is saved. */
export function watchRun(name: string, onEpochs: (e: RunEvent[], fresh: boolean) => void, onRun: () => void): () => void {
  const source = new EventSource(`${runUrl(name)}/events`);
  // Each connection (a reconnect too) starts with the whole log so far.
  let fresh = true;
  source.addEventListener("open", () => {
    fresh = true;
  });
  source.addEventListener("epochs", (m) => {
    onEpochs(JSON.parse((m as MessageEvent<string>).data) as RunEvent[], fresh);
    fresh = false;
  });
  source.addEventListener("run", () => onRun());
  return () => source.close();
}

/** The numeric series of a run's events worth drawing, losses first. */
export function seriesKeys(events: readonly RunEvent[]): { losses: string[]; metrics: string[] } {
  const skip = new Set(["epoch", "step", "lr", "time", "seconds"]);
  const keys = new Set<string>();
  for (const e of events) for (const [k, v] of Object.entries(e)) if (typeof v === "number" && !skip.has(k)) keys.add(k);
  const all = [...keys];
  return { losses: all.filter((k) => /loss/i.test(k)), metrics: all.filter((k) => !/loss/i.test(k)) };
}

export const epochOf = (e: RunEvent, i: number): number => (typeof e.epoch === "number" ? e.epoch : i + 1);

export function formatNumber(v: unknown): string {
  if (v === undefined || v === null) return "–";
  if (typeof v !== "number") return typeof v === "string" ? v : JSON.stringify(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toExponential(3) : v.toFixed(4);
}
