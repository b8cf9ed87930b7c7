// Hyper-parameter importance of a study: for each parameter, the share of the variance of the
// completed trials' values that its value alone explains — the correlation ratio η² =
// Σ_g n_g (ȳ_g − ȳ)² / Σ (y − ȳ)², with a categorical parameter grouped by value and a numeric
// one by quantile bins of its sampled values — normalised to sum to 1, as Optuna reports
// importances. It estimates the first-order (main-effect) variance shares that fANOVA
// (Hutter et al. 2014, Optuna's default evaluator) computes, without its random-forest
// surrogate: with a few dozen trials the bins are coarse and the figures indicative.
import type { TrialRecord } from "./study-file.js";

/** Parameter → importance in [0, 1], the values summing to 1, most important first; {} when undecidable. */
export function paramImportances(trials: readonly TrialRecord[]): Record<string, number> {
  const done = trials.filter((t) => t.state === "complete" && !t.isDefault && Number.isFinite(t.value));
  if (done.length < 3) return {};
  const ys = done.map((t) => t.value!);
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
  const total = ys.reduce((a, y) => a + (y - mean) ** 2, 0);
  if (!(total > 0)) return {};
  const raw: [string, number][] = [];
  for (const name of new Set(done.flatMap((t) => Object.keys(t.params)))) {
    const rows = done.filter((t) => t.params[name] !== undefined).map((t) => ({ v: t.params[name], y: t.value! }));
    if (rows.length < 3) continue;
    raw.push([name, explained(groupsOf(rows), mean) / total]);
  }
  const sum = raw.reduce((a, [, v]) => a + v, 0);
  if (!(sum > 0)) return {};
  return Object.fromEntries(raw.sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / sum]));
}

/** The trials' values grouped by the parameter: by value, or numeric values in quantile bins. */
function groupsOf(rows: { v: unknown; y: number }[]): number[][] {
  if (rows.every((r) => typeof r.v === "number")) {
    const sorted = [...rows].sort((a, b) => (a.v as number) - (b.v as number));
    const bins = Math.max(2, Math.min(4, Math.floor(sorted.length / 3)));
    return Array.from({ length: bins }, (_, b) =>
      sorted.slice(Math.floor((b * sorted.length) / bins), Math.floor(((b + 1) * sorted.length) / bins)).map((r) => r.y),
    ).filter((g) => g.length > 0);
  }
  const by = new Map<string, number[]>();
  for (const r of rows) by.set(String(r.v), [...(by.get(String(r.v)) ?? []), r.y]);
  return [...by.values()];
}

/** Σ_g n_g (ȳ_g − ȳ)²: the variance between the groups' means. */
function explained(groups: number[][], mean: number): number {
  return groups.reduce((a, g) => a + g.length * (g.reduce((s, y) => s + y, 0) / g.length - mean) ** 2, 0);
}
