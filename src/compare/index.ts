// Shallow vs deep, measured (`flambeau compare`).
export * from "./compare.js";
export * from "./pipeline.js";
export { SHALLOW_PIPELINES } from "./pipelines.js";
export * from "./summary.js";
