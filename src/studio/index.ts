// The web studio behind `flambeau studio`.
export { STUDIO_PAGE_DIR, type StudioAssets, studioAssets } from "./assets.js";
export { listRuns, type RunSummary } from "./runs.js";
export { type RunningStudio, type StudioOptions, studio } from "./server.js";
