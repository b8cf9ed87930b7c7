// flambeau: deep learning for TypeScript on PyTorch's engine.

export * as audio from "./audio/index.js";
export * as compare from "./compare/index.js";
export * from "./core/index.js";
export * as data from "./data/index.js";
export * as graph from "./graph/index.js";
export * as io from "./io/index.js";
export { load, save } from "./io/index.js";
export * as learn from "./learn/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as quantization from "./quant/index.js";
export * as serve from "./serve/index.js";
export * as tasks from "./tasks/index.js";
export { pipeline } from "./tasks/pipeline.js";
export * as text from "./text/index.js";
export * as train from "./train/index.js";
export * as video from "./video/index.js";
export * as vision from "./vision/index.js";
export * as worker from "./worker/index.js";
