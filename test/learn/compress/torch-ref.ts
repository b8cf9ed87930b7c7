// Runs a Python snippet with PyTorch (/usr/bin/python3, Debian's python3-torch) on JSON input
// and returns its JSON output: the references the compression tests check against.
import { spawnSync } from "node:child_process";

const PY = "/usr/bin/python3";
export const hasTorch = spawnSync(PY, ["-c", "import torch"]).status === 0;
export const NO_TORCH = "needs /usr/bin/python3 with torch (apt python3-torch)";

/** `code` reads `inp` (the parsed JSON) and assigns `out`, which is printed as JSON. */
export function torchRef<T>(code: string, input: unknown): T {
  const script = `import json, sys, torch\ninp = json.load(sys.stdin)\n${code}\nprint(json.dumps(out))`;
  const r = spawnSync(PY, ["-c", script], { input: JSON.stringify(input), encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
