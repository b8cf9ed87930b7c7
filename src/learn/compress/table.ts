// The compression table (Markdown): one row per variant, the baseline first.
import type { Latency } from "./latency.js";
import type { VariantResult } from "./runner.js";

const mb = (b: number): string => (b / 1e6).toFixed(3);

/** The two latency cells: one example, and the batch with its size (or the whole input: a graph). */
function latencyCells(l: Latency): [string, string] {
  return [l.singleMs === null ? "—" : l.singleMs.toFixed(2), `${l.batchMs.toFixed(1)} (${l.batch ?? "whole input"})`];
}

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
      `| ${r.variant} | ${mb(r.bytes)} | ${mb(r.gzipBytes)} | ${r.nonzero.toLocaleString("en")} / ${r.parameters.toLocaleString("en")} | ${r.value.toFixed(4)} | ${delta} | ${r.msPerExample.toFixed(3)} |${timed ? (r.latency ? ` ${latencyCells(r.latency).join(" | ")} |` : " | |") : ""}`,
    );
  }
  return lines.join("\n");
}
