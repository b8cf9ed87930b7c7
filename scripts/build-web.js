// Builds the project's two browser pages into dist/web, one folder each, with esbuild (a
// devDependency: an installed package ships the built pages):
// - dist/web/onnx: the page of `flambeau export --web` (web/onnx/): index.html and app.js.
//   onnxruntime-web itself is left out: app.js imports it from ./ort.wasm.bundle.min.mjs, which
//   `flambeau export --web` copies with its WebAssembly runtime from the onnxruntime-web the user
//   installed (an optional peer: its wasm is 15 MB, which every install would carry otherwise),
//   so the exported folder needs nothing from a CDN and its JavaScript and wasm always come
//   from one version.
// - dist/web/studio: the page of `flambeau studio` (web/studio/: preact, uPlot): index.html,
//   app.js and app.css, which the studio serves as they are.
// Run by scripts/setup.sh (when web/ changes) and scripts/build-package.sh, or imported:
// buildWebPages(), buildOnnxPage({ out }), buildStudioPage({ out }).
import { copyFileSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const WEB_OUT = join(ROOT, "dist", "web");
export const ONNX_PAGE_OUT = join(WEB_OUT, "onnx");
export const STUDIO_PAGE_OUT = join(WEB_OUT, "studio");
/** Where app.js finds onnxruntime-web's wasm-only ES module (copied beside it at export). */
export const ORT_MODULE = "ort.wasm.bundle.min.mjs";

/**
 * Bundles web/NAME/ENTRY into a fresh folder beside `out` with `options`, copies index.html,
 * then swaps the folder in as a unit (a page is never half old, half new); returns its files.
 */
async function buildPage(name, entry, out, options) {
  const { build } = await import("esbuild");
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const r = await build({
    entryPoints: { app: join(ROOT, "web", name, entry) },
    outdir: tmp,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    metafile: true,
    ...options,
  });
  copyFileSync(join(ROOT, "web", name, "index.html"), join(tmp, "index.html"));
  // A build running beside this one may win the rename, which is fine.
  const old = `${out}.old-${process.pid}`;
  try {
    renameSync(out, old);
  } catch {
    // no previous build
  }
  mkdirSync(dirname(out), { recursive: true });
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
  return ["index.html", ...Object.keys(r.metafile.outputs).map((p) => p.split("/").pop())].sort();
}

/** The page of `flambeau export --web` into `out` (default dist/web/onnx); returns its files. */
export function buildOnnxPage({ out = ONNX_PAGE_OUT } = {}) {
  return buildPage("onnx", "main.ts", out, {
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
}

/** The page of `flambeau studio` into `out` (default dist/web/studio): app.js and app.css; returns its files. */
export function buildStudioPage({ out = STUDIO_PAGE_OUT } = {}) {
  // The page is checked by web/studio/tsconfig.json; esbuild strips types and compiles the JSX.
  return buildPage("studio", "main.tsx", out, { jsx: "automatic", jsxImportSource: "preact" });
}

/** Both pages; returns each folder with its files. */
export async function buildWebPages() {
  const [onnx, studio] = await Promise.all([buildOnnxPage(), buildStudioPage()]);
  return { [ONNX_PAGE_OUT]: onnx, [STUDIO_PAGE_OUT]: studio };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const [dir, files] of Object.entries(await buildWebPages()))
    process.stderr.write(`[flambeau build-web] ${dir}: ${files.join(", ")}\n`);
}
