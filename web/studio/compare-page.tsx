// Two runs side by side: each series of both runs overlaid on one chart, and their final
// metrics in one table.
import { epochOf, formatNumber, type RunEvent, seriesKeys } from "./api.js";
import { Chart } from "./chart.js";
import { useRun } from "./use-run.js";

/** Both runs' values on a shared epoch axis. */
function overlay(a: RunEvent[], b: RunEvent[], key: string, names: [string, string]) {
  const xs = [...new Set([...a.map(epochOf), ...b.map(epochOf)])].sort((x, y) => x - y);
  const at = (events: RunEvent[]) => {
    const by = new Map(events.map((e, i) => [epochOf(e, i), e[key]]));
    return xs.map((x) => (typeof by.get(x) === "number" ? (by.get(x) as number) : null));
  };
  return {
    xs,
    lines: [
      { label: `${names[0]} ${key}`, values: at(a) },
      { label: `${names[1]} ${key}`, values: at(b) },
    ],
  };
}

export function ComparePage(props: { a: string; b: string }) {
  const A = useRun(props.a);
  const B = useRun(props.b);
  if (A.error || B.error) return <p class="error">{A.error || B.error}</p>;
  const ka = seriesKeys(A.events);
  const kb = seriesKeys(B.events);
  const keys = [...ka.losses, ...ka.metrics].filter((k) => kb.losses.includes(k) || kb.metrics.includes(k));
  const finals = (r: typeof A.run) => (r?.metrics?.validation as Record<string, unknown> | undefined) ?? {};
  const names = [...new Set([...Object.keys(finals(A.run)), ...Object.keys(finals(B.run))])];
  return (
    <section>
      <h2>
        {props.a} <small>vs</small> {props.b}
      </h2>
      <div class="grid" data-testid="compare">
        {keys.map((k) => {
          const o = overlay(A.events, B.events, k, [props.a, props.b]);
          return <Chart key={k} title={k} xs={o.xs} lines={o.lines} />;
        })}
      </div>
      {names.length > 0 && (
        <table class="metrics">
          <thead>
            <tr>
              <th>validation</th>
              <th>{props.a}</th>
              <th>{props.b}</th>
            </tr>
          </thead>
          <tbody>
            {names.map((n) => (
              <tr key={n}>
                <th>{n}</th>
                <td>{formatNumber(finals(A.run)[n])}</td>
                <td>{formatNumber(finals(B.run)[n])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
