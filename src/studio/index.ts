// The web studio behind `flambeau studio`.
export { bundleStudio } from "./assets.js";
export { type RunSummary, listRuns } from "./runs.js";
export { type RunningStudio, type StudioOptions, studio } from "./server.js";
