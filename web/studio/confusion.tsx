// A confusion matrix (rows: true class, columns: predicted) shaded by count, and each
// class's precision, recall and F1 computed from it.
import { formatNumber } from "./api.js";

export function perClass(m: number[][]): { precision: number; recall: number; f1: number; support: number }[] {
  return m.map((row, i) => {
    const tp = row[i] ?? 0;
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = m.reduce((a, r) => a + (r[i] ?? 0), 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
}

export function Confusion(props: { matrix: number[][]; labels: string[] }) {
  const { matrix, labels } = props;
  const max = Math.max(1, ...matrix.flat());
  const label = (i: number) => labels[i] ?? String(i);
  return (
    <div class="confusion" data-testid="confusion">
      <table class="cm">
        <thead>
          <tr>
            <th>true \ predicted</th>
            {matrix.map((_, j) => (
              <th key={j}>{label(j)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => (
            <tr key={i}>
              <th>{label(i)}</th>
              {row.map((v, j) => {
                const a = v / max;
                const bg = i === j ? `rgba(47,158,68,${0.15 + 0.85 * a})` : `rgba(224,49,49,${Math.min(1, 4 * a)})`;
                return (
                  <td key={j} style={{ background: bg }}>
                    {v}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <table class="per-class" data-testid="per-class">
        <thead>
          <tr>
            <th>class</th>
            <th>precision</th>
            <th>recall</th>
            <th>F1</th>
            <th>support</th>
          </tr>
        </thead>
        <tbody>
          {perClass(matrix).map((c, i) => (
            <tr key={i}>
              <th>{label(i)}</th>
              <td>{formatNumber(c.precision)}</td>
              <td>{formatNumber(c.recall)}</td>
              <td>{formatNumber(c.f1)}</td>
              <td>{c.support}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
