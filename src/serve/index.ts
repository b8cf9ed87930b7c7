// The HTTP inference server behind `flambeau serve`.
export { readTokenFile } from "../http/auth.js";
export { DEFAULT_LIMITS, type ServeLimits } from "./limits.js";
export { inputKindOf, type ServedModel } from "./models.js";
export { clientOptions, type PredictRequest, parseJsonPredict } from "./request.js";
export { type RunningServer, type ServeOptions, serve } from "./server.js";
