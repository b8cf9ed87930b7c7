// `flambeau export … --web DIR`: the browser page (web/onnx/, prebuilt into dist/web/onnx by the
// project's build) copied beside the exported model, a folder any static server can serve:
// index.html, app.js, model.onnx and onnxruntime-web's wasm build (its ES module and runtime,
// copied from the installed onnxruntime-web, an optional peer dependency).
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { FlambeauError } from "../core/errors.js";
import { writeAll, writeAtomic } from "../io/atomic.js";

const OP = "export --web";
/** The tasks whose exported models the page prepares inputs for and classifies. */
export const WEB_PAGE_TASKS: readonly string[] = ["image-classification", "text-classification"];

/** dist/web/onnx beside dist/src, in a checkout and in an installed package alike. */
const PAGE_DIR = fileURLToPath(new URL("../../web/onnx/", import.meta.url));
/**
 * onnxruntime-web's files the page loads: the wasm-only ES module app.js imports (see
 * scripts/build-web.js), the Emscripten glue it may import beside itself, and the runtime.
 */
export const ORT_FILES = ["ort.wasm.bundle.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"] as const;

/** Only a checkout has the page's source and its builder (esbuild, a devDependency). */
const BUILDER = fileURLToPath(new URL("../../../scripts/build-web.js", import.meta.url));

/** The built page's folder; in a checkout where it was never built, builds it first. */
async function pageDir(): Promise<string> {
  if (!existsSync(join(PAGE_DIR, "app.js")) && existsSync(BUILDER)) {
    const { buildOnnxPage } = (await import(pathToFileURL(BUILDER).href)) as { buildOnnxPage(): Promise<string[]> };
    await buildOnnxPage();
  }
  if (!existsSync(join(PAGE_DIR, "app.js")) || !existsSync(join(PAGE_DIR, "index.html")))
    throw new FlambeauError(
      "E_IO",
      `${OP}: the browser page is not built (${PAGE_DIR} has no app.js): in a checkout run \`npm run build\`; an installed package ships it`,
      OP,
    );
  return PAGE_DIR;
}

/** The folder of the installed onnxruntime-web's browser builds (resolved as the user's project resolves it). */
function ortDir(): string {
  let wasm: string;
  try {
    wasm = createRequire(import.meta.url).resolve("onnxruntime-web/ort-wasm-simd-threaded.wasm");
  } catch {
    throw new FlambeauError(
      "E_IO",
      `${OP}: the page runs the model with onnxruntime-web, which is not installed: npm install onnxruntime-web`,
      OP,
    );
  }
  const dir = dirname(wasm);
  const missing = ORT_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length)
    throw new FlambeauError(
      "E_IO",
      `${OP}: ${dir} lacks ${missing.join(", ")} (onnxruntime-web ≥ 1.20 has them): npm install onnxruntime-web@latest`,
      OP,
    );
  return dir;
}

/** Where the page goes and the files it is made of: everything checked before a model is exported. */
export interface WebPagePlan {
  out: string;
  files: string[];
}

/** Checks the task, the folder, the built page and onnxruntime-web, so a bad --web fails before the export's work. */
export async function planWebPage(task: string, out: string): Promise<WebPagePlan> {
  if (!WEB_PAGE_TASKS.includes(task))
    throw new FlambeauError("E_ARG", `${OP}: the page runs ${WEB_PAGE_TASKS.join(" and ")} models; this model is ${task}`, OP);
  if (typeof out !== "string" || out.length === 0) throw new FlambeauError("E_ARG", `${OP}: name the folder to write the page into`, OP);
  const st = statSync(out, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) throw new FlambeauError("E_ARG", `${OP}: ${out} exists and is not a folder`, OP);
  const src = await pageDir();
  const ort = ortDir();
  const page = readdirSync(src).filter((f) => statSync(join(src, f)).isFile());
  return { out, files: [...page.map((f) => join(src, f)), ...ORT_FILES.map((f) => join(ort, f))] };
}

/** Writes the planned page and `model` (as model.onnx) into its folder, each file atomically; returns the names written. */
export async function writeWebPage(plan: WebPagePlan, model: Uint8Array): Promise<string[]> {
  try {
    mkdirSync(plan.out, { recursive: true });
  } catch (e) {
    throw new FlambeauError("E_IO", `${OP}: cannot create ${plan.out}: ${(e as Error).message}`, OP);
  }
  for (const f of plan.files) {
    const bytes = await readFile(f);
    await writeAtomic(OP, join(plan.out, basename(f)), (fh) => writeAll(fh, [bytes]));
  }
  await writeAtomic(OP, join(plan.out, "model.onnx"), (fh) => writeAll(fh, [model]));
  return [...plan.files.map((f) => basename(f)), "model.onnx"];
}
