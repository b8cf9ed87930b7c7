// Shallow vs deep, measured (`flambeau compare`).

export * from "../tasks/baseline.js";
export * from "./compare.js";
export { SHALLOW_PIPELINES } from "./pipelines.js";
export * from "./summary.js";
