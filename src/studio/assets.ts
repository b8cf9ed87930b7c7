// The studio's page, prebuilt by scripts/build-web.js (web/studio → dist/web/studio: index.html,
// app.js, app.css) as the export page is: by `npm run build` in a checkout (setup.sh rebuilds it
// when web/ changes), by prepack for the npm package. Read once at start and served as it is.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FlambeauError } from "../core/errors.js";

export interface StudioAssets {
  html: string;
  js: string;
  css: string;
}

/** dist/web/studio beside dist/src, in a checkout and in an installed package alike. */
export const STUDIO_PAGE_DIR = fileURLToPath(new URL("../../web/studio/", import.meta.url));
const FILES = ["index.html", "app.js", "app.css"] as const;

/** The built page's files from `dir` (default dist/web/studio); a clear error naming the build when one is missing. */
export function studioAssets(dir = STUDIO_PAGE_DIR): StudioAssets {
  const missing = FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length)
    throw new FlambeauError(
      "E_STATE",
      `studio: the page is not built (${dir} lacks ${missing.join(", ")}): in a checkout run \`npm run build\` (or \`node scripts/build-web.js\`); an installed package ships it`,
      "studio",
    );
  const [html, js, css] = FILES.map((f) => readFileSync(join(dir, f), "utf8")) as [string, string, string];
  return { html, js, css };
}
