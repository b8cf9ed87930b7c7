// The runs folder: one row per run (task, model, epochs, last numbers, final validation
// metrics); two ticked runs open side by side.
import { useEffect, useState } from "preact/hooks";
import { formatNumber, listRuns, type RunSummary } from "./api.js";

function finalMetrics(r: RunSummary): [string, unknown][] {
  const v = r.metrics?.validation;
  if (v && typeof v === "object") return Object.entries(v as Record<string, unknown>).filter(([, x]) => typeof x === "number");
  return Object.entries(r.last ?? {}).filter(([k, x]) => typeof x === "number" && k !== "epoch" && k !== "step");
}

export function RunsPage() {
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState("");
  const [picked, setPicked] = useState<string[]>([]);
  useEffect(() => {
    const load = () => listRuns().then(setRuns, (e: Error) => setError(e.message));
    load();
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, []);
  if (error) return <p class="error">{error}</p>;
  if (!runs) return <p>loading…</p>;
  if (runs.length === 0)
    return (
      <p>
        No runs yet. Train one into the runs folder:{" "}
        <code>flambeau train image-classification --data DIR --out runs/first --event-log runs/first/events.jsonl</code>
      </p>
    );
  const toggle = (name: string) => setPicked((p) => (p.includes(name) ? p.filter((n) => n !== name) : [...p.slice(-1), name]));
  return (
    <section>
      <h2>Runs</h2>
      <table class="runs" data-testid="runs">
        <thead>
          <tr>
            <th>compare</th>
            <th>run</th>
            <th>task</th>
            <th>model</th>
            <th>epochs</th>
            <th>metrics</th>
            <th>updated</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.name}>
              <td>
                <input type="checkbox" checked={picked.includes(r.name)} onChange={() => toggle(r.name)} aria-label={`compare ${r.name}`} />
              </td>
              <td>
                <a href={`#/run/${encodeURIComponent(r.name)}`}>{r.name}</a>
                {r.problem && <span class="error"> {r.problem}</span>}
              </td>
              <td>{r.task ?? "no model yet"}</td>
              <td>{r.architecture ?? ""}</td>
              <td>{r.epochs}</td>
              <td class="metrics">
                {finalMetrics(r).map(([k, v]) => (
                  <span key={k}>
                    {k} <b>{formatNumber(v)}</b>
                  </span>
                ))}
              </td>
              <td>{new Date(r.updated).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <button
          type="button"
          disabled={picked.length !== 2}
          onClick={() => {
            location.hash = `#/compare/${picked.map(encodeURIComponent).join("/")}`;
          }}
        >
          Compare the two ticked runs
        </button>
      </p>
    </section>
  );
}
