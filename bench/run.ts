// `npm run bench` / `flambeau bench`: the whole suite (see suite.ts), then the stand-alone
// KV-cache benchmark. Flags: --smoke, --only a,b, --threads n, --out file, --no-pytorch, --no-tfjs, --no-ort.
import { FlambeauError } from "../src/core/errors.js";
import { runSuite } from "./suite.js";

export function parseBenchArgs(argv: readonly string[]): Parameters<typeof runSuite>[0] & { kvCache: boolean } {
  const o: Parameters<typeof runSuite>[0] & { kvCache: boolean } = { kvCache: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new FlambeauError("E_ARG", `bench: ${a} needs a value`, "bench");
      return v;
    };
    if (a === "--smoke") o.smoke = true;
    else if (a === "--no-pytorch") o.pytorch = false;
    else if (a === "--no-tfjs") o.tfjs = false;
    else if (a === "--no-ort") o.ort = false;
    else if (a === "--no-kv-cache") o.kvCache = false;
    else if (a === "--only") o.only = value().split(",");
    else if (a === "--out") o.out = value();
    else if (a === "--threads") {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1)
        throw new FlambeauError("E_ARG", `bench: --threads must be a positive integer, got ${argv[i]}`, "bench");
      o.threads = n;
    } else
      throw new FlambeauError(
        "E_ARG",
        `bench: unknown option ${a}; options: --smoke, --only, --threads, --out, --no-pytorch, --no-tfjs, --no-ort, --no-kv-cache`,
        "bench",
      );
  }
  return o;
}

const direct = process.argv[1]?.endsWith("/bench/run.js");
if (direct) {
  const o = parseBenchArgs(process.argv.slice(2));
  const r = await runSuite(o);
  process.stdout.write(`${r.table}\n`);
  if (r.errors.length) process.stderr.write(`[bench] ${r.errors.length} side(s) failed:\n${r.errors.join("\n")}\n`);
  if (o.kvCache && !o.smoke && !o.only) await import("./kv-cache.js");
}
