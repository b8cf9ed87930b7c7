// Exact minimum-cost assignment on a rectangular cost matrix (scipy's linear_sum_assignment):
// the O(n²m) shortest-augmenting-path form of the Hungarian method with potentials
// (Kuhn–Munkres as Jonker–Volgenant and e-maxx write it), run with the shorter side as rows.
// Metrics that match one side to another use it: DER maps reference to hypothesis speakers,
// CLEAR MOT and IDF1 match tracks to truth, and the trackers match tracks to detections.
import { FlambeauError } from "../core/errors.js";

export interface Assignment {
  /** Row indices of the matched pairs, increasing. */
  rows: number[];
  /** Column matched to rows[i]. */
  cols: number[];
  /** Sum of the matched costs. */
  cost: number;
}

function solve(c: readonly (readonly number[])[], n: number, m: number): number[] {
  // 1-based arrays as in the classic formulation; p[j] = row matched to column j.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Number.POSITIVE_INFINITY);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = c[i0 - 1]![j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const colOfRow = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]! > 0) colOfRow[p[j]! - 1] = j - 1;
  return colOfRow;
}

/** The assignment of min(rows, cols) pairs with the least total cost; costs must be finite. */
export function linearSumAssignment(cost: readonly (readonly number[])[]): Assignment {
  const n = cost.length;
  const m = n ? cost[0]!.length : 0;
  for (const row of cost)
    if (row.length !== m || !row.every(Number.isFinite))
      throw new FlambeauError(
        "E_ARG",
        `linearSumAssignment: the cost matrix must be rectangular with finite entries, got a row [${row.join(", ")}] of a ${n} × ${m} matrix`,
        "linearSumAssignment",
      );
  if (n === 0 || m === 0) return { rows: [], cols: [], cost: 0 };
  const rows: number[] = [];
  const cols: number[] = [];
  if (n <= m) {
    solve(cost, n, m).forEach((j, i) => {
      rows.push(i);
      cols.push(j);
    });
  } else {
    const t = Array.from({ length: m }, (_, j) => Array.from({ length: n }, (_, i) => cost[i]![j]!));
    const rowOfCol = solve(t, m, n);
    const pairs = rowOfCol.map((i, j) => [i, j] as const).sort((a, b) => a[0] - b[0]);
    for (const [i, j] of pairs) {
      rows.push(i);
      cols.push(j);
    }
  }
  let total = 0;
  for (let k = 0; k < rows.length; k++) total += cost[rows[k]!]![cols[k]!]!;
  return { rows, cols, cost: total };
}

/**
 * Rows matched to columns maximising the summed score (either side may be larger; the smaller
 * is matched completely), as DER's speaker mapping wants it. Returns `match[row]` = column or -1.
 */
export function maxWeightAssignment(score: readonly (readonly number[])[]): number[] {
  for (const r of score)
    if (r.length !== (score[0]?.length ?? 0) || !r.every(Number.isFinite))
      throw new FlambeauError("E_ARG", "maxWeightAssignment: the score matrix must be rectangular and finite", "maxWeightAssignment");
  const match = new Array<number>(score.length).fill(-1);
  const { rows, cols } = linearSumAssignment(score.map((r) => r.map((v) => -v)));
  rows.forEach((i, k) => {
    match[i] = cols[k]!;
  });
  return match;
}
