// The HTTP inference server behind `flambeau serve`.
export { parsePredictRequest } from "./request.js";
export { type RunningServer, type ServeOptions, serve } from "./server.js";
