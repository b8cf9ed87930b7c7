// The compression table (Markdown): one row per variant, the baseline first.
import type { VariantResult } from "./runner.js";

const mb = (b: number): string => (b / 1e6).toFixed(3);

export function compressionTable(rows: readonly VariantResult[]): string {
  const base = rows[0];
  const metric = base?.metric ?? "metric";
  const timed = rows.some((r) => r.latency);
  const lines = [
    `| variant | size (MB) | gzip (MB) | parameters (non-zero / total) | ${metric} | Δ vs baseline | eval ms / example |${timed ? " 1 example (ms) | batch (ms) |" : ""}`,
    `|---|---:|---:|---:|---:|---:|---:|${timed ? "---:|---:|" : ""}`,
  ];
  for (const r of rows) {
    const delta = base && r !== base ? `${r.value >= base.value ? "+" : ""}${(100 * (r.value - base.value)).toFixed(2)} pt` : "—";
    lines.push(
      `| ${r.variant} | ${mb(r.bytes)} | ${mb(r.gzipBytes)} | ${r.nonzero.toLocaleString("en")} / ${r.parameters.toLocaleString("en")} | ${r.value.toFixed(4)} | ${delta} | ${r.msPerExample.toFixed(3)} |${timed ? (r.latency ? ` ${r.latency.singleMs.toFixed(2)} | ${r.latency.batchMs.toFixed(1)} (${r.latency.batch}) |` : " | |") : ""}`,
    );
  }
  return lines.join("\n");
}
