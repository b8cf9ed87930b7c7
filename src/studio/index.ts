// The web studio behind `flambeau studio`.
export { bundleStudio } from "./assets.js";
export { listRuns, type RunSummary } from "./runs.js";
export { type RunningStudio, type StudioOptions, studio } from "./server.js";
