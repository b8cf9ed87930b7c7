// Gated minimum-cost matching shared by the trackers and metrics: Hungarian assignment on a
// cost matrix, then pairs costlier than the gate dropped. What the assignment sees of the
// pairs past the gate differs between the references, so it is a choice:
//   "as-is": the costs unchanged (sort.py assigns on −IoU, then drops weak pairs);
//   "clip": raised to just above the gate (deep_sort's min_cost_matching);
//   "forbid": a cost no set of feasible pairs can outweigh, so the most feasible pairs are
//     matched first (CLEAR MOT's correspondence, as py-motmetrics solves it).
import { linearSumAssignment } from "../../train/assignment.js";

export interface Matching {
  matches: [number, number][];
  unmatchedRows: number[];
  unmatchedCols: number[];
}

/** Matches rows to columns by least cost, keeping only pairs with cost ≤ maxCost. */
export function gatedMatching(
  cost: readonly (readonly number[])[],
  rows: number,
  cols: number,
  maxCost: number,
  infeasible: "as-is" | "clip" | "forbid" = "clip",
): Matching {
  const matches: [number, number][] = [];
  const rowUsed = new Uint8Array(rows);
  const colUsed = new Uint8Array(cols);
  if (rows > 0 && cols > 0) {
    const over = infeasible === "clip" ? maxCost + 1e-5 : (Math.abs(maxCost) + 1) * (rows + cols + 1) * 1e3;
    const a = linearSumAssignment(infeasible === "as-is" ? cost : cost.map((r) => r.map((v) => (v > maxCost ? over : v))));
    a.rows.forEach((i, k) => {
      const j = a.cols[k]!;
      if (cost[i]![j]! > maxCost) return;
      matches.push([i, j]);
      rowUsed[i] = 1;
      colUsed[j] = 1;
    });
  }
  const unmatched = (used: Uint8Array) => [...used.keys()].filter((i) => !used[i]);
  return { matches, unmatchedRows: unmatched(rowUsed), unmatchedCols: unmatched(colUsed) };
}
