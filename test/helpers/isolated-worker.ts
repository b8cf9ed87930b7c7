// Runs a replay worker in child processes so that a native crash costs one sample: the worker
// prints {"start": k, …} before sample k and its outcome line {"k": k, …} after it; when the
// process dies inside a sample, the sample is counted through `crashed` and a new worker resumes
// after it (argv[2] is the ordinal to start from).
import { spawnSync } from "node:child_process";

export interface Started {
  start: number;
  [key: string]: unknown;
}

export function runIsolated<L extends { k: number }>(
  child: string,
  total: number,
  crashed: (s: Started, why: string) => L,
): { lines: L[]; crashes: { started: Started; why: string }[] } {
  const lines: L[] = [];
  const crashes: { started: Started; why: string }[] = [];
  let next = 0;
  while (next < total) {
    const r = spawnSync(process.execPath, [child, String(next)], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
      env: { ...process.env, GLOG_minloglevel: "2" },
    });
    let started: Started | undefined;
    for (const l of r.stdout.split("\n")) {
      if (!l) continue;
      const j = JSON.parse(l) as L & Partial<Started>;
      if (j.start !== undefined) started = j as Started;
      else {
        lines.push(j);
        started = undefined;
        next = j.k + 1;
      }
    }
    if (r.status === 0 && !started) break;
    if (!started) throw new Error(`${child} failed outside a sample (status ${r.status}, ${r.signal}): ${r.stderr.slice(-2000)}`);
    const why = `process killed by ${r.signal ?? `exit ${r.status}`}`;
    crashes.push({ started, why });
    lines.push(crashed(started, why));
    next = started.start + 1;
  }
  return { lines, crashes };
}
