// Builds the browser page of `flambeau export --web` (web/onnx/) into dist/web/onnx/: index.html,
// app.js (the page and onnxruntime-web bundled by esbuild, minified) and onnxruntime-web's
// WebAssembly runtime copied from node_modules, so the folder needs nothing from a CDN. Run by
// scripts/setup.sh and scripts/build-package.sh (esbuild is a devDependency: an installed
// package ships the built folder), or imported: buildOnnxPage({ out }).
import { copyFileSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ONNX_PAGE_OUT = join(ROOT, "dist", "web", "onnx");
/** The runtime the wasm entry of onnxruntime-web loads at run time (the .mjs glue is also bundled; the copy costs 25 kB). */
const ORT_FILES = ["ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.mjs"];

/** Writes the page into `out` (default dist/web/onnx), replacing the folder as a unit; returns its files. */
export async function buildOnnxPage({ out = ONNX_PAGE_OUT } = {}) {
  const { build } = await import("esbuild");
  const require = createRequire(join(ROOT, "package.json"));
  const ortDist = dirname(require.resolve("onnxruntime-web/ort-wasm-simd-threaded.wasm"));
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await build({
    entryPoints: [join(ROOT, "web", "onnx", "main.ts")],
    outfile: join(tmp, "app.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "linked",
    logLevel: "warning",
    // The page is checked by web/tsconfig.json; esbuild only strips types.
    tsconfigRaw: { compilerOptions: {} },
  });
  copyFileSync(join(ROOT, "web", "onnx", "index.html"), join(tmp, "index.html"));
  for (const f of ORT_FILES) copyFileSync(join(ortDist, f), join(tmp, f));
  // Swap the new folder in; a build running beside this one may win the rename, which is fine.
  const old = `${out}.old-${process.pid}`;
  try {
    renameSync(out, old);
  } catch {
    // no previous build
  }
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
  return ["index.html", "app.js", "app.js.LEGAL.txt", ...ORT_FILES];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const files = await buildOnnxPage();
  process.stderr.write(`[flambeau build-web] ${ONNX_PAGE_OUT}: ${files.join(", ")}\n`);
}
