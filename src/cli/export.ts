// `flambeau export <model-dir> --format onnx --out model.onnx`: the saved model traced on an
// example batch, written as one ONNX file (opset 17, symbolic batch) with its preprocessing,
// labels and tokenizer in the metadata, so a runtime needs nothing else.
import { statSync } from "node:fs";
import { FlambeauError } from "../core/errors.js";
import { FLAMBEAU_VERSION } from "../core/version.js";
import { writeAll, writeAtomic } from "../io/atomic.js";
import { exportOnnx, OPSET } from "../io/onnx/index.js";
import { getTask, TASKS } from "../tasks/registry.js";
import { readModelConfig } from "../train/model-dir.js";
import { planWebPage, writeWebPage } from "./export-web.js";

const OP = "export";
export const EXPORT_FORMATS = ["onnx"] as const;

export interface ExportCliOptions {
  format?: string;
  out: string;
  /** Also write the browser page with the model into this folder (image and text classifiers). */
  web?: string;
}

export interface ExportResult {
  out: string;
  format: "onnx";
  opset: number;
  task: string;
  architecture: string;
  bytes: number;
  inputs: { name: string; shape: (number | string)[]; dtype: string }[];
  /** The page's folder and files, with --web. */
  web?: { dir: string; files: string[] };
}

export async function runExportCli(dir: string, o: ExportCliOptions): Promise<ExportResult> {
  const format = o.format ?? "onnx";
  if (format !== "onnx")
    throw new FlambeauError("E_ARG", `${OP}: --format must be one of ${EXPORT_FORMATS.join(", ")}, got "${format}"`, OP);
  if (typeof o.out !== "string" || o.out.length === 0) throw new FlambeauError("E_ARG", `${OP}: --out must name the file to write`, OP);
  if (statSync(o.out, { throwIfNoEntry: false })?.isDirectory())
    throw new FlambeauError("E_ARG", `${OP}: --out ${o.out} is a directory; name the .onnx file to write`, OP);
  const config = readModelConfig(dir);
  const task = getTask(config.task);
  if (!task.loadExport) {
    const ok = Object.values(TASKS)
      .filter((t) => t.loadExport)
      .map((t) => t.name);
    throw new FlambeauError("E_ARG", `${OP}: the ${task.name} task has no ONNX export yet; tasks that export: ${ok.join(", ")}`, OP);
  }
  const webPlan = o.web === undefined ? undefined : await planWebPage(task.name, o.web);
  const spec = await task.loadExport(dir);
  try {
    const bytes = exportOnnx(spec.module, spec.inputs, {
      inputNames: spec.inputNames,
      outputNames: spec.outputNames,
      graphName: `${task.name}/${config.architecture}`,
      producerVersion: FLAMBEAU_VERSION,
      metadata: { task: task.name, architecture: config.architecture, ...spec.metadata },
    });
    await writeAtomic(OP, o.out, (fh) => writeAll(fh, [bytes]));
    const web = webPlan && { dir: webPlan.out, files: await writeWebPage(webPlan, bytes) };
    return {
      out: o.out,
      format: "onnx",
      opset: OPSET,
      task: task.name,
      architecture: config.architecture,
      bytes: bytes.length,
      inputs: spec.inputs.map((t, i) => ({ name: spec.inputNames[i]!, shape: ["batch", ...t.shape.slice(1)], dtype: t.dtype })),
      ...(web ? { web } : {}),
    };
  } finally {
    spec.module.dispose();
    for (const t of spec.inputs) t.dispose();
  }
}
