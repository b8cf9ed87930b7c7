// The studio's page: web/studio (TypeScript, preact, uPlot) bundled by esbuild into one
// script and one stylesheet. The npm package ships them prebuilt in dist/src/studio/web
// (scripts/build-package.sh runs bundleStudio), so an installed flambeau needs no esbuild;
// a source checkout bundles web/studio in memory on start (esbuild is a devDependency).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FlambeauError } from "../core/errors.js";

export interface StudioAssets {
  js: string;
  css: string;
}

const BUILT = fileURLToPath(new URL("./web/", import.meta.url));
// dist/src/studio → the checkout's web/studio.
const SOURCE = fileURLToPath(new URL("../../../web/studio/", import.meta.url));

/** Bundles web/studio with esbuild: into `outdir` (app.js, app.css), or in memory without one. */
export async function bundleStudio(outdir?: string): Promise<StudioAssets> {
  const entry = `${SOURCE}main.tsx`;
  if (!existsSync(entry))
    throw new FlambeauError("E_STATE", `studio: the page is not built (${BUILT}app.js) and its source ${entry} is not here`, "studio");
  let esbuild: typeof import("esbuild");
  try {
    esbuild = await import("esbuild");
  } catch {
    throw new FlambeauError("E_STATE", "studio: bundling the page needs esbuild (a devDependency: npm install in the checkout)", "studio");
  }
  const r = await esbuild.build({
    entryPoints: { app: entry },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir: outdir ?? BUILT,
    write: outdir !== undefined,
    logLevel: "silent",
    legalComments: "none",
  });
  if (outdir !== undefined) return readBuilt(outdir);
  const text = (ext: string) => r.outputFiles?.find((f) => f.path.endsWith(ext))?.text ?? "";
  return { js: text(".js"), css: text(".css") };
}

function readBuilt(dir: string): StudioAssets {
  return { js: readFileSync(`${dir}/app.js`, "utf8"), css: readFileSync(`${dir}/app.css`, "utf8") };
}

/** In a checkout, a fresh bundle of web/studio (an old prebuilt one would hide edits); else the prebuilt page. */
export async function studioAssets(): Promise<StudioAssets> {
  const built = existsSync(`${BUILT}app.js`) && existsSync(`${BUILT}app.css`);
  if (built && !existsSync(`${SOURCE}main.tsx`)) return readBuilt(BUILT);
  try {
    return await bundleStudio();
  } catch (e) {
    if (built) return readBuilt(BUILT);
    throw e;
  }
}

/** The page's HTML: the bundle does the rest. */
export const INDEX_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flambeau studio</title><link rel="stylesheet" href="/assets/app.css"></head>
<body><div id="app"></div><script type="module" src="/assets/app.js"></script></body></html>
`;
