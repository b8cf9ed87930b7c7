// The report-and-floor half the PyTorch-suite replays (OpInfo, ModuleInfo) share: each sample's
// outcome tallied (a sample matches when its outputs and its gradients do), the report's common
// lines, the report printed (and written to the file an environment variable names), and the
// counts held to the floor recorded beside the fixtures (floor.json).
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One sample's outcome, as a replay worker reports it. */
export interface Outcome {
  output: "match" | "mismatch" | "error";
  grad: "match" | "mismatch" | "error" | "none"; // none: nothing differentiable, or no reference
  message?: string;
}

/** Who sample k belongs to: its group (an OpInfo, a ModuleInfo) and its label, which starts with the group's name. */
export interface Owner {
  group: string;
  sample: string;
}

export interface Tally {
  replayed: number;
  /** Outputs and gradients (where there are any) both match. */
  matched: number;
  outputs: number;
  gradsReplayed: number;
  grads: number;
  /** By group: failed samples, and the first failure's label and message. */
  failing: Map<string, { n: number; first: string }>;
}

export function tally(lines: readonly (Outcome & { k: number })[], owner: readonly Owner[]): Tally {
  const t: Tally = { replayed: lines.length, matched: 0, outputs: 0, gradsReplayed: 0, grads: 0, failing: new Map() };
  for (const l of lines) {
    const { group, sample } = owner[l.k] as Owner;
    if (l.output === "match") t.outputs++;
    if (l.grad !== "none") {
      t.gradsReplayed++;
      if (l.grad === "match") t.grads++;
    }
    if (l.output === "match" && (l.grad === "match" || l.grad === "none")) t.matched++;
    else {
      const f = t.failing.get(group) ?? { n: 0, first: `${sample.slice(group.length + 1)} ${l.message ?? ""}`.trim() };
      f.n++;
      t.failing.set(group, f);
    }
  }
  return t;
}

export const pct = (a: number, b: number): string => `${((100 * a) / Math.max(b, 1)).toFixed(1)} %`;

export interface ReportParts {
  /** The first line: the suite, its size and what was left out. */
  header: string;
  /** What a group is called, plural: "OpInfos". */
  groups: string;
  covered: number;
  withSamples: number;
  /** Groups with samples that Flambeau has no counterpart of, and their samples. */
  missing: readonly string[];
  samplesOfMissing: number;
  tally: Tally;
  /** What a matching sample, its outputs and its gradients cover, in the suite's words. */
  labels: { matched: string; outputs: string; grads: string };
  /** More count lines, after the gradients'. */
  counts?: readonly string[];
  /** One line per sample that killed its worker. */
  crashes: readonly string[];
  /** Lines after "not in Flambeau". */
  notes?: readonly string[];
  /** Samples per covered group. */
  perGroup: ReadonlyMap<string, number>;
  /** Lines after the failing groups. */
  trailer?: readonly string[];
  /** When the test started (Date.now()). */
  t0: number;
}

/** The report as text. */
export function reportText(p: ReportParts): string {
  const { tally: t } = p;
  const recorded = t.replayed + p.samplesOfMissing;
  return [
    p.header,
    `${p.groups} covered: ${p.covered} / ${p.withSamples} (${pct(p.covered, p.withSamples)}); not in Flambeau: ${p.missing.length} (${p.samplesOfMissing} samples)`,
    `samples matching (${p.labels.matched}): ${t.matched} / ${t.replayed} replayed (${pct(t.matched, t.replayed)}); of all ${recorded} recorded: ${pct(t.matched, recorded)}`,
    `  ${p.labels.outputs}: ${t.outputs} / ${t.replayed} (${pct(t.outputs, t.replayed)})`,
    `  ${p.labels.grads}: ${t.grads} / ${t.gradsReplayed} (${pct(t.grads, t.gradsReplayed)})`,
    ...(p.counts ?? []),
    `  crashes (worker killed, sample counted as failed): ${p.crashes.length}`,
    ...p.crashes.map((c) => `    ${c}`),
    `not in Flambeau: ${p.missing.join(", ") || "none"}`,
    ...(p.notes ?? []),
    `failing ${p.groups} (failed / samples: first failure):`,
    ...[...t.failing.entries()].sort((a, b) => b[1].n - a[1].n).map(([n, f]) => `  ${n} ${f.n}/${p.perGroup.get(n)}: ${f.first}`),
    ...(p.trailer ?? []),
    `(${((Date.now() - p.t0) / 1000).toFixed(1)} s)`,
  ].join("\n");
}

/** Prints the report, and writes it to the file the environment variable `env` names, if any. */
export function publishReport(report: string, env: string): void {
  console.log(report);
  const file = process.env[env];
  if (file) writeFileSync(file, `${report}\n`);
}

/**
 * Asserts that the groups covered and the samples, outputs and gradients matching are each ≥
 * their entry in `dir`/floor.json, and so are the `more` counts (the floor's key → [count, what
 * it counts]).
 */
export function assertFloor(
  dir: string,
  { groups, covered, tally: t }: Pick<ReportParts, "groups" | "covered" | "tally">,
  more: Record<string, [number, string]> = {},
): void {
  const floor = JSON.parse(readFileSync(join(dir, "floor.json"), "utf8")) as Record<string, number>;
  const counts: Record<string, [number, string]> = {
    covered: [covered, `${groups} covered`],
    samplesMatched: [t.matched, "samples matching"],
    outputsMatched: [t.outputs, "outputs matching"],
    gradsMatched: [t.grads, "gradients matching"],
    ...more,
  };
  for (const [key, [n, what]] of Object.entries(counts)) {
    assert.equal(typeof floor[key], "number", `floor.json has no ${key}`);
    assert.ok(n >= floor[key]!, `${what} ${n} < floor ${floor[key]}`);
  }
}
