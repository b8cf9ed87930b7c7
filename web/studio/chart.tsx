// A line chart (uPlot) of some series against epochs that follows its data: new points are
// set on the existing plot; a different set of series builds a new one.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface Line {
  label: string;
  /** One value per x (null: none at that epoch). */
  values: (number | null)[];
}

const COLORS = ["#d9480f", "#1c7ed6", "#2f9e44", "#ae3ec9", "#f59f00", "#0c8599", "#e64980", "#5c7cfa"];

export function Chart(props: { title: string; xs: number[]; lines: Line[]; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<{ u: uPlot; shape: string } | null>(null);
  // Every point count drawn, in order: how the curve grew (the browser test reads it).
  const counts = useRef<number[]>([]);
  if (counts.current.at(-1) !== props.xs.length) counts.current.push(props.xs.length);
  const shape = props.lines.map((l) => l.label).join("\u0000");
  const data = [props.xs, ...props.lines.map((l) => l.values)] as uPlot.AlignedData;

  useEffect(() => {
    if (!el.current) return;
    if (plot.current && plot.current.shape === shape) {
      plot.current.u.setData(data);
      return;
    }
    plot.current?.u.destroy();
    const opts: uPlot.Options = {
      title: props.title,
      width: 520,
      height: 240,
      scales: { x: { time: false } },
      // Labels only: values show on hover, which a page watched (or screenshotted) has none of.
      legend: { live: false },
      // Epochs are whole numbers: no ticks between them.
      axes: [{ label: "epoch", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }, {}],
      series: [
        { label: "epoch" },
        ...props.lines.map((l, i) => ({ label: l.label, stroke: COLORS[i % COLORS.length], width: 2, points: { size: 6 } })),
      ],
    };
    plot.current = { u: new uPlot(opts, data, el.current), shape };
  });
  useEffect(() => () => plot.current?.u.destroy(), []);
  return <div class="chart" ref={el} data-testid={props.testId} data-points={props.xs.length} data-counts={counts.current.join(",")} />;
}
