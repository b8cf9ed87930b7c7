// One run: its curves (growing live while it trains), config, final metrics, confusion
// matrix and per-class metrics (from eval.json), and the try-it panel.
import { epochOf, formatNumber, type RunEvent, seriesKeys } from "./api.js";
import { Chart, type Line } from "./chart.js";
import { Confusion } from "./confusion.js";
import { TryIt } from "./try-it.js";
import { useRun } from "./use-run.js";

export const linesOf = (events: readonly RunEvent[], keys: readonly string[], prefix = ""): Line[] =>
  keys.map((k) => ({ label: `${prefix}${k}`, values: events.map((e) => (typeof e[k] === "number" ? (e[k] as number) : null)) }));

/** Numbers to 4 significant digits (normalisation statistics print 17). */
const rounded = (_k: string, v: unknown): unknown => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v);

function Config(props: { config: Record<string, unknown> }) {
  const { task, architecture, hyper, preprocessing, labels } = props.config;
  const rows: [string, unknown][] = [
    ["task", task],
    ["architecture", architecture],
    ["hyper-parameters", hyper],
    ["preprocessing", preprocessing],
    ["labels", labels],
  ];
  return (
    <dl class="config">
      {rows
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [<dt key={`t${k}`}>{k}</dt>, <dd key={`d${k}`}>{typeof v === "string" ? v : JSON.stringify(v, rounded)}</dd>])}
    </dl>
  );
}

function Metrics(props: { metrics: Record<string, unknown> }) {
  const flat = Object.entries(props.metrics).flatMap(([k, v]) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.entries(v as Record<string, unknown>).map(([k2, v2]) => [`${k}.${k2}`, v2] as const)
      : [[k, v] as const],
  );
  return (
    <table class="metrics" data-testid="final-metrics">
      <tbody>
        {flat
          .filter(([, v]) => typeof v === "number" || typeof v === "string")
          .map(([k, v]) => (
            <tr key={k}>
              <th>{k}</th>
              <td>{formatNumber(v)}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

export function RunPage(props: { name: string }) {
  const { run, events, error } = useRun(props.name);
  if (error) return <p class="error">{error}</p>;
  if (!run) return <p>loading…</p>;
  const { losses, metrics } = seriesKeys(events);
  const xs = events.map(epochOf);
  const cm = run.evaluation?.confusionMatrix;
  const square = Array.isArray(cm) && cm.every((r) => Array.isArray(r) && r.length === cm.length && r.every((v) => typeof v === "number"));
  const labels = (run.evaluation?.labels as string[] | undefined) ?? run.labels ?? [];
  return (
    <section>
      <h2>
        {run.name} <small>{run.task ?? "no model yet"}</small>
      </h2>
      {run.problem && <p class="error">{run.problem}</p>}
      <div class="grid">
        <Chart title="loss" xs={xs} lines={linesOf(events, losses)} testId="loss-chart" />
        {metrics.length > 0 && <Chart title="metrics" xs={xs} lines={linesOf(events, metrics)} testId="metric-chart" />}
      </div>
      <p class="muted" data-testid="epochs">
        {events.length} epoch{events.length === 1 ? "" : "s"} logged
      </p>
      {square && (
        <div>
          <h3>Confusion matrix and per-class metrics</h3>
          <p class="muted" data-testid="confusion-source">
            {run.evaluation?.split === "validation"
              ? `The validation split (${run.evaluation.examples ?? "?"} examples) at the end of training.`
              : "From the run's eval.json."}
          </p>
          <Confusion matrix={cm as number[][]} labels={labels} />
        </div>
      )}
      <div class="grid">
        <div>
          <h3>Try it</h3>
          <TryIt run={run} />
        </div>
        <div>
          <h3>Final metrics</h3>
          {run.metrics ? <Metrics metrics={run.metrics} /> : <p class="muted">Written when training ends.</p>}
        </div>
      </div>
      <h3>Config</h3>
      {run.config ? <Config config={run.config} /> : <p class="muted">No saved model yet.</p>}
    </section>
  );
}
