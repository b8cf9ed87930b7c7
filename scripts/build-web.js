// Builds the browser page of `flambeau export --web` (web/onnx/) into dist/web/onnx/: index.html
// and app.js (the page bundled by esbuild, minified). onnxruntime-web itself is left out: app.js
// imports it from ./ort.wasm.bundle.min.mjs, which `flambeau export --web` copies with its
// WebAssembly runtime from the onnxruntime-web the user installed (an optional peer: its wasm is
// 15 MB, which every install would carry otherwise), so the exported folder needs nothing from a
// CDN and its JavaScript and wasm always come from one version. Run by scripts/setup.sh and
// scripts/build-package.sh (esbuild is a devDependency: an installed package ships the built
// page), or imported: buildOnnxPage({ out }).
import { copyFileSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ONNX_PAGE_OUT = join(ROOT, "dist", "web", "onnx");
/** Where app.js finds onnxruntime-web's wasm-only ES module (copied beside it at export). */
export const ORT_MODULE = "ort.wasm.bundle.min.mjs";

/** Writes the page into `out` (default dist/web/onnx), replacing the folder as a unit; returns its files. */
export async function buildOnnxPage({ out = ONNX_PAGE_OUT } = {}) {
  const { build } = await import("esbuild");
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
    logLevel: "warning",
    plugins: [
      {
        name: "onnxruntime-web-beside-the-page",
        setup(b) {
          b.onResolve({ filter: /^onnxruntime-web\/wasm$/ }, () => ({ path: `./${ORT_MODULE}`, external: true }));
        },
      },
    ],
    // The page is checked by web/tsconfig.json; esbuild only strips types.
    tsconfigRaw: { compilerOptions: {} },
  });
  copyFileSync(join(ROOT, "web", "onnx", "index.html"), join(tmp, "index.html"));
  // Swap the new folder in; a build running beside this one may win the rename, which is fine.
  const old = `${out}.old-${process.pid}`;
  try {
    renameSync(out, old);
  } catch {
    // no previous build
  }
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
  return ["index.html", "app.js"];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const files = await buildOnnxPage();
  process.stderr.write(`[flambeau build-web] ${ONNX_PAGE_OUT}: ${files.join(", ")}\n`);
}
