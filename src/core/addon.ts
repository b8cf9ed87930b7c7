// Finds and loads one of the package's native addons. A build of the package's own
// (node-gyp: a source checkout, or an install-time rebuild against LIBTORCH) wins over the
// prebuilt one the npm tarball ships for linux-x64 + Debian's libtorch 1.13.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { FlambeauError } from "./errors.js";

/** This file is <package>/dist/src/core/addon.js in a checkout and in an installed package alike. */
const PACKAGE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** What fixes a missing or unloadable addon, for error messages and the install script alike. */
export const LIBTORCH_FIX =
  "install libtorch 1.13 (Debian/Ubuntu: sudo apt-get install libtorch-dev), or build the addon against your own libtorch: " +
  "npm install-scripts approve flambeau && LIBTORCH=/path/to/libtorch npm rebuild flambeau";

/** The places `file` may be, best first. */
export function addonCandidates(file: string): string[] {
  return [`${PACKAGE_ROOT}build/Release/${file}`, `${PACKAGE_ROOT}prebuilds/${process.platform}-${process.arch}/${file}`];
}

/**
 * Loads `file` (e.g. "flambeau.node"); a missing addon or a missing shared library (libtorch)
 * is an E_STATE FlambeauError naming the file, the loader's message and `fix`.
 */
export function loadAddon<T>(file: string, op: string, fix: string = LIBTORCH_FIX): T {
  const candidates = addonCandidates(file);
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined)
    throw new FlambeauError("E_STATE", `flambeau: the native addon ${file} is not built (looked in ${candidates.join(", ")}); ${fix}`, op);
  try {
    return createRequire(import.meta.url)(path) as T;
  } catch (e) {
    throw new FlambeauError(
      "E_STATE",
      `flambeau: cannot load the native addon ${path}: ${(e as Error).message.split("\n")[0]}; ${fix}`,
      op,
    );
  }
}
