// Shallow vs deep, measured (`flambeau compare`).

export * from "../tasks/baseline.js";
export * from "./compare.js";
export * from "./summary.js";
